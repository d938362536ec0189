from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from guard import audit
from .admin_scope import BULK_ACTIONS, own_pages_condition
from .pagecache import mark_cacheable


@hooks.register("before_serve_page")
def page_cache_may_keep(page, request, serve_args, serve_kwargs):
    mark_cacheable(request, page)


@hooks.register("before_serve_document")
def unpublished_documents_only_for_their_unit(document, request):
    """A document not yet used by a published page is its unit's, not the public's."""
    from .private_media import check_document

    check_document(document, request)


@hooks.register("construct_page_chooser_queryset")
def chooser_shows_live_pages_and_own_drafts(pages, request):
    """The page chooser lists every page by default, under its draft title; another
    unit's drafts are not for everyone's eyes. Offer the user's own unit's pages in
    any state, and other live pages whose pending draft (if any) keeps the live
    title: the chooser shows draft titles, and a retitled draft of another unit
    is as private as a new one."""
    from wagtail.models import Page

    condition = own_pages_condition(request.user)
    if condition is None:
        return pages
    retitled = list(Page.objects.filter(live=True).exclude(condition).exclude(draft_title=F("title"))
                    .values_list("pk", flat=True))
    pages = pages.filter(condition | Q(live=True))
    return pages.exclude(pk__in=retitled) if retitled else pages


# Registered after Wagtail's own (a higher order), so these replace its page bulk actions.
for _action in BULK_ACTIONS:
    hooks.register("register_bulk_action", _action, order=100)


@hooks.register("register_log_actions")
def register_portal_actions(actions):
    audit.register_action(actions, "portal.column_kind.create", _("新增栏目类型"), _("新增了栏目类型"))
    audit.register_action(actions, "portal.column_kind.update", _("修改栏目类型"), _("修改了栏目类型"))


@hooks.register("register_admin_viewset")
def register_column_kinds():
    from .admin_config import column_kind_viewset

    return column_kind_viewset
