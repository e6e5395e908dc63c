"""Figures for each role's start page: what needs doing next. A fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q

from matching.models import MatchingRound
from placements.models import Placement
from workplaces.models import PlacementOffer
from wpl import permissions as core
from wpl.models import Membership, Role


def start_figures(membership: Membership) -> dict:
    placements = Placement.objects.visible_to(membership)
    figures: dict = {"placement_count": placements.count()}
    if core.is_staff(membership):
        figures["offers_to_review"] = PlacementOffer.objects.filter(
            status=PlacementOffer.Status.SUBMITTED
        ).count()
    if core.is_school(membership) or membership.role == Role.STUDENT:
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
