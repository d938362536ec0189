from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "单位与网站"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from . import groups, naming

        naming.install()
        # A guard, not a writer: any change of a user's groups that orgs.groups.sync
        # does not make is refused (memberships are the only source of groups).
        m2m_changed.connect(groups.refuse_stray_changes, sender=get_user_model().groups.through,
                            dispatch_uid="orgs.groups.refuse_stray_changes")
