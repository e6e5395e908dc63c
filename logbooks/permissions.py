"""Who sees and does what in the logbook. Built on the placement's visibility."""

from __future__ import annotations

from django.db.models import QuerySet

from wpl import permissions as core
from wpl.models import Membership


def _placements(membership: Membership):
    from placements.models import Placement

    return Placement.objects.visible_to(membership)


def visible_by_placement(qs: QuerySet, membership: Membership, path: str = "placement") -> QuerySet:
    """Rows of placements `membership` sees (staff all, supervisor own, mentor theirs, student own)."""
    if membership is None:
        return qs.none()
    if core.is_staff(membership):
        return qs
    return qs.filter(**{f"{path}__in": _placements(membership)})


def visible_sick_notes(qs: QuerySet, membership: Membership) -> QuerySet:
    """Sick notes: the coordinator (and institution admin) only; nobody else, not even the mentor."""
    return qs if core.is_staff(membership) else qs.none()


is_student = core.is_student
is_mentor = core.is_mentor


def can_write_entry(membership: Membership | None, placement) -> bool:
    """Only the student of the placement writes its logbook."""
    return is_student(membership) and placement.student.user_id == membership.user_id


def can_review(membership: Membership | None, placement) -> bool:
    """Approve or send back: the placement's own mentor."""
    return (
        is_mentor(membership)
        and placement.mentor_id is not None
        and placement.mentor.user_id == membership.user_id
    )


def can_comment(membership: Membership | None, placement) -> bool:
    """Mentors of the placement, its supervisor and staff comment; the student answers by editing."""
    return can_review(membership, placement) or core.is_school(membership)


def can_write_reviews(membership: Membership | None) -> bool:
    """Review steps through the API: mentors (approve, send back, reopen, comment) and the
    school's roles (comment); the entry's own placement is checked by the service."""
    return is_mentor(membership) or core.is_school(membership)


def can_write_absences(membership: Membership | None) -> bool:
    """Absences through the API: the student reports them, staff mark the attest received."""
    return is_student(membership) or core.is_staff(membership)


def can_see_logbook_pages(membership: Membership | None) -> bool:
    return membership is not None


def can_see_overview(membership: Membership | None) -> bool:
    """The coordinator's list of students who fall behind."""
    return core.is_school(membership)


def can_open_sick_note(membership: Membership | None) -> bool:
    return core.is_staff(membership)


def can_edit_settings(membership: Membership | None) -> bool:
    """The logbook rules of a programme: coordinators and institution admins."""
    return core.is_staff(membership)
