from django.urls import path

from . import views

app_name = "letters"
urlpatterns = [
    path("", views.index, name="index"),
    path("write/<slug:code>/", views.write, name="write"),
    path("track/", views.track, name="track"),
    path("error-report/", views.error_report, name="error_report"),
    path("rate/", views.rate, name="rate"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("letters/", views.published, name="published"),
    path("letters/unit/<str:unit_code>/", views.published, name="published_unit"),
    path("letters/<str:serial>/", views.published_detail, name="published_detail"),
    path("stats/", views.stats, name="stats"),
]
