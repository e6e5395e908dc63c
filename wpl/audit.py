"""The audit trail: every write service records who did what through `record()`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from wpl.models import AuditEvent

if TYPE_CHECKING:
    from wpl.models import Membership


def record(
    *,
    actor: Membership | None,
    action: str,
    obj: models.Model | None = None,
    summary: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the active institution's trail.

    `actor` is the acting membership (None for the system: sweeps, the seeder);
    `action` is a dotted verb such as ``logbook.entry.approve``.
    """
    return AuditEvent.objects.create(
        actor_user_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        summary=summary[:300],
        data=data or {},
    )
