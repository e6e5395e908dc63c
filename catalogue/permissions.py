"""catalogue.permissions."""

from __future__ import annotations

from django.db.models import QuerySet

from wpl import permissions as core
from wpl.models import Membership


def can_read_catalogue(membership: Membership | None) -> bool:
    """Programme and calendar pages: school roles (admins, coordinators, supervisors)."""
    return core.is_school(membership)


def can_manage_catalogue(membership: Membership | None) -> bool:
    """Programmes, calendars, units: institution admins and coordinators."""
    return core.is_staff(membership)


def visible_programmes(qs: QuerySet, membership: Membership) -> QuerySet:
    return qs
