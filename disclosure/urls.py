"""Disclosure's public dynamic pages (mounted under /banshi/ by cityplatform/urls.py).
Baked pages (guides, documents) are Wagtail pages; these are forms and lookups."""

from django.urls import path

from . import apply_views

app_name = "disclosure"
urlpatterns = [
    path("apply/<int:guide_id>/", apply_views.apply, name="form_apply"),
    path("track/", apply_views.track, name="form_track"),
    path("correct/", apply_views.correct, name="form_correct"),
    path("stats/", apply_views.stats, name="service_stats"),
]
