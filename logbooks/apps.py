from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogbooksConfig(AppConfig):
    """The daily logbook: registers its navigation, start-page items, reminder sweep and demo data."""

    name = "logbooks"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Logbooks")

    def ready(self) -> None:
        from logbooks import permissions, reminders, services, start
        from wpl import permissions as core
        from wpl.registry import (
            NavEntry,
            register_absence_provider,
            register_demo_seeder,
            register_insurance_provider,
            register_nav,
            register_reminder_kind,
            register_reminder_sweep,
            register_start_items,
        )

        register_nav(
            NavEntry(label=_("Logbook"), url_name="logbook", visible=permissions.is_student, order=20)
        )
        register_nav(
            NavEntry(
                label=_("Review logbooks"), url_name="logbook-review", visible=permissions.is_mentor, order=20
            )
        )
        register_nav(
            NavEntry(label=_("Logbooks"), url_name="logbook-overview", visible=core.is_school, order=60)
        )
        register_start_items(start.start_items)
        for kind in reminders.KINDS:
            register_reminder_kind(kind)
        register_reminder_sweep("logbooks.not_logged", reminders.remind_not_logged)
        register_reminder_sweep("logbooks.review_waiting", reminders.remind_review_waiting)
        # Full-day absences are not WPL days when reminders count gaps (placements.wpl_days).
        register_absence_provider(reminders.absence_days)
        register_insurance_provider(services.insurance_fields)
        register_demo_seeder("logbooks.demo.seed", order=60)
        from logbooks.selectors import evidence_options
        from wpl.registry import register_evidence_provider

        register_evidence_provider(evidence_options)
