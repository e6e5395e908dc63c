from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from matching.start import start_figures
        from wpl import registry

        registry.register_start_context(start_figures)
        registry.register_demo_seeder("matching.demo.seed", order=13)  # after the other seeders
