from django.apps import AppConfig


class CityPlatformConfig(AppConfig):
    name = "cityplatform"
    verbose_name = "平台"
