"""What tells the bake that published pages changed.

Wagtail's publication signals name the page; a move or a deletion names the
subtree; a change to a site's identity, a column kind, a mailbox or a file that
pages show names the sites or pages concerned. Each becomes a ``PendingBake`` row
when the change commits (delivery.services.note_*)."""

import logging

log = logging.getLogger("delivery")


def page_published(sender, instance, **kwargs):
    from .services import note_page_change

    note_page_change(page_id=instance.pk, reason="published")


def page_unpublished(sender, instance, **kwargs):
    from .services import note_page_change

    note_page_change(page_id=instance.pk, reason="unpublished")


def page_moved(sender, instance, parent_page_before=None, **kwargs):
    """The page where it is now, and the column it left (whose listing showed it)."""
    from .services import note_page_change

    note_page_change(page_id=instance.pk, reason="moved")
    if parent_page_before is not None:
        note_page_change(page_id=parent_page_before.pk, reason="moved-from")


def page_deleting(sender, instance, **kwargs):
    """Before a page goes: its files and its parents' listings."""
    from .services import note_page_change, withdraw_subtree

    if not getattr(instance, "path", None):
        return
    withdraw_subtree(instance)
    parent = instance.get_parent() if instance.depth > 1 else None
    if parent is not None:
        note_page_change(page_id=parent.pk, reason="child-deleted")


def restriction_changed(sender, instance, **kwargs):
    from .services import note_page_change

    if instance.page_id:
        note_page_change(page_id=instance.page_id, reason="restriction")


def site_changed(sender, instance, **kwargs):
    """A site's identity (host, record, unit), a mailbox: the whole site's pages."""
    from .services import note_site_change

    for site_id in _sites_of(sender, instance):
        note_site_change(site_id=site_id, reason=sender._meta.model_name)


def referenced_changed(sender, instance, **kwargs):
    """A document or an image that pages show: the pages that use it."""
    from wagtail.models import Page, ReferenceIndex

    from .services import note_page_change

    try:
        references = ReferenceIndex.get_references_to(instance)
        page_ids = {int(r.object_id) for r in references if issubclass(r.model_class or object, Page)}
    except Exception:  # noqa: BLE001 - the sweep of whole sites catches what is missed here
        log.exception("finding the pages that show %r failed", instance)
        return
    for page_id in page_ids:
        note_page_change(page_id=page_id, reason=sender._meta.model_name)


def _sites_of(sender, instance):
    from wagtail.models import Site

    label = sender._meta.label
    if label == "wagtailcore.Site":
        return [instance.pk]
    if label == "orgs.SiteRecord":
        return [instance.site_id] if instance.site_id else []
    if label == "orgs.Unit":
        return list(Site.objects.filter(record__unit=instance).values_list("pk", flat=True))
    if label == "letters.Mailbox":
        sites = list(Site.objects.filter(record__unit_id=instance.unit_id).values_list("pk", flat=True))
        if getattr(instance, "is_mayor", False):
            sites = list(Site.objects.values_list("pk", flat=True))
        return sites
    if label == "portal.ColumnKind":
        from portal.models import ColumnPage

        paths = ColumnPage.objects.filter(kind=instance).values_list("path", flat=True)
        roots = {p[:8] for p in paths}
        return list(Site.objects.filter(root_page__path__in=roots).values_list("pk", flat=True))
    return list(Site.objects.values_list("pk", flat=True))


def connect():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save, pre_delete
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction
    from wagtail.signals import page_published as published, page_unpublished as unpublished, post_page_move

    published.connect(page_published, dispatch_uid="delivery.published")
    unpublished.connect(page_unpublished, dispatch_uid="delivery.unpublished")
    post_page_move.connect(page_moved, dispatch_uid="delivery.moved")
    pre_delete.connect(page_deleting, sender=Page, dispatch_uid="delivery.deleting")
    post_save.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="delivery.restriction.save")
    post_delete.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="delivery.restriction.delete")
    for label in ("wagtailcore.Site", "orgs.SiteRecord", "orgs.Unit", "portal.ColumnKind", "letters.Mailbox"):
        model = apps.get_model(label)
        post_save.connect(site_changed, sender=model, dispatch_uid=f"delivery.site.save.{label}")
    for label in ("portal.ColumnKind", "letters.Mailbox"):  # what leaves the sites' pages
        post_delete.connect(site_changed, sender=apps.get_model(label), dispatch_uid=f"delivery.site.delete.{label}")
    for model in (get_document_model(), get_image_model()):
        post_save.connect(referenced_changed, sender=model, dispatch_uid=f"delivery.ref.save.{model._meta.label}")
