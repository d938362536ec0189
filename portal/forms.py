"""The admin page form: machine screening before a page goes to review."""

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm

from guard.screening import screen_page

# The buttons of Wagtail's editor that send a page onwards (not a plain draft save).
ONWARD_ACTIONS = ("action-submit", "action-publish", "action-restart-workflow", "action-workflow-action")


class ScreenedPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "also_in" in self.fields:
            self._label_placement_choices(self.fields["also_in"])

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
