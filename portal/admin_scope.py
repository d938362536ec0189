"""Which pages of the tree a person's admin screens may name.

A unit's staff work on their own sites' pages; another unit's drafts (and the
titles of its unpublished versions) are not theirs to read. Wagtail's own
screens check the right to *act* on a page, but some list the pages a request
names or the whole tree regardless: the bulk-action confirmation pages (which
list "pages you cannot act on" by title, for any id in the query string) and the
page-types report (the last edited page of each type, anywhere). The replacements
here name only pages under the person's own page permissions.
"""

from django.db.models import Q
from django.http import Http404
from wagtail.admin.views.pages.bulk_actions.delete import DeleteBulkAction
from wagtail.admin.views.pages.bulk_actions.move import MoveBulkAction
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.admin.views.pages.bulk_actions.unpublish import UnpublishBulkAction
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.models import GroupPagePermission, Page

from orgs.queries import sees_every_unit


# No unit role names another unit's pages in the admin: a supervisor reads what is
# published, the page tree follows page permissions. Superusers only.
ADMIN_ACROSS_UNITS = ()


def own_page_paths(user):
    """Tree paths under which ``user`` holds any page permission (through a unit role)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return sorted(set(GroupPagePermission.objects.filter(group__user=user).values_list("page__path", flat=True)))


def own_pages_condition(user):
    """A filter for pages ``user``'s admin screens may name; None means every page."""
    if sees_every_unit(user, roles=ADMIN_ACROSS_UNITS):
        return None
    condition = Q(pk__in=[])
    for path in own_page_paths(user):
        condition |= Q(path__startswith=path)
    return condition


def may_name_in_admin(user, page):
    if sees_every_unit(user, roles=ADMIN_ACROSS_UNITS):
        return True
    return any(page.path.startswith(path) for path in own_page_paths(user))


class OwnPagesOnlyBulkAction:
    """A bulk action whose confirmation page ignores ids of pages outside the
    person's own sites, as if they did not exist (404 if nothing is left)."""

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        user = self.request.user
        objects = [page for page in objects if may_name_in_admin(user, page)]
        no_access = [page for page in extra.get("items_with_no_access", []) if may_name_in_admin(user, page)]
        if not objects and not no_access:
            raise Http404
        return objects, {**extra, "items_with_no_access": no_access}


class OwnPagesPublishBulkAction(OwnPagesOnlyBulkAction, PublishBulkAction):
    pass


class OwnPagesUnpublishBulkAction(OwnPagesOnlyBulkAction, UnpublishBulkAction):
    pass


class OwnPagesDeleteBulkAction(OwnPagesOnlyBulkAction, DeleteBulkAction):
    pass


class OwnPagesMoveBulkAction(OwnPagesOnlyBulkAction, MoveBulkAction):
    pass


BULK_ACTIONS = [OwnPagesPublishBulkAction, OwnPagesUnpublishBulkAction, OwnPagesDeleteBulkAction,
                OwnPagesMoveBulkAction]


class OwnPagesTypesUsageReportView(PageTypesUsageReportView):
    """The page-types report names, per type, the last edited page of the person's
    own sites instead of the last edited page anywhere."""

    def decorate_paginated_queryset(self, page_types):
        page_types = super().decorate_paginated_queryset(page_types)
        condition = own_pages_condition(self.request.user)
        if condition is None:
            return page_types
        for item in page_types:
            page = item.last_edited_page
            if page is not None and not may_name_in_admin(self.request.user, page):
                own = (
                    Page.objects.filter(condition, content_type_id=item.pk)
                    .order_by("-latest_revision_created_at", "title", "-pk")
                    .specific()
                    .first()
                )
                item.last_edited_page = own
        return page_types
