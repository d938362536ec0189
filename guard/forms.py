"""Wagtail's document and image forms, routed through the one upload check."""

from django import forms
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from orgs.errors import DomainError

from .services import check_uploaded_file


class _CheckedFileMixin:
    allowed_extensions = None

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is not None and hasattr(uploaded, "content_type"):
            try:
                check_uploaded_file(uploaded, allowed=self.allowed_extensions)
            except DomainError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
        return uploaded


class CheckedDocumentForm(_CheckedFileMixin, BaseDocumentForm):
    pass


class CheckedImageForm(_CheckedFileMixin, BaseImageForm):
    allowed_extensions = {"jpg", "jpeg", "png", "gif", "webp"}
