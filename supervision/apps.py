from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "网站监管"
    default_auto_field = "django.db.models.BigAutoField"
