"""Who may do what with rubrics and evaluations (visibility itself: the querysets' visible_to)."""

from __future__ import annotations

from wpl import permissions as core
from wpl.models import Membership, Role


def is_student(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.STUDENT


def is_mentor(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.MENTOR


def can_see_evaluations(membership: Membership | None) -> bool:
    return membership is not None and (
        core.is_school(membership) or membership.role in (Role.MENTOR, Role.STUDENT)
    )


def can_author_rubrics(membership: Membership | None) -> bool:
    """Coordinators and institution admins write rubrics and the programme's rules."""
    return core.is_staff(membership)


def can_see_rubrics(membership: Membership | None) -> bool:
    return core.is_school(membership)


def party_of(membership: Membership | None, placement) -> str | None:
    """ "mentor" or "student" when `membership` fills this placement's rubric, else None."""
    if membership is None:
        return None
    if (
        membership.role == Role.MENTOR
        and placement.mentor_id
        and placement.mentor.user_id == membership.user_id
    ):
        return "mentor"
    if membership.role == Role.STUDENT and placement.student.user_id == membership.user_id:
        return "student"
    return None


def can_lead(membership: Membership | None, placement) -> bool:
    """Record the meeting, score and publish: staff and the placement's own supervisor."""
    if core.is_staff(membership):
        return True
    return (
        membership is not None
        and membership.role == Role.SUPERVISOR
        and placement.supervisor_id == membership.pk
    )


def can_fill(membership: Membership | None) -> bool:
    """Mentors and students fill rubrics (each only their own placements')."""
    return is_mentor(membership) or is_student(membership)


def can_see_overview(membership: Membership | None) -> bool:
    """The competence overview: the school, and a student their own."""
    return core.is_school(membership) or is_student(membership)


def can_lead_evaluations(membership: Membership | None) -> bool:
    """Meeting, score and publication pages: the school (the object check is `can_lead`)."""
    return core.is_school(membership)
