"""Reads of the catalogue: programmes with their structure, calendars and planned WPL days.

For other areas: `planned_wpl_days()` and `planned_wpl_hours()` give the days and hours a
student of a programme year is expected at the workplace in an academic year; use them on
placement pages (pass `start`/`end` to clip to the placement's own dates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import holidays
from django.db.models import Count, OuterRef, Prefetch, Subquery, Sum
from django.utils.translation import get_language

from catalogue.models import (
    AcademicCalendar,
    ClassDay,
    Competence,
    CourseUnit,
    LearningObjective,
    Period,
    ProfessionalRole,
    Programme,
    ProgrammeYear,
    SchoolHoliday,
    WplUnit,
)
from wpl.models import Membership


# --- programmes ---------------------------------------------------------------------------
def programme_list(*, membership: Membership):
    """Programmes with their counts of roles and WPL units (one query)."""
    return Programme.objects.visible_to(membership).annotate(
        role_count=Count("roles", distinct=True),
        unit_count=Count("wpl_units", distinct=True),
        credit_total=Subquery(
            CourseUnit.objects.filter(programme=OuterRef("pk"))
            .values("programme")
            .annotate(total=Sum("credits"))
            .values("total")[:1]
        ),
    )


def programme_detail(*, membership: Membership, pk: int) -> Programme:
    """One programme with everything the detail page shows prefetched (fixed number of queries).

    Raises Programme.DoesNotExist when it is not visible to `membership`.
    """
    return (
        Programme.objects.visible_to(membership)
        .prefetch_related(
            Prefetch("roles", queryset=ProfessionalRole.objects.order_by("order", "name")),
            Prefetch("programme_years", queryset=ProgrammeYear.objects.order_by("year")),
            Prefetch("periods", queryset=Period.objects.order_by("kind", "ordinal")),
            Prefetch(
                "course_units",
                queryset=CourseUnit.objects.select_related("learning_line", "period").order_by(
                    "year", "learning_line__order", "name"
                ),
            ),
            Prefetch(
                "competences",
                queryset=Competence.objects.select_related("role").prefetch_related("central_in"),
            ),
            Prefetch(
                "wpl_units",
                queryset=WplUnit.objects.order_by("phase", "id").prefetch_related(
                    Prefetch("periods", queryset=Period.objects.order_by("kind", "ordinal")),
                    Prefetch("objectives", queryset=LearningObjective.objects.order_by("order", "id")),
                ),
            ),
        )
        .get(pk=pk)
    )


def wpl_units(*, membership: Membership):
    return WplUnit.objects.visible_to(membership).select_related("programme").prefetch_related("periods")


# --- calendars ----------------------------------------------------------------------------
def calendar_list(*, membership: Membership):
    return AcademicCalendar.objects.visible_to(membership).annotate(
        class_day_count=Count("class_days", distinct=True), holiday_count=Count("holidays", distinct=True)
    )


def public_holidays(academic_year: str) -> dict[date, str]:
    """Belgian public holidays of both calendar years of `academic_year` ("2026-2027").

    Names come from the `holidays` library in the active language where it has one.
    """
    first = int(academic_year[:4])
    language = {"nl": "nl", "fr": "fr", "en": "en_US"}.get((get_language() or "nl")[:2], "nl")
    try:
        found = holidays.country_holidays("BE", years=[first, first + 1], language=language)
    except (NotImplementedError, KeyError, ValueError):  # pragma: no cover - unknown language
        found = holidays.country_holidays("BE", years=[first, first + 1])
    return dict(sorted(found.items()))


def holiday_dates(holiday_ranges: Iterable[SchoolHoliday]) -> set[date]:
    days: set[date] = set()
    for holiday in holiday_ranges:
        current = holiday.start
        while current <= holiday.end:
            days.add(current)
            current += timedelta(days=1)
    return days


def compute_wpl_days(
    *,
    start: date,
    end: date,
    weekdays: Iterable[int],
    excluded: set[date],
) -> list[date]:
    """Pure function: days from `start` to `end` (inclusive) on ISO `weekdays`, minus `excluded`."""
    wanted = set(weekdays)
    days = []
    current = start
    while current <= end:
        if current.isoweekday() in wanted and current not in excluded:
            days.append(current)
        current += timedelta(days=1)
    return days


@dataclass
class YearPlan:
    """Planned WPL of one programme year in one calendar."""

    programme: Programme
    year: int
    weekdays: list[int]
    hours_per_day: Decimal
    required_hours: int | None
    days: list[date] = field(default_factory=list)

    @property
    def day_count(self) -> int:
        return len(self.days)

    @property
    def hours(self) -> Decimal:
        return self.hours_per_day * len(self.days)

    @property
    def hours_short(self) -> Decimal | None:
        """Hours the plan falls short of the required hours (None when enough or not planned).

        E.g. 538 planned against 600 required -> 62. A year without WPL days planned yet is
        reported as "not planned", not as short.
        """
        if not self.required_hours or not self.days:
            return None
        missing = Decimal(self.required_hours) - self.hours
        return missing if missing > 0 else None

    @property
    def per_month(self) -> list[tuple[date, int]]:
        """[(first day of the month, number of WPL days)] in calendar order."""
        counts = Counter(d.replace(day=1) for d in self.days)
        return sorted(counts.items())


def _programme_year_settings(programme_year: ProgrammeYear | None) -> tuple[list[int], Decimal, int | None]:
    if programme_year is None:
        return [], Decimal(0), None
    return programme_year.weekdays, programme_year.hours_per_day, programme_year.required_hours


def plan_for_year(
    *,
    calendar: AcademicCalendar,
    programme: Programme,
    year: int,
    programme_year: ProgrammeYear | None,
    class_days: Iterable[ClassDay],
    school_holidays: set[date],
    public: set[date],
    start: date | None = None,
    end: date | None = None,
) -> YearPlan:
    weekdays, hours_per_day, required_hours = _programme_year_settings(programme_year)
    excluded = school_holidays | public | {c.date for c in class_days if c.applies_to(programme.pk, year)}
    first = max(calendar.wpl_start, start) if start else calendar.wpl_start
    last = min(calendar.wpl_end, end) if end else calendar.wpl_end
    days = compute_wpl_days(start=first, end=last, weekdays=weekdays, excluded=excluded)
    return YearPlan(programme, year, weekdays, hours_per_day, required_hours, days)


def _calendar_for(programme: Programme, academic_year: str) -> AcademicCalendar | None:
    return (
        AcademicCalendar.objects.filter(institution_id=programme.institution_id, academic_year=academic_year)
        .prefetch_related("class_days", "holidays")
        .first()
    )


def year_plan(
    *,
    programme: Programme,
    year: int,
    academic_year: str,
    start: date | None = None,
    end: date | None = None,
) -> YearPlan | None:
    """The YearPlan (days, hours, counts per month) or None when the year has no calendar."""
    calendar = _calendar_for(programme, academic_year)
    if calendar is None:
        return None
    programme_year = ProgrammeYear.objects.filter(programme_id=programme.pk, year=year).first()
    return plan_for_year(
        calendar=calendar,
        programme=programme,
        year=year,
        programme_year=programme_year,
        class_days=calendar.class_days.all(),
        school_holidays=holiday_dates(calendar.holidays.all()),
        public=set(public_holidays(academic_year)),
        start=start,
        end=end,
    )


def planned_wpl_days(
    *,
    programme: Programme,
    year: int,
    academic_year: str,
    start: date | None = None,
    end: date | None = None,
) -> list[date]:
    """The days a student of `programme`, year `year`, is planned at the workplace.

    Uses the institution's AcademicCalendar for `academic_year` ("2026-2027"): every day
    from its WPL start to its WPL end (inclusive) that falls on the programme year's
    default WPL weekdays (ProgrammeYear.wpl_weekdays, e.g. Wed-Thu-Fri), minus
      * class days of the calendar that apply to this programme and year (or to all),
      * school holidays of the calendar (each range inclusive),
      * Belgian public holidays (holidays.country_holidays("BE")), e.g. 11 November
        and Easter Monday.
    `start` / `end` clip the range further, e.g. to a placement's own dates.

    Returns a sorted list of dates; empty when the institution has no calendar for that
    academic year or the programme year has no WPL weekdays. Call it inside the tenant
    (request, tenant_context()); it runs a constant number of queries (4).
    Hours: `planned_wpl_hours()`; per-month counts: `year_plan()`.
    """
    plan = year_plan(programme=programme, year=year, academic_year=academic_year, start=start, end=end)
    return plan.days if plan else []


def planned_wpl_hours(
    *,
    programme: Programme,
    year: int,
    academic_year: str,
    start: date | None = None,
    end: date | None = None,
) -> Decimal:
    """Planned WPL hours: len(planned_wpl_days(...)) x ProgrammeYear.hours_per_day (0 without a plan)."""
    plan = year_plan(programme=programme, year=year, academic_year=academic_year, start=start, end=end)
    return plan.hours if plan else Decimal(0)


def calendar_detail(*, membership: Membership, pk: int) -> AcademicCalendar:
    return (
        AcademicCalendar.objects.visible_to(membership)
        .prefetch_related(
            Prefetch("class_days", queryset=ClassDay.objects.select_related("programme").order_by("date")),
            Prefetch("holidays", queryset=SchoolHoliday.objects.order_by("start")),
        )
        .get(pk=pk)
    )


def calendar_plans(*, membership: Membership, calendar: AcademicCalendar) -> list[YearPlan]:
    """A YearPlan for every year of every visible programme (fixed number of queries).

    `calendar` must come from `calendar_detail()` (class days and holidays prefetched).
    """
    programmes = Programme.objects.visible_to(membership).prefetch_related("programme_years")
    class_days = list(calendar.class_days.all())
    school = holiday_dates(calendar.holidays.all())
    public = set(public_holidays(calendar.academic_year))
    plans = []
    for programme in programmes:
        years = {py.year: py for py in programme.programme_years.all()}
        for year in range(1, programme.years + 1):
            plans.append(
                plan_for_year(
                    calendar=calendar,
                    programme=programme,
                    year=year,
                    programme_year=years.get(year),
                    class_days=class_days,
                    school_holidays=school,
                    public=public,
                )
            )
    return plans
