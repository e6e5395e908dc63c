"""Figures for each role's start page: what needs doing next. A fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q

from matching.models import MatchingRound
from placements.models import Placement
from placements.selectors import placements_short_of_hours
from workplaces.models import PlacementOffer
from wpl import permissions as core
from wpl.academic_years import current_academic_year
from wpl.models import Membership, Role


def start_figures(membership: Membership) -> dict:
    placements = Placement.objects.visible_to(membership)
    figures: dict = {"placement_count": placements.count()}
    if core.is_staff(membership):
        figures["offers_to_review"] = PlacementOffer.objects.filter(
            status=PlacementOffer.Status.SUBMITTED
        ).count()
        # Placements whose planned WPL hours stay below the programme year's required hours.
        figures["placements_short_of_hours"] = placements_short_of_hours(
            academic_year=current_academic_year()
        )
    if membership.role == Role.STUDENT:
        # Only rounds the student can act in: their programme and year, open, before the deadline.
        from django.utils import timezone

        from matching.selectors import rounds_for_student, student_for

        student = student_for(membership)
        figures["open_rounds"] = (
            rounds_for_student(membership=membership, student=student)
            .filter(status=MatchingRound.Status.OPEN)
            .filter(Q(preferences_deadline__isnull=True) | Q(preferences_deadline__gte=timezone.now()))
            .count()
            if student is not None
            else 0
        )
    elif core.is_school(membership):
        rounds = MatchingRound.objects.visible_to(membership).aggregate(
            open=Count("id", filter=Q(status=MatchingRound.Status.OPEN)),
            matching=Count("id", filter=Q(status=MatchingRound.Status.MATCHING)),
        )
        figures["open_rounds"] = rounds["open"] + rounds["matching"]
    if membership.role in (Role.STUDENT, Role.MENTOR, Role.ORG_ADMIN, Role.SUPERVISOR):
        figures["placements"] = list(
            placements.select_related("student", "organisation", "mentor").order_by("-academic_year")[:10]
        )
    return figures
