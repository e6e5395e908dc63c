"""Who may see and do what with agreements and plans (pages, exports and batches use it)."""

from __future__ import annotations

from django.db.models import QuerySet

from wpl import permissions as core
from wpl.models import Membership


def can_manage_templates(membership: Membership | None) -> bool:
    """Templates and the seal certificate: the institution admin (and coordinators)."""
    return core.is_staff(membership)


def can_manage_seal(membership: Membership | None) -> bool:
    """The sealing certificate: the institution admin only."""
    return core.is_institution_admin(membership)


def can_manage_agreements(membership: Membership | None) -> bool:
    """Draw up, send, amend, record outside signatures and export: coordinators and admins."""
    return core.is_staff(membership)


def can_view_agreements(membership: Membership | None) -> bool:
    return membership is not None


def visible_agreements(qs: QuerySet, membership: Membership) -> QuerySet:
    """An agreement is visible exactly when its placement is (see placements.permissions)."""
    from placements.models import Placement

    return qs.filter(placement__in=Placement.objects.visible_to(membership))
