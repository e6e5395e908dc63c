"""Who may do what with meetings (visibility itself: Meeting.objects.visible_to)."""

from __future__ import annotations

from wpl import permissions as core
from wpl.models import Role


def can_manage_placement_meetings(membership, placement) -> bool:
    """Staff, and the placement's own supervisor, plan, move, cancel and minute meetings."""
    if membership is None or placement is None:
        return core.is_staff(membership)
    return core.is_staff(membership) or (
        membership.role == Role.SUPERVISOR and placement.supervisor_id == membership.pk
    )


def can_manage_meeting(membership, meeting) -> bool:
    if meeting.placement_id is None:
        return core.is_staff(membership) or meeting.organiser_id == getattr(membership, "user_id", None)
    return can_manage_placement_meetings(membership, meeting.placement)


def can_see_coverage(membership) -> bool:
    return core.is_staff(membership)
