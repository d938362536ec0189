"""Wagtail's users app with the platform's user and group viewsets (see
``orgs.adminusers``). Listed in INSTALLED_APPS instead of ``wagtail.users``, as
Wagtail's documentation for custom user forms asks; kept in a module of its own so
that ``orgs.apps`` holds one app config only."""

from wagtail.users.apps import WagtailUsersAppConfig


class PlatformUsersConfig(WagtailUsersAppConfig):
    user_viewset = "orgs.adminusers.PlatformUserViewSet"
    group_viewset = "orgs.adminusers.PlatformGroupViewSet"
