from django.apps import AppConfig


class LivedataConfig(AppConfig):
    name = "livedata"
    verbose_name = "实时数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from orgs.scopes import register_scope

        from . import kinds

        for scope in kinds.SCOPES:
            register_scope(scope.code, scope.label, scope.description)
