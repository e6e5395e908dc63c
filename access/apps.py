from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Access")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from access import start
        from wpl import registry

        # the coordinator's "N students have not signed in yet"
        registry.register_start_context(start.not_signed_in_context)
        # invited students who have not signed in yet; an example single sign-on
        registry.register_demo_seeder("access.demo.seed", order=20)
