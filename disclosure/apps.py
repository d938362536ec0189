from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "政务公开"

    def ready(self):
        from portal import pagecache

        from .models import LifeEvent, Theme

        # Every services column lists the themes and life events (disclosure/wagtail_hooks.py).
        for model in (Theme, LifeEvent):
            pagecache.watch(model)
