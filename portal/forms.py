"""The admin page form: machine screening before a page goes to review."""

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm

from guard.screening import screen

# The buttons of Wagtail's editor that send a page onwards (not a plain draft save).
ONWARD_ACTIONS = ("action-submit", "action-publish", "action-restart-workflow", "action-workflow-action")


class ScreenedPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        if any(self.data.get(name) for name in ONWARD_ACTIONS):
            fields = {}
            for name in getattr(self.instance, "screened_fields", ("title",)):
                if name in cleaned and isinstance(cleaned[name], str):
                    fields[name] = cleaned[name]
            labels = {name: str(self.fields[name].label or name) if name in self.fields else name for name in fields}
            hits = screen({labels[name]: text for name, text in fields.items()})
            if hits:
                self.screening_hits = hits
                for hit in hits:
                    field = next(name for name, label in labels.items() if label == hit.field)
                    self.add_error(field if field in self.fields else None, hit.describe())
                raise forms.ValidationError("机器筛查未通过,请修改标出的内容后再提交审核。", code="screening")
        return cleaned
