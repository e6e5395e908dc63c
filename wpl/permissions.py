"""Who may do and see what: predicates per role plus the matching queryset filters.

Pages, the API and exports all ask this module; nothing else decides visibility.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wpl.models import Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from wpl.models import Membership

# A role-level predicate: may this membership (None: nobody signed in) use a page or endpoint?
# Pages use it through `wpl.views.permission_required`, the API through
# `wpl.api.PredicatePermission`; apps build theirs in their own `permissions.py` from these.
Predicate = Callable[["Membership | None"], bool]

STAFF_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.COORDINATOR})
SCHOOL_ROLES = STAFF_ROLES | {Role.SUPERVISOR}
MFA_REQUIRED_ROLES = STAFF_ROLES


def has_role(*roles: str) -> Predicate:
    """A predicate true for memberships holding one of `roles` (the only place roles are compared)."""
    wanted = frozenset(roles)

    def predicate(membership: Membership | None) -> bool:
        return membership is not None and membership.role in wanted

    predicate.__name__ = "has_role_" + "_".join(sorted(wanted))
    return predicate


def any_of(*predicates: Predicate) -> Predicate:
    """True when one of `predicates` is."""

    def predicate(membership: Membership | None) -> bool:
        return any(p(membership) for p in predicates)

    predicate.__name__ = "any_of_" + "_".join(p.__name__ for p in predicates)
    return predicate


def is_member(membership: Membership | None) -> bool:
    """Anyone with a role in the active institution."""
    return membership is not None


def is_student(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.STUDENT


def is_supervisor(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.SUPERVISOR


def is_mentor(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.MENTOR


def is_org_admin(membership: Membership | None) -> bool:
    """The workplace contact (organisation admin) of a host organisation."""
    return membership is not None and membership.role == Role.ORG_ADMIN


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
