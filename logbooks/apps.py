from django.apps import AppConfig


class LogbooksConfig(AppConfig):
    name = "logbooks"
    default_auto_field = "django.db.models.BigAutoField"
