"""Writes of the hub: how a programme chases each kind of reminder (`ReminderRule`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalogue.models import Programme
from placements.reminders import ReminderRule
from wpl import audit, registry
from wpl.models import Membership


def save_rule(
    *, actor: Membership | None, programme: Programme, kind: str, days: int, steps: list[str], step_days: int
) -> ReminderRule:
    """Set how a programme chases one kind of reminder (steps must be roles the kind knows)."""
    known = registry.reminder_kind(kind)
    if known is None:
        raise ValidationError(_("Unknown kind of reminder."))
    if not steps or len(set(steps)) != len(steps) or any(s not in known.roles for s in steps):
        raise ValidationError(_("Choose who is told at each step, each person once."))
    if not (1 <= days <= 365 and 1 <= step_days <= 365):
        raise ValidationError(_("Give a number of days between 1 and 365."))
    with transaction.atomic():
        rule, _created = ReminderRule.objects.update_or_create(
            programme=programme,
            kind=kind,
            defaults={"days": days, "escalation": ",".join(steps), "step_days": step_days},
        )
        audit.record(
            actor=actor,
            action="placements.reminder_rule.save",
            obj=rule,
            summary=f"{programme} · {kind}",
            data={"days": days, "steps": steps, "step_days": step_days},
        )
    return rule


def reset_rule(*, actor: Membership | None, programme: Programme, kind: str) -> bool:
    """Back to the defaults: the programme's own rule for `kind` is removed."""
    with transaction.atomic():
        deleted, _rows = ReminderRule.objects.filter(programme=programme, kind=kind).delete()
        if deleted:
            audit.record(
                actor=actor, action="placements.reminder_rule.reset", summary=f"{programme} · {kind}"
            )
    return bool(deleted)
