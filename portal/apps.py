from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "网站内容"

    def ready(self):
        from . import receivers

        receivers.connect()
