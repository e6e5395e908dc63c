"""Writes of the platform core."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wpl import audit, freshness
from wpl.models import Heartbeat, Institution, Membership, User

# Public functions here that are not write services of a person (tests/test_audit_trail.py).
NOT_ACTOR_SERVICES = {
    "switch_membership": "changes only the person's session (which of their own roles is active)",
    "record_heartbeat": "the system's liveness mark for a periodic task",
}


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
    # "institution:<id>" shows on that institution's start page (wpl.freshness).
    scope, _, institution_id = name.partition(":")
    if scope == "institution" and institution_id.isdigit():
        freshness.changed(int(institution_id))


@transaction.atomic
def update_institution_branding(
    *,
    actor: Membership,
    name: str,
    accent_colour: str,
    logo=None,
    remove_logo: bool = False,
) -> Institution:
    """Set the active institution's name, accent colour and logo (institution admins only).

    `logo` is an uploaded file already checked by `wpl.branding.validate_logo`; the old
    logo file is deleted when it is replaced or removed.
    """
    from django.core.exceptions import PermissionDenied

    from wpl import permissions
    from wpl.branding import validate_accent_colour

    if not permissions.is_institution_admin(actor):
        raise PermissionDenied
    institution = Institution.objects.select_for_update().get(pk=actor.institution_id)
    institution.name = name.strip()
    institution.accent_colour = validate_accent_colour(accent_colour) if accent_colour else ""
    old_logo = institution.logo.name if institution.logo else ""
    if logo is not None:
        institution.logo.save(logo.name, logo, save=False)
    elif remove_logo:
        institution.logo = ""
    institution.save(update_fields=["name", "accent_colour", "logo"])
    if old_logo and old_logo != (institution.logo.name or ""):
        storage = institution.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    audit.record(actor=actor, action="wpl.institution.branding", obj=institution, summary=institution.name)
    return institution
