"""Writes of the platform core."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wpl.models import Heartbeat, Membership, User


class SwitchRefused(Exception):
    """The person asked to switch to an institution or role they do not hold."""


def switch_membership(*, session, user: User, membership_id: int) -> Membership:
    """Make one of the user's own memberships the active one for this session."""
    membership = (
        Membership.all_tenants.filter(
            pk=membership_id, user=user, is_active=True, institution__is_active=True
        )
        .select_related("institution")
        .first()
    )
    if membership is None:
        raise SwitchRefused
    from wpl.middleware import SESSION_KEY

    session[SESSION_KEY] = membership.pk
    return membership


@transaction.atomic
def record_heartbeat(*, name: str) -> None:
    updated = Heartbeat.objects.filter(name=name).update(last_run_at=timezone.now(), runs=F("runs") + 1)
    if not updated:
        Heartbeat.objects.create(name=name, last_run_at=timezone.now(), runs=1)
