"""Who may do and see what: predicates per role plus the matching queryset filters.

Pages, the API and exports all ask this module; nothing else decides visibility.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wpl.models import Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from wpl.models import Membership

STAFF_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.COORDINATOR})
SCHOOL_ROLES = STAFF_ROLES | {Role.SUPERVISOR}
MFA_REQUIRED_ROLES = STAFF_ROLES


def is_staff(membership: Membership | None) -> bool:
    """Coordinators and institution admins run WPL for the whole institution."""
    return membership is not None and membership.role in STAFF_ROLES


def is_school(membership: Membership | None) -> bool:
    return membership is not None and membership.role in SCHOOL_ROLES


def is_institution_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.INSTITUTION_ADMIN


def can_view_people(membership: Membership | None) -> bool:
    return is_school(membership)


def visible_memberships(qs: QuerySet, membership: Membership) -> QuerySet:
    """School staff see the institution's people; others see only themselves."""
    if is_school(membership):
        return qs
    return qs.filter(user_id=membership.user_id)
