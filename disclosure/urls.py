"""Disclosure's public dynamic pages (mounted at the root by cityplatform/urls.py).
Baked pages (guides, documents, the catalogue) are Wagtail pages; these are forms
and lookups: online pre-acceptance under /banshi/, applications for disclosure
under /xxgk/."""

from django.urls import path

from . import apply_views, views

app_name = "disclosure"
urlpatterns = [
    path("banshi/apply/<int:guide_id>/", apply_views.apply, name="form_apply"),
    path("banshi/track/", apply_views.track, name="form_track"),
    path("banshi/correct/", apply_views.correct, name="form_correct"),
    path("banshi/stats/", apply_views.stats, name="service_stats"),
    path("xxgk/apply/<str:unit_code>/", views.apply, name="apply"),
    path("xxgk/track/", views.track, name="track"),
    path("xxgk/clarify/", views.clarify, name="clarify"),
    path("xxgk/documents/<int:document_id>/", views.document, name="document"),
]
