from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "单位与网站"

    def ready(self):
        from . import naming

        naming.install()
