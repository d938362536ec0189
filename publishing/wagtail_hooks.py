from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_urls():
    return [path("register/", views.register_index, name="publication_register")]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return MenuItem("发布登记", reverse("publication_register"), icon_name="list-ul", order=900)
