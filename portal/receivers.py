"""Keeping denormalised tree facts true when Wagtail moves a page.

Wagtail's move saves the moved page as a plain ``Page``, so ``ContentPage.save`` does
not run; a receiver repoints ``parent_column`` instead. It changes no state of its
own, only a derived column that mirrors the tree (see docs/decisions.md). Another
drops the cached site addresses when a site changes, as Wagtail does for its own
site root paths; and any change that can alter a public page starts a new
generation of the page cache (portal/pagecache.py).
"""

from wagtail.signals import post_page_move


def repoint_parent_column(sender, instance, parent_page_after, **kwargs):
    from .models import ColumnPage, ContentPage

    column_id = ColumnPage.objects.filter(pk=parent_page_after.pk).values_list("pk", flat=True).first()
    ContentPage.objects.filter(pk=instance.pk).update(parent_column_id=column_id)


def forget_site_addresses(sender, **kwargs):
    from django.core.cache import cache

    from .addresses import SITE_ADDRESSES_CACHE_KEY

    cache.delete(SITE_ADDRESSES_CACHE_KEY)


def connect():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished

    from . import pagecache

    # Anything that can change a public page starts a new page-cache generation.
    page_published.connect(pagecache.invalidate, dispatch_uid="portal.pagecache.published")
    page_unpublished.connect(pagecache.invalidate, dispatch_uid="portal.pagecache.unpublished")
    post_page_move.connect(pagecache.forget_restrictions, dispatch_uid="portal.pagecache.moved")  # paths change
    post_delete.connect(pagecache.invalidate, sender=Page, dispatch_uid="portal.pagecache.deleted")
    post_save.connect(pagecache.forget_restrictions, sender=PageViewRestriction, dispatch_uid="portal.pagecache.r1")
    post_delete.connect(pagecache.forget_restrictions, sender=PageViewRestriction, dispatch_uid="portal.pagecache.r2")
    # Apps above portal watch their own models (letters/apps.py: mailboxes).
    for label in ("wagtailcore.Site", "orgs.SiteRecord", "orgs.Unit", "portal.ColumnKind"):
        pagecache.watch(apps.get_model(label))
    # A page links its documents and shows its images by their file names.
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    pagecache.watch(get_document_model())
    pagecache.watch(get_image_model())
    # A new alias takes its source's view restrictions (PlatformPage.get_view_restrictions).
    post_save.connect(_alias_saved, dispatch_uid="portal.pagecache.alias")

    post_page_move.connect(repoint_parent_column, dispatch_uid="portal.repoint_parent_column")
    post_save.connect(forget_site_addresses, sender=Site, dispatch_uid="portal.forget_site_addresses_save")
    post_delete.connect(forget_site_addresses, sender=Site, dispatch_uid="portal.forget_site_addresses_delete")


def _alias_saved(sender, instance, created, **kwargs):
    from wagtail.models import Page

    from . import pagecache

    if created and isinstance(instance, Page) and instance.alias_of_id:
        pagecache.invalidate()


__all__ = ["connect"]
