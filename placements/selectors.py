"""Reads of placements."""

from __future__ import annotations

from django.db.models import QuerySet

from placements.models import Placement
from wpl.models import Membership


def student_placements(*, membership: Membership) -> QuerySet[Placement]:
    return (
        Placement.objects.visible_to(membership)
        .filter(student__user_id=membership.user_id)
        .select_related("organisation", "site", "mentor", "supervisor__user", "programme")
        .order_by("-academic_year", "year")
    )
