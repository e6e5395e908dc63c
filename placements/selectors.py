"""Reads of placements."""

from __future__ import annotations

from django.db.models import QuerySet

from catalogue.models import AcademicCalendar, ProgrammeYear
from catalogue.selectors import YearPlan, holiday_dates, plan_for_year, public_holidays
from placements.models import Placement
from wpl.models import Membership


def student_placements(*, membership: Membership) -> QuerySet[Placement]:
    return (
        Placement.objects.visible_to(membership)
        .filter(student__user_id=membership.user_id)
        .select_related("organisation", "site", "mentor", "supervisor__user", "programme")
        .order_by("-academic_year", "year")
    )


def placements_short_of_hours(*, academic_year: str) -> int:
    """How many placements of `academic_year` plan fewer WPL hours than their programme year
    requires (each placement's own start and end dates count). At most five queries, whatever
    the number of placements; one when no programme year records required hours."""
    years = {
        (py.programme_id, py.year): py
        for py in ProgrammeYear.objects.filter(required_hours__isnull=False, required_hours__gt=0)
    }
    if not years:
        return 0
    calendar = (
        AcademicCalendar.objects.filter(academic_year=academic_year)
        .prefetch_related("class_days", "holidays")
        .first()
    )
    if calendar is None:
        return 0
    class_days = list(calendar.class_days.all())
    school = holiday_dates(calendar.holidays.all())
    public = set(public_holidays(academic_year))
    plans: dict[tuple, YearPlan] = {}
    short = 0
    for placement in (
        Placement.objects.filter(academic_year=academic_year, wpl_unit__isnull=True)
        .select_related("programme")
        .only("programme", "year", "start_date", "end_date")
    ):
        programme_year = years.get((placement.programme_id, placement.year))
        if programme_year is None:
            continue
        key = (placement.programme_id, placement.year, placement.start_date, placement.end_date)
        if key not in plans:
            plans[key] = plan_for_year(
                calendar=calendar,
                programme=placement.programme,
                year=placement.year,
                programme_year=programme_year,
                class_days=class_days,
                school_holidays=school,
                public=public,
                start=placement.start_date,
                end=placement.end_date,
            )
        short += plans[key].hours_short is not None
    return short
