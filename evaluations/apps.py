"""Rubrics, assessments, scores and reflections."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    """Evaluations: registers navigation, start-page items and demo data."""

    name = "evaluations"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from evaluations import permissions
        from evaluations.start import start_items
        from wpl.registry import NavEntry, register_demo_seeder, register_nav, register_start_items

        register_nav(
            NavEntry(
                label=_("Evaluations"),
                url_name="evaluation-list",
                visible=permissions.can_see_evaluations,
                order=65,
            )
        )
        register_nav(
            NavEntry(
                label=_("Rubrics"), url_name="rubric-list", visible=permissions.can_author_rubrics, order=66
            )
        )
        register_start_items(start_items)
        register_demo_seeder("evaluations.demo.seed", order=70)
        from evaluations.selectors import workplace_feedback
        from wpl.registry import register_workplace_feedback

        register_workplace_feedback(workplace_feedback)
