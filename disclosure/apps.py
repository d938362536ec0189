from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "政务公开"

    def ready(self):
        from portal import pagecache

        from .models import CatalogueNode

        # A site's 政府信息公开 column shows its tree (disclosure/views.py).
        pagecache.watch(CatalogueNode)
