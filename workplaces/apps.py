from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplacesConfig(AppConfig):
    name = "workplaces"
    verbose_name = _("Workplaces")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wpl import registry

        registry.register_demo_seeder("workplaces.demo.seed", order=11)
