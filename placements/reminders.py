"""Reminder settings per programme: after how many days, and who is told at each step."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.models import Programme, ProgrammeChildQuerySet
from wpl.tenancy import TenantModel, scoped_managers


class ReminderRule(TenantModel):
    """How a programme chases one kind of reminder (`kind`, e.g. ``logbook.gap``).

    The first reminder goes out after `days` (WPL days or calendar days, as the sweep of
    that kind counts them) to the first role of `escalation`; every `step_days` later
    without progress the next role is told as well. Without a rule the sweep's defaults
    apply (`rules_for`). The kinds and the roles each can escalate to are registered by
    the apps that send them (`wpl.registry.register_reminder_kind`).
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reminder_rules")
    kind = models.CharField(_("reminder"), max_length=60)
    days = models.PositiveSmallIntegerField(
        _("after (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    # Roles in order, comma-separated, e.g. "student,mentor,supervisor".
    escalation = models.CharField(_("escalation steps"), max_length=120)
    step_days = models.PositiveSmallIntegerField(
        _("days between steps"), default=3, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    objects, all_tenants = scoped_managers(ProgrammeChildQuerySet)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="reminder_rule_unique_kind")
        ]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")

    def __str__(self) -> str:
        return f"{self.programme} · {self.kind}"

    @property
    def steps(self) -> list[str]:
        return [s.strip() for s in self.escalation.split(",") if s.strip()]


@dataclass(frozen=True)
class Rule:
    days: int
    steps: tuple[str, ...]
    step_days: int


def default_rule(kind: str) -> Rule | None:
    """The defaults of a kind registered with `wpl.registry.register_reminder_kind`."""
    from wpl import registry

    found = registry.reminder_kind(kind)
    return Rule(found.days, tuple(found.steps), found.step_days) if found else None


def rules_for(
    programme_ids: Iterable[int],
    kind: str,
    *,
    default: Rule | None = None,
    per_programme: dict[int, Rule] | None = None,
) -> dict[int, Rule]:
    """The rule per programme for `kind` (one query).

    A programme without a saved rule gets its entry in `per_programme` (e.g. the days of
    its logbook settings), else `default`, else the registered kind's defaults.
    """
    ids = set(programme_ids)
    fallback = default or default_rule(kind)
    if fallback is None:
        raise LookupError(f"No default for reminder kind {kind!r}")
    per_programme = per_programme or {}
    found = {
        r.programme_id: Rule(r.days, tuple(r.steps) or fallback.steps, r.step_days)
        for r in ReminderRule.objects.filter(programme_id__in=ids, kind=kind)
    }
    return {pk: found.get(pk) or per_programme.get(pk, fallback) for pk in ids}


def rule_for_kind(programme_id: int, kind: str) -> Rule:
    """One programme's rule for `kind` (for a sweep added later, e.g. evaluations)."""
    return rules_for([programme_id], kind)[programme_id]


def due_steps(
    rule: Rule, *, nth_day: Callable[[int], date | None], today: date
) -> list[tuple[int, str, date]]:
    """[(step index, role, due date)] of the escalation steps due by `today`.

    `nth_day(n)` answers the date on which n days (WPL days or calendar days, the sweep's
    choice) have passed since the item became pending, or None when that never happens.
    """
    steps = []
    for index, role in enumerate(rule.steps):
        due = nth_day(rule.days + index * rule.step_days)
        if due is None or due > today:
            break
        steps.append((index, role, due))
    return steps


# --- the programme's reminder settings page ------------------------------------------------
ROLE_LABELS = {
    "student": _("the student"),
    "mentor": _("the mentor"),
    "supervisor": _("the supervisor"),
    "organiser": _("the organiser"),
    "signer": _("whoever still has to sign"),
    "coordinator": _("the coordinators"),
}


def saved_rules(programme_id: int) -> dict[str, ReminderRule]:
    return {r.kind: r for r in ReminderRule.objects.filter(programme_id=programme_id)}
