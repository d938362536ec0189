from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("apply/<str:unit_code>/", views.apply, name="apply"),
    path("track/", views.track, name="track"),
    path("clarify/", views.clarify, name="clarify"),
    path("documents/<int:document_id>/", views.document, name="document"),
]
