from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from agreements import permissions, reminders, services
        from agreements.start import start_items
        from wpl.registry import (
            NavEntry,
            register_demo_seeder,
            register_nav,
            register_reminder_kind,
            register_reminder_sweep,
            register_start_items,
        )

        register_nav(
            NavEntry(
                label=_("Agreements"),
                url_name="agreement-list",
                visible=permissions.can_view_agreements,
                order=60,
            )
        )
        register_start_items(start_items)
        register_demo_seeder("agreements.demo.seed", order=60)
        register_reminder_sweep("agreements.integrity", services.check_integrity)
        register_reminder_kind(reminders.KIND)
        register_reminder_sweep("agreements.unsigned", reminders.remind_unsigned)
