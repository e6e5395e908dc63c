"""Reads of the logbook: the student's page, progress and forecast, the review queue, the
coordinator's list of students who fall behind.

Planned WPL days come from `placements.selectors.catalogue.year_plan()` (the same plan
/my/placement/ shows: calendar, agreed weekdays, class days, school and public holidays).
Every function runs a number of queries that does not grow with the number of entries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import CharField, Prefetch, Q, Value
from django.db.models.functions import Substr
from django.utils import timezone

from catalogue.models import AcademicCalendar, ProgrammeYear
from catalogue.selectors import holiday_dates, plan_for_year, public_holidays, year_plan
from logbooks import rules
from logbooks.models import Absence, Entry, LogbookSettings, Review
from placements.models import Placement
from wpl.models import Membership, Role

ZERO = Decimal(0)


def today() -> date:
    """Today in Europe/Brussels (the platform's time zone)."""
    return timezone.localdate()


# --- placements --------------------------------------------------------------------------
def _placement_qs(membership: Membership):
    return Placement.objects.visible_to(membership).select_related(
        "student", "programme", "organisation", "site", "mentor", "supervisor__user", "wpl_unit"
    )


def student_placements(*, membership: Membership) -> list[Placement]:
    """The student's own placements, newest first."""
    return list(
        _placement_qs(membership)
        .filter(student__user_id=membership.user_id)
        .order_by("-academic_year", "-start_date", "year")
    )


def current_placement(placements: list[Placement], on: date | None = None) -> Placement | None:
    """The placement running on `on` (today), else the most recent one."""
    on = on or today()
    for p in placements:
        if (p.start_date is None or p.start_date <= on) and (p.end_date is None or on <= p.end_date):
            return p
    return placements[0] if placements else None


def placement_detail(*, membership: Membership, pk: int) -> Placement:
    """A placement `membership` sees (raises Placement.DoesNotExist otherwise: a 404)."""
    return _placement_qs(membership).get(pk=pk)


# --- the plan ----------------------------------------------------------------------------
@dataclass
class PlanContext:
    """Everything the rules need about one placement's period."""

    settings: LogbookSettings
    rules: rules.Rules
    days: list[date]  # planned WPL days (already without class days and holidays)
    weekdays: set[int]
    hours_per_day: Decimal
    school_holidays: set[date]
    public_holidays: set[date]
    start: date | None
    end: date | None
    required_hours: Decimal | None
    required_days: int | None

    def flags(self, day: date) -> list[str]:
        return rules.flags_for(
            day,
            weekdays=self.weekdays,
            school_holidays=self.school_holidays,
            public_holidays=self.public_holidays,
            rules=self.rules,
        )


def _required(placement: Placement, programme_year: ProgrammeYear | None, hours_per_day: Decimal):
    unit = placement.wpl_unit
    if unit is not None and (unit.required_hours or unit.required_days):
        days = unit.required_days
        hours = Decimal(unit.required_hours) if unit.required_hours else Decimal(days) * hours_per_day
        return hours, days
    if programme_year is not None and programme_year.required_hours:
        return Decimal(programme_year.required_hours), None
    return None, None


def plan_context(placement: Placement, *, settings: LogbookSettings | None = None) -> PlanContext:
    """The plan of one placement (5 queries, whatever the number of entries).

    Builds the same plan as `catalogue.selectors.year_plan()` from rows read once: the
    calendar (with its class days and holidays), the programme year, the public holidays.
    """
    settings = settings or LogbookSettings.for_programme(placement.programme)
    calendar = (
        AcademicCalendar.objects.filter(academic_year=placement.academic_year)
        .prefetch_related("class_days", "holidays")
        .first()
    )
    programme_year = ProgrammeYear.objects.filter(
        programme_id=placement.programme_id, year=placement.year
    ).first()
    school = holiday_dates(calendar.holidays.all()) if calendar else set()
    public = set(public_holidays(placement.academic_year))
    plan = (
        plan_for_year(
            calendar=calendar,
            programme=placement.programme,
            year=placement.year,
            programme_year=programme_year,
            class_days=calendar.class_days.all(),
            school_holidays=school,
            public=public,
            start=placement.start_date,
            end=placement.end_date,
        )
        if calendar
        else None
    )
    hours_per_day = programme_year.hours_per_day if programme_year else Decimal("7.6")
    start = placement.start_date or (calendar.wpl_start if calendar else None)
    end = placement.end_date or (calendar.wpl_end if calendar else None)
    required_hours, required_days = _required(placement, programme_year, hours_per_day)
    return PlanContext(
        settings=settings,
        rules=rules.Rules.of(settings),
        days=plan.days if plan else [],
        weekdays=set(programme_year.weekdays if programme_year else []),
        hours_per_day=hours_per_day,
        school_holidays=school,
        public_holidays=public,
        start=start,
        end=end,
        required_hours=required_hours,
        required_days=required_days,
    )


def absence_days(absences: list[Absence]) -> dict[date, Absence]:
    days = {}
    for a in absences:
        current = a.start_date
        while current <= a.end_date:
            days[current] = a
            current += timedelta(days=1)
    return days


# --- the student's logbook -----------------------------------------------------------------
def entries_for(placement: Placement):
    """Entries of a placement, newest first (one query for any number of entries).

    What an entry touched (objectives, competences, roles) is read per entry with
    `touched()` where a page needs it: prefetching three relations for hundreds of
    entries costs more than the whole page.
    """
    return Entry.objects.filter(placement=placement).select_related("site").order_by("-date")


def touched(entry: Entry) -> dict[str, list[int]]:
    """Ids of the objectives, competences and roles one entry touched (one query)."""
    links = [
        (name, getattr(Entry, name).through.objects.filter(entry_id=entry.pk), column)
        for name, column in (
            ("objectives", "learningobjective_id"),
            ("competences", "competence_id"),
            ("roles", "professionalrole_id"),
        )
    ]
    first, *rest = (
        # The column first, the constant after it: the SQL order of each part, so the UNION lines up.
        qs.annotate(kind=Value(name, output_field=CharField())).values_list(column, "kind")
        for name, qs, column in links
    )
    found: dict[str, list[int]] = {name: [] for name, _qs, _column in links}
    for pk, kind in first.union(*rest, all=True):
        found[kind].append(pk)
    return {name: sorted(ids) for name, ids in found.items()}


class EntryFacts(NamedTuple):
    """What counting and the calendar need of an entry (read as plain tuples: cheap for hundreds)."""

    pk: int
    date: date
    hours: Decimal
    status: str
    flags: list


@dataclass
class Day:
    """One day in the calendar of a placement with its state."""

    date: date
    state: str  # planned, logged, returned, approved, absent, holiday, missed
    entry: Entry | None = None
    absence: Absence | None = None
    extra: bool = False  # logged on a day that was not planned


STATE_LABELS = {}


def calendar_days(ctx: PlanContext, entries: list[Entry], absences: list[Absence], *, on: date) -> list[Day]:
    """Every planned day plus any logged day, with its state, in date order."""
    by_date = {e.date: e for e in entries}
    absent = absence_days(absences)
    planned = set(ctx.days)
    holidays = set()
    if ctx.start and ctx.end and ctx.weekdays:
        current = ctx.start
        while current <= ctx.end:
            if (
                current.isoweekday() in ctx.weekdays
                and current not in planned
                and (current in ctx.school_holidays or current in ctx.public_holidays)
            ):
                holidays.add(current)
            current += timedelta(days=1)
    result = []
    for day in sorted(planned | set(by_date) | holidays):
        entry = by_date.get(day)
        absence = absent.get(day)
        if entry is not None:
            state = {"approved": "approved", "returned": "returned"}.get(entry.status, "logged")
        elif absence is not None:
            state = "absent"
        elif day in holidays:
            state = "holiday"
        elif day < on:
            state = "missed"
        else:
            state = "planned"
        result.append(Day(day, state, entry, absence, extra=day not in planned and day not in holidays))
    return result


def weeks(days: list[Day]) -> list[tuple[date, list[Day]]]:
    """Days grouped by ISO week (Monday first)."""
    grouped: dict[date, list[Day]] = defaultdict(list)
    for d in days:
        grouped[d.date - timedelta(days=d.date.weekday())].append(d)
    return sorted(grouped.items())


# --- progress ------------------------------------------------------------------------------
@dataclass
class Progress:
    """Hours and days done against required and planned, with a forecast of the end date."""

    approved_hours: Decimal = ZERO
    pending_hours: Decimal = ZERO
    approved_days: Decimal = ZERO
    pending_days: Decimal = ZERO
    logged_hours: Decimal = ZERO  # as typed, above the maximum too
    required_hours: Decimal | None = None
    required_days: int | None = None
    planned_hours: Decimal = ZERO
    planned_days: int = 0
    absent_hours: Decimal = ZERO
    planned_until_today: Decimal = ZERO
    forecast: date | None = None
    end: date | None = None
    chart: list[dict] = field(default_factory=list)

    @property
    def done_hours(self) -> Decimal:
        return self.approved_hours + self.pending_hours

    @property
    def target_hours(self) -> Decimal:
        return self.required_hours if self.required_hours is not None else self.planned_hours

    @property
    def percent(self) -> int:
        if not self.target_hours:
            return 0
        return min(100, int(self.done_hours * 100 / self.target_hours))

    @property
    def behind_percent(self) -> int:
        """How far under the plan so far (0 when on or ahead of plan)."""
        if not self.planned_until_today:
            return 0
        gap = (self.planned_until_today - self.done_hours) * 100 / self.planned_until_today
        return max(0, int(gap))

    @property
    def late(self) -> bool:
        return bool(self.forecast and self.end and self.forecast > self.end)


def progress(ctx: PlanContext, entries: list[Entry], absences: list[Absence], *, on: date) -> Progress:
    """Pure computation over rows already read (no queries)."""
    p = Progress(required_hours=ctx.required_hours, required_days=ctx.required_days, end=ctx.end)
    absent = absence_days(absences)
    per_day_absent: dict[date, Decimal] = {}
    for day in ctx.days:
        a = absent.get(day)
        if a is not None:
            per_day_absent[day] = min(ctx.hours_per_day, a.hours_per_day or ctx.hours_per_day)
    p.absent_hours = sum(per_day_absent.values(), ZERO)
    p.planned_days = len(ctx.days) - sum(1 for d in ctx.days if d in absent and not absent[d].hours_per_day)
    p.planned_hours = ctx.hours_per_day * len(ctx.days) - p.absent_hours
    counted: dict[date, Decimal] = {}
    for e in entries:
        hours = rules.counted_hours(e.hours, ctx.rules, special_day=rules.is_special_day(e.flags or []))
        day = rules.counted_day(e.hours, ctx.rules)
        p.logged_hours += e.hours
        counted[e.date] = hours
        if e.status == Entry.Status.APPROVED:
            p.approved_hours += hours
            p.approved_days += day
        else:
            p.pending_hours += hours
            p.pending_days += day
    past_days = [d for d in ctx.days if d <= on]
    p.planned_until_today = ctx.hours_per_day * len(past_days) - sum(
        (v for d, v in per_day_absent.items() if d <= on), ZERO
    )
    # Pace: counted hours per planned day so far (absent days do not slow the pace down).
    effective_past = len([d for d in past_days if d not in absent or absent[d].hours_per_day])
    if effective_past and p.done_hours:
        pace = p.done_hours / effective_past
        future = [d for d in ctx.days if d > on and not (d in absent and not absent[d].hours_per_day)]
        p.forecast = rules.forecast_end(
            done_hours=p.done_hours,
            required_hours=p.target_hours,
            hours_per_planned_day=pace,
            future_days=future,
            weekdays=ctx.weekdays,
        )
    p.chart = _chart(ctx, counted, entries, per_day_absent)
    return p


def _chart(ctx, counted, entries, per_day_absent) -> list[dict]:
    """Cumulative planned and actual hours per week over the period (for the chart and its table)."""
    if not ctx.days and not entries:
        return []
    all_days = sorted(set(ctx.days) | set(counted))
    first = all_days[0] - timedelta(days=all_days[0].weekday())
    last = all_days[-1]
    approved = {e.date: counted[e.date] for e in entries if e.status == Entry.Status.APPROVED}
    planned_per_day = {d: ctx.hours_per_day - per_day_absent.get(d, ZERO) for d in ctx.days}
    rows = []
    cum_planned = cum_done = cum_approved = ZERO
    week = first
    while week <= last:
        week_end = week + timedelta(days=6)
        for offset in range(7):
            d = week + timedelta(days=offset)
            cum_planned += planned_per_day.get(d, ZERO)
            cum_done += counted.get(d, ZERO)
            cum_approved += approved.get(d, ZERO)
        rows.append(
            {
                "week": week,
                "week_end": week_end,
                "planned": cum_planned,
                "actual": cum_done,
                "approved": cum_approved,
            }
        )
        week += timedelta(days=7)
    return rows


@dataclass
class Logbook:
    placement: Placement
    ctx: PlanContext
    entries: list[Entry] | list[EntryFacts]  # full entries (exports) or only what counting needs
    absences: list[Absence]
    days: list[Day]
    progress: Progress


def light_entries(placement: Placement) -> list[EntryFacts]:
    """All entries with just id, date, hours, status and flags, newest first (the page shows the
    text of a few): tuples, not model instances, so 600 entries cost a few milliseconds."""
    rows = (
        Entry.objects.filter(placement=placement)
        .order_by("-date")
        .values_list("id", "date", "hours", "status", "flags")
    )
    return [EntryFacts(*row) for row in rows]


def logbook(placement: Placement, *, on: date | None = None, full: bool = False) -> Logbook:
    """The whole logbook of a placement: entries, absences, calendar, progress.

    `full=True` loads every entry with its text and site (exports); otherwise entries
    carry only what counting needs, and pages read the text of the latest few with
    `entries_for(placement)[:n]`.
    """
    on = on or today()
    ctx = plan_context(placement)
    entries = list(entries_for(placement)) if full else light_entries(placement)
    absences = list(Absence.objects.filter(placement=placement).select_related("sick_note"))
    return Logbook(
        placement=placement,
        ctx=ctx,
        entries=entries,
        absences=absences,
        days=calendar_days(ctx, entries, absences, on=on),
        progress=progress(ctx, entries, absences, on=on),
    )


def entry_detail(*, membership: Membership, pk: int) -> Entry:
    return (
        Entry.objects.visible_to(membership)
        .select_related("placement__student", "placement__mentor", "placement__programme", "site")
        .prefetch_related(
            "objectives",
            "competences",
            "roles",
            Prefetch("reviews", queryset=Review.objects.select_related("author")),
            "revisions",
        )
        .get(pk=pk)
    )


def last_entry(placement: Placement) -> Entry | None:
    """The latest entry, for "same as last time"."""
    return entries_for(placement).first()


def choices_for(placement: Placement) -> dict:
    """Objectives, competences, roles and sites a student can tick for this placement."""
    from catalogue.models import Competence, LearningObjective, ProfessionalRole
    from workplaces.models import Site

    objectives = LearningObjective.objects.filter(unit__programme_id=placement.programme_id)
    if placement.wpl_unit_id:
        objectives = objectives.filter(unit_id=placement.wpl_unit_id)
    return {
        "objectives": list(objectives.order_by("unit_id", "order", "id")),
        "competences": list(
            Competence.objects.filter(programme_id=placement.programme_id).order_by("order", "id")
        ),
        "roles": list(
            ProfessionalRole.objects.filter(programme_id=placement.programme_id).order_by("order", "id")
        ),
        "sites": list(Site.objects.filter(organisation_id=placement.organisation_id).order_by("name")),
    }


# --- the mentor's review queue ---------------------------------------------------------------
@dataclass
class QueueSection:
    """Pending entries of one institution for one mentor membership.

    `weeks` lists every week with entries waiting (start, count) so a whole week can be
    approved at once; `shown` holds the oldest entries in full, grouped by week.
    """

    membership: Membership
    weeks: list[tuple[date, int]]
    shown: list[tuple[date, list[Entry]]]
    count: int


PREVIEW = 200  # characters of an entry's text shown in the review queue


def review_queue_for(membership: Membership, *, limit: int = 60) -> QueueSection:
    """Entries waiting for `membership` (a mentor) in its institution (2 queries)."""
    qs = Entry.objects.visible_to(membership).filter(
        status=Entry.Status.SUBMITTED, placement__mentor__user_id=membership.user_id
    )
    per_week: dict[date, int] = defaultdict(int)
    for (day,) in qs.values_list("date"):
        per_week[day - timedelta(days=day.weekday())] += 1
    entries = list(
        qs.select_related("placement__student")
        # The first 201 characters of the text, not all of it: the queue shows 200 at most.
        .annotate(activities_start=Substr("activities", 1, PREVIEW + 1))
        .only(
            "id",
            "date",
            "hours",
            "flags",
            "status",
            "institution_id",
            "placement_id",
            "placement__student__first_name",
            "placement__student__last_name",
        )
        .order_by("date", "placement__student__last_name", "id")[:limit]
    )
    grouped: dict[date, list[Entry]] = defaultdict(list)
    for e in entries:
        # As `truncatechars:200` would, without running it per row.
        text = e.activities_start
        e.preview = text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"
        grouped[e.date - timedelta(days=e.date.weekday())].append(e)
    return QueueSection(membership, sorted(per_week.items()), sorted(grouped.items()), sum(per_week.values()))


def mentor_memberships(user, memberships: list[Membership]) -> list[Membership]:
    """The person's mentor roles in every institution (already loaded by the middleware)."""
    return [m for m in memberships if m.role == Role.MENTOR and m.user_id == user.pk]


def pending_count(membership: Membership) -> int:
    return (
        Entry.objects.visible_to(membership)
        .filter(status=Entry.Status.SUBMITTED, placement__mentor__user_id=membership.user_id)
        .count()
    )


# --- the coordinator's overview ----------------------------------------------------------------
@dataclass
class OverviewRow:
    placement: Placement
    done_hours: Decimal
    planned_until_today: Decimal
    behind_percent: int
    missed_wpl_days: int
    last_logged: date | None
    behind: bool
    not_logging: bool


@dataclass
class BacklogRow:
    mentor_name: str
    waiting: int
    oldest: date


def _group_plans(placements: list[Placement]) -> dict[tuple, tuple[list[date], ProgrammeYear | None]]:
    """One plan per (programme, year, academic year), clipped per placement afterwards."""
    plans = {}
    for p in placements:
        key = (p.programme_id, p.year, p.academic_year)
        if key not in plans:
            plan = year_plan(programme=p.programme, year=p.year, academic_year=p.academic_year)
            plans[key] = plan.days if plan else []
    return plans


def overview(*, membership: Membership, on: date | None = None) -> tuple[list[OverviewRow], list[BacklogRow]]:
    """Students who fall behind or stopped logging, and mentors with a review backlog.

    Queries grow with the number of programme years (one plan each), never with the
    number of students or entries. Absent days do not count as missed.
    """
    on = on or today()
    placements = list(
        _placement_qs(membership).filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
        )
    )
    placements = [p for p in placements if p.end_date is None or p.end_date >= on - timedelta(days=30)]
    settings = LogbookSettings.for_programmes([p.programme_id for p in placements])
    plans = _group_plans(placements)
    ids = [p.pk for p in placements]
    hours_per_day = {
        (py.programme_id, py.year): py.hours_per_day
        for py in ProgrammeYear.objects.filter(programme_id__in={p.programme_id for p in placements})
    }
    entry_rows = defaultdict(list)
    for pid, day, hours, flags in Entry.objects.filter(placement_id__in=ids).values_list(
        "placement_id", "date", "hours", "flags"
    ):
        entry_rows[pid].append((day, hours, flags))
    absent = defaultdict(set)
    for a in Absence.objects.filter(placement_id__in=ids, hours_per_day__isnull=True):
        absent[a.placement_id] |= set(absence_days([a]))
    rows = []
    for p in placements:
        s = settings[p.programme_id]
        r = rules.Rules.of(s)
        days = [
            d
            for d in plans[(p.programme_id, p.year, p.academic_year)]
            if (p.start_date is None or d >= p.start_date) and (p.end_date is None or d <= p.end_date)
        ]
        days = [d for d in days if d not in absent[p.pk]]
        logged = entry_rows[p.pk]
        done = sum(
            (rules.counted_hours(h, r, special_day=rules.is_special_day(f or [])) for _, h, f in logged), ZERO
        )
        per_day = hours_per_day.get((p.programme_id, p.year), Decimal("7.6"))
        planned_until_today = per_day * len([d for d in days if d <= on])
        behind_pct = (
            max(0, int((planned_until_today - done) * 100 / planned_until_today))
            if planned_until_today
            else 0
        )
        last = max((d for d, _, _ in logged), default=None)
        missed = missed_wpl_days(days, last, on)
        rows.append(
            OverviewRow(
                placement=p,
                done_hours=done,
                planned_until_today=planned_until_today,
                behind_percent=behind_pct,
                missed_wpl_days=missed,
                last_logged=last,
                behind=behind_pct >= s.behind_threshold_percent and planned_until_today > 0,
                not_logging=missed >= s.not_logged_wpl_days,
            )
        )
    flagged = [row for row in rows if row.behind or row.not_logging]
    flagged.sort(key=lambda row: (-row.missed_wpl_days, -row.behind_percent))
    return flagged, mentor_backlog(membership=membership, settings=settings, now=timezone.now())


def missed_wpl_days(planned: list[date], last_logged: date | None, on: date) -> int:
    """Planned WPL days after the last entry (or since the start) up to yesterday."""
    return sum(1 for d in planned if d < on and (last_logged is None or d > last_logged))


def mentor_backlog(*, membership: Membership, settings: dict, now) -> list[BacklogRow]:
    """Mentors with entries waiting longer than the programme's backlog limit (one query)."""
    limit_days = min((s.review_backlog_days for s in settings.values()), default=7)
    cutoff = now - timedelta(days=limit_days)
    waiting = defaultdict(lambda: [0, None, ""])
    rows = (
        Entry.objects.visible_to(membership)
        .filter(status=Entry.Status.SUBMITTED, submitted_at__lt=cutoff, placement__mentor__isnull=False)
        .values_list(
            "placement__mentor_id", "placement__mentor__first_name", "placement__mentor__last_name", "date"
        )
    )
    for mentor_id, first, last, day in rows:
        row = waiting[mentor_id]
        row[0] += 1
        row[1] = day if row[1] is None or day < row[1] else row[1]
        row[2] = f"{first} {last}"
    return sorted(
        (BacklogRow(mentor_name=name, waiting=n, oldest=oldest) for n, oldest, name in waiting.values()),
        key=lambda r: -r.waiting,
    )


def absences_for(*, membership: Membership):
    return Absence.objects.visible_to(membership).select_related("placement__student", "sick_note")


# --- evidence for evaluations (wpl.registry.register_evidence_provider) ------------------------
def evidence_options(placement: Placement) -> list:
    """The placement's logbook entries (newest first, at most 120) as evidence a rubric can link."""
    from django.urls import reverse

    from wpl.registry import EvidenceOption

    base = reverse("logbook-entry", kwargs={"pk": 1})[:-2]
    rows = (
        Entry.objects.filter(placement_id=placement.pk)
        .exclude(status=Entry.Status.RETURNED)
        .order_by("-date")
        .values_list("pk", "date", "activities")[:120]
    )
    return [
        EvidenceOption(
            key=f"logbook:{pk}",
            label=f"{day:%d/%m/%Y} · {' '.join(activities.split())[:70]}",
            url=f"{base}{pk}/",
        )
        for pk, day, activities in rows
    ]
