"""The public pages of live data: 便民服务 and each unit's boards (dynamic, never baked)."""

from django.urls import path

from . import views

app_name = "livedata"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:unit_code>/", views.unit_board, name="unit_board"),
]
