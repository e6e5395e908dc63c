"""students.permissions."""

from __future__ import annotations

from django.db.models import QuerySet

from wpl import permissions as core
from wpl.models import Membership, Role


def can_view_students(membership: Membership | None) -> bool:
    """Student pages: school roles see the institution's students, a student only themselves."""
    return core.is_school(membership) or core.is_student(membership)


def can_list_students(membership: Membership | None) -> bool:
    """The whole list of students, its export and the API: school roles."""
    return core.is_school(membership)


def can_manage_students(membership: Membership | None) -> bool:
    """Create, edit, import and export students and workplaces: coordinators and admins."""
    return core.is_staff(membership)


def visible_students(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_school(membership):
        return qs
    if membership.role == Role.STUDENT:
        return qs.filter(user_id=membership.user_id)
    # Mentors and workplace contacts see students placed with them (added with placements).
    return qs.none()
