from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality checklist")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wpl import registry

        registry.register_demo_seeder("quality.demo.seed", order=12)
