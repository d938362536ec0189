"""Keeping denormalised tree facts true when Wagtail moves a page.

Wagtail's move saves the moved page as a plain ``Page``, so ``ContentPage.save`` does
not run; this receiver repoints ``parent_column`` instead. It changes no state of its
own, only a derived column that mirrors the tree (see docs/decisions.md).
"""

from wagtail.signals import post_page_move


def repoint_parent_column(sender, instance, parent_page_after, **kwargs):
    from .models import ColumnPage, ContentPage

    column_id = ColumnPage.objects.filter(pk=parent_page_after.pk).values_list("pk", flat=True).first()
    ContentPage.objects.filter(pk=instance.pk).update(parent_column_id=column_id)


def connect():
    post_page_move.connect(repoint_parent_column, dispatch_uid="portal.repoint_parent_column")


__all__ = ["connect"]
