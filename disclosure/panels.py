"""Admin panels of disclosure's page types."""

from wagtail.admin.panels import Panel


class CompletenessPanel(Panel):
    """The completeness check of the guide being edited, at the top of the editor: the
    missing elements (which keep the guide from being published) and the vague wording
    (a warning). It reads the revision the editor opened, so a saved draft shows its
    flags the next time it is opened."""

    @property
    def clean_name(self):
        return super().clean_name or "completeness"

    class BoundPanel(Panel.BoundPanel):
        template_name = "disclosure/admin/completeness_panel.html"

        def get_context_data(self, parent_context=None):
            from .guides import guide_completeness

            context = super().get_context_data(parent_context)
            context["result"] = guide_completeness(self.instance) if self.instance.pk else None
            return context
