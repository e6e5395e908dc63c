"""Reads of the meetings area."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from meetings.models import DEFAULT_REQUIRED, Action, Kind, Meeting, MeetingType, Participant
from placements.wpl_days import WplDayCalendar
from wpl.models import Membership

BRUSSELS = ZoneInfo("Europe/Brussels")
DEFAULT_HOURS = (10, 14, 11, 15, 9, 13)  # tried in order when the supervisor is busy


def meetings_for(*, membership: Membership):
    return (
        Meeting.objects.visible_to(membership)
        .select_related("placement__student", "placement__organisation")
        .prefetch_related("participants")
    )


def meeting_detail(*, membership: Membership, pk: int) -> Meeting:
    return (
        Meeting.objects.visible_to(membership)
        .select_related("placement__student", "placement__organisation", "placement__supervisor")
        .prefetch_related(
            "participants", Prefetch("actions", queryset=Action.objects.select_related("owner"))
        )
        .get(pk=pk)
    )


def required_counts(programme_id: int) -> dict[str, int]:
    """Meetings per kind a programme requires per year (its MeetingTypes, else the sources' minimum)."""
    own = dict(MeetingType.objects.filter(programme_id=programme_id).values_list("kind", "required_per_year"))
    return own or dict(DEFAULT_REQUIRED)


def proposed_schedule(*, placement, today: date | None = None) -> list[tuple[str, datetime]]:
    """Slots for the meetings a placement still needs this year: (kind, start).

    Spread evenly over the placement's remaining WPL days (start meeting first, evaluation
    last), only on weekdays the mentor can be reached (when known), each on the weekday
    on which the supervisor has the fewest meetings, at an hour the supervisor is free.
    """
    today = today or timezone.localdate()
    days = [d for d in WplDayCalendar([placement], absences=False).days(placement) if d > today]
    reachable = set(placement.mentor.weekdays) if placement.mentor_id else set()
    if reachable:
        days = [d for d in days if d.isoweekday() in reachable] or days
    if not days:
        return []
    required = required_counts(placement.programme_id)
    have = Counter(placement.meetings.exclude(status=Meeting.Status.CANCELLED).values_list("kind", flat=True))
    needed: list[str] = []
    order = [Kind.START, Kind.TRIALOGUE, Kind.SUPERVISION, Kind.VISIT, Kind.EVALUATION]
    for kind in order:
        needed += [kind] * max(0, required.get(kind, 0) - have.get(kind, 0))
    if not needed:
        return []
    # Middle kinds interleaved so trialogues and supervisions alternate over the year.
    first = [k for k in needed if k == Kind.START]
    last = [k for k in needed if k == Kind.EVALUATION]
    middle_kinds = [k for k in needed if k not in (Kind.START, Kind.EVALUATION)]
    seen: Counter = Counter()
    keyed = []
    for k in middle_kinds:
        keyed.append((seen[k], order.index(k), k))
        seen[k] += 1
    middle_kinds = [k for _, _, k in sorted(keyed)]
    sequence = first + middle_kinds + last
    busy: set[datetime] = set()
    per_weekday: Counter = Counter()
    if placement.supervisor_id:
        sup_meetings = list(
            Meeting.objects.filter(
                participants__user_id=placement.supervisor.user_id, starts_at__date__gte=today
            )
            .exclude(status=Meeting.Status.CANCELLED)
            .values_list("starts_at", flat=True)
        )
        busy = {s.astimezone(BRUSSELS).replace(minute=0, second=0, microsecond=0) for s in sup_meetings}
        per_weekday = Counter(s.astimezone(BRUSSELS).isoweekday() for s in sup_meetings)
    slots = []
    n = len(sequence)
    used_days: set[date] = set()
    for i, kind in enumerate(sequence):
        target = round(i * (len(days) - 1) / max(1, n - 1)) if n > 1 else 0
        # Look at the days of the target's week, pick the weekday the supervisor is least busy.
        window = [d for d in days[max(0, target - 2) : target + 3] if d not in used_days] or [days[target]]
        day = min(window, key=lambda d: (per_weekday[d.isoweekday()], abs(days.index(d) - target)))
        used_days.add(day)
        for hour in DEFAULT_HOURS:
            start = datetime.combine(day, time(hour), tzinfo=BRUSSELS)
            if start not in busy:
                break
        busy.add(start)
        per_weekday[day.isoweekday()] += 1
        slots.append((kind, start))
    return slots


def coverage(*, membership: Membership, academic_year: str) -> list[dict]:
    """Placements of the year with fewer meetings planned (or held) than their programme requires."""
    from placements.models import Placement

    placements = (
        Placement.objects.visible_to(membership)
        .filter(academic_year=academic_year)
        .select_related("student", "organisation", "programme")
        .annotate(
            planned=Count("meetings", filter=Q(meetings__status=Meeting.Status.PLANNED)),
            held=Count("meetings", filter=Q(meetings__status=Meeting.Status.HELD)),
        )
        .order_by("student__last_name", "student__first_name")
    )
    placements = list(placements)
    own: dict[int, int] = {}
    for programme_id, required in MeetingType.objects.filter(
        programme_id__in={p.programme_id for p in placements}
    ).values_list("programme_id", "required_per_year"):
        own[programme_id] = own.get(programme_id, 0) + required
    default_total = sum(DEFAULT_REQUIRED.values())
    rows = []
    for p in placements:
        required = own.get(p.programme_id, default_total)
        if p.planned + p.held < required:
            rows.append({"placement": p, "planned": p.planned, "held": p.held, "required": required})
    return rows


def open_actions(*, membership: Membership):
    return Action.objects.filter(owner_id=membership.user_id).open().select_related("meeting")


def awaiting_answer(*, membership: Membership):
    return Participant.objects.filter(
        user_id=membership.user_id,
        response=Participant.Response.PENDING,
        meeting__status=Meeting.Status.PLANNED,
        meeting__starts_at__gte=timezone.now(),
    )


def feed_meetings(*, user) -> list[Meeting]:
    """The person's meetings in every institution where they hold an active membership."""
    institution_ids = list(
        Membership.all_tenants.filter(user=user, is_active=True, institution__is_active=True).values_list(
            "institution_id", flat=True
        )
    )
    since = timezone.now() - timedelta(days=180)
    return list(
        Meeting.all_tenants.filter(
            institution_id__in=institution_ids, participants__user=user, starts_at__gte=since
        )
        .distinct()
        .prefetch_related(Prefetch("participants", queryset=Participant.all_tenants.all()))
        .order_by("starts_at")
    )


def guidance_attendance(placement):
    """Share (0-100 %) of the held supervision and trialogue meetings the student attended.

    Offered to the evaluations' score as the "guidance" input (wpl.registry.register_score_input);
    None when no such meeting was held yet.
    """
    from decimal import Decimal

    row = Participant.objects.filter(
        meeting__placement_id=placement.pk,
        meeting__status=Meeting.Status.HELD,
        meeting__kind__in=[Kind.SUPERVISION, Kind.TRIALOGUE],
        role="student",
    ).aggregate(held=Count("id"), attended=Count("id", filter=Q(attended=True)))
    if not row["held"]:
        return None
    return (Decimal(100) * row["attended"] / row["held"]).quantize(Decimal(1))
