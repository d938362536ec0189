from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .queries import may_read_events


class IntegrityMenuItem(MenuItem):
    def is_shown(self, request):
        return may_read_events(request.user)


@hooks.register("register_admin_urls")
def register_urls():
    return [path("delivery/", include((admin_views.urlpatterns, "delivery_admin"), namespace="delivery_admin"))]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return IntegrityMenuItem("防篡改事件", reverse("delivery_admin:index"), name="integrity-events", icon_name="warning",
                             order=890)
