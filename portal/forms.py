"""The admin page form: machine screening before a page goes to review, and a
notion of "changed" that only a real edit of the content satisfies."""

import datetime
import re

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.fields import RichTextField

from guard.screening import screen_page

from .hooks import before_page_create

# The buttons of Wagtail's editor that send a page onwards (not a plain draft save).
ONWARD_ACTIONS = ("action-submit", "action-publish", "action-restart-workflow", "action-workflow-action")


# Draftail numbers its blocks; the numbers identify blocks for comments, they are
# not content, and a page stored by a service or the API has none until the editor
# first round-trips it.
BLOCK_KEY = re.compile(r'\s+data-block-key="[^"]*"')


def _without_block_keys(value):
    return BLOCK_KEY.sub("", value or "")


def _rich_text_has_changed(field):
    plain_has_changed = field.has_changed

    def has_changed(initial, data):
        return plain_has_changed(_without_block_keys(initial), _without_block_keys(field.to_python(data)))

    return has_changed


class ScreenedPageForm(WagtailAdminPageForm):
    """With re-approval on edit, "the form has changed" decides whether a reviewer's
    approval in the editor approves or restarts the review, so only a change of
    content may count: see ``_make_unchanged_content_compare_equal``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._make_unchanged_content_compare_equal()
        if "also_in" in self.fields:
            self._label_placement_choices(self.fields["also_in"])

    def _make_unchanged_content_compare_equal(self):
        """Three things made an untouched form count as changed:

        - a model field with a callable default (``pub_date = timezone.now``) gets
          ``show_hidden_initial``, so Django compares the post with a hidden
          ``initial-<name>`` input that Wagtail's panels never render: always "changed";
        - the admin's date-time widget shows minutes, the stored time has seconds;
        - rich text stored without Draftail's block keys comes back with new ones.
        """
        model = self._meta.model
        for name, field in self.fields.items():
            field.show_hidden_initial = False
            try:
                model_field = model._meta.get_field(name)
            except Exception:  # a form-only field
                continue
            if isinstance(model_field, RichTextField):
                field.has_changed = _rich_text_has_changed(field)

    def get_initial_for_field(self, field, field_name):
        value = super().get_initial_for_field(field, field_name)
        widget_format = getattr(field.widget, "format", None)
        if isinstance(value, datetime.datetime) and widget_format and "%S" not in widget_format:
            value = value.replace(second=0, microsecond=0)
        return value

    def save(self, commit=True):
        """Wagtail writes a draft onto the page row only while the page is not live.
        It decides that from the page as loaded at the start of the request; a page
        published meanwhile (a second, concurrent approval of the same step) would be
        written back as a draft, unpublished. Decide from the row as it is now."""
        if commit and self.instance.pk and not self.instance.live:
            from wagtail.models import Page

            if Page.objects.filter(pk=self.instance.pk, live=True).exists():
                commit = False
        if self.instance.pk is None and self.parent_page is not None:
            # A page created in the editor gets what one created by page_create gets
            # from the apps above portal (disclosure: a document's 索引号).
            before_page_create(parent=self.parent_page, page=self.instance)
        return super().save(commit=commit)

    def _label_placement_choices(self, field):
        """Offer only columns of other sites that accept placements, named "site · column"."""
        from wagtail.models import Page

        home_length = 8  # treebeard keeps 4 characters a level; site homes sit at depth 2
        anchor = self.instance if self.instance.pk else getattr(self, "parent_page", None)
        own_home = anchor.path[:home_length] if anchor is not None and anchor.path else None
        columns = [c for c in field.queryset.live().only("id", "path", "title") if c.path[:home_length] != own_home]
        homes = dict(Page.objects.filter(depth=2).values_list("path", "title"))
        names = {c.pk: f"{homes.get(c.path[:home_length], '')} · {c.title}" for c in columns}
        field.queryset = field.queryset.filter(pk__in=names)
        field.label_from_instance = lambda column: names.get(column.pk, column.title)

    def clean(self):
        cleaned = super().clean()
        if any(self.data.get(name) for name in ONWARD_ACTIONS):
            fields = {}
            for name in getattr(self.instance, "screened_fields", ("title",)):
                if name in cleaned and isinstance(cleaned[name], str):
                    fields[name] = cleaned[name]
            labels = {name: str(self.fields[name].label or name) if name in self.fields else name for name in fields}
            hits = screen_page(self.instance, values=fields, labels=labels)
            if hits:
                self.screening_hits = hits
                for hit in hits:
                    field = next(name for name, label in labels.items() if label == hit.field)
                    self.add_error(field if field in self.fields else None, hit.describe())
                raise forms.ValidationError("机器筛查未通过,请修改标出的内容后再提交审核。", code="screening")
        return cleaned
