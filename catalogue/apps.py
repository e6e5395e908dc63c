from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wpl import registry

        # first: programmes that other seeders build on
        registry.register_demo_seeder("catalogue.demo.seed", order=10)
