from django.db.models import Q
from wagtail import hooks
from wagtail.models import GroupPagePermission

from .pagecache import mark_cacheable


@hooks.register("before_serve_page")
def page_cache_may_keep(page, request, serve_args, serve_kwargs):
    mark_cacheable(request, page)


@hooks.register("construct_page_chooser_queryset")
def chooser_shows_live_pages_and_own_drafts(pages, request):
    """The page chooser lists every page by default; another unit's drafts are
    not for everyone's eyes. Offer live pages everywhere and the user's own
    unit's pages in any state."""
    user = request.user
    if user.is_superuser:
        return pages
    roots = GroupPagePermission.objects.filter(group__user=user).values_list("page__path", flat=True)
    own = Q()
    for path in set(roots):
        own |= Q(path__startswith=path)
    return pages.filter(Q(live=True) | own) if roots else pages.filter(live=True)
