from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "政务公开"

    def ready(self):
        from portal import pagecache

        from .models import CatalogueNode, ContactPhone, InternalDepartment, LifeEvent, Theme, UnitPerson, UnitProfile

        # The profile's rows show on the 机构概况 pages and home pages; themes and
        # life events on the home pages' 办事服务. A leader's change is one edit
        # that every kept page showing them follows (a new page-cache generation).
        # A site's 政府信息公开 column shows its catalogue tree (disclosure/views.py).
        for model in (UnitProfile, InternalDepartment, UnitPerson, ContactPhone, Theme, LifeEvent,
                      UnitPerson.matters.through, CatalogueNode):
            pagecache.watch(model)
