"""The admin's 实时数据 section (admin_views.py): its URLs and its menu item, shown to
those who edit some unit's live data. Registered from wagtail_hooks.py."""

from django.urls import include, path
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class LiveDataMenuItem(MenuItem):
    def is_shown(self, request):
        from .admin_views import may_use

        return may_use(request.user)


@hooks.register("register_admin_urls")
def register_live_admin_urls():
    from . import admin_views

    return [path("live/", include((admin_views.urlpatterns, "livedata_admin"), namespace="livedata_admin"))]


@hooks.register("register_admin_menu_item")
def register_live_menu_item():
    from django.urls import reverse_lazy

    return LiveDataMenuItem("实时数据", reverse_lazy("livedata_admin:index"), name="livedata", icon_name="time",
                            order=850)


@hooks.register("register_log_actions")
def register_live_actions(actions):
    from guard import audit

    from .services import LOG_ACTIONS

    for action, label, message in LOG_ACTIONS:
        audit.register_action(actions, action, label, message)
