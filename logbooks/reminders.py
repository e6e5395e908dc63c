"""Reminder sweeps of the logbook, registered with the core in `logbooks.apps`.

Both run per institution inside `wpl.tasks.run_reminder_sweeps(institution_id=...)`, in
batches of placements, and find every escalation step due up to `now`: a sweep that did
not run for a while catches up (each step once, with its own key), and a student who
never logged is counted from the start of the placement.

- `logbook.gap`: no entry for N WPL days (the placement's weekdays, without holidays and
  full-day absences). Student first, then mentor, then supervisor. N defaults to the
  programme's logbook settings (`not_logged_wpl_days`); a ReminderRule overrides it.
- `logbook.review`: an entry waiting for review longer than N calendar days. Mentor
  first, then supervisor. N defaults to `review_backlog_days`.

Keys name the placement, what the gap or wait is counted from, the step and the
recipient, so re-running sends nothing twice and a new entry (or approval) starts over.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Programme
from logbooks.models import Absence, Entry, LogbookSettings
from placements.models import Placement
from placements.reminders import Rule, due_steps, rules_for
from placements.wpl_days import WplDayCalendar, count_between, nth_day_after
from wpl.notifications import notify_many, people, url_for_id
from wpl.registry import ReminderKind

BATCH = int(os.environ.get("WPL_SWEEP_BATCH", "500"))
GAP = "logbook.gap"
REVIEW = "logbook.review"
GAP_STEPS = ("student", "mentor", "supervisor")
REVIEW_STEPS = ("mentor", "supervisor")

KINDS = [
    ReminderKind(
        kind=GAP,
        label=_("No logbook entry for N WPL days"),
        days=3,
        steps=GAP_STEPS,
        step_days=2,
        roles=GAP_STEPS,
        unit="wpl_days",
        order=10,
    ),
    ReminderKind(
        kind=REVIEW,
        label=_("Logbook entries waiting for review longer than N days"),
        days=7,
        steps=REVIEW_STEPS,
        step_days=3,
        roles=REVIEW_STEPS,
        unit="days",
        order=11,
    ),
]


def absence_days(placement_ids: list[int]) -> dict[int, set]:
    """Absence provider for WPL-day counting: full-day absences per placement (one query)."""
    days: dict[int, set] = defaultdict(set)
    rows = Absence.objects.filter(placement_id__in=placement_ids, hours_per_day__isnull=True).values_list(
        "placement_id", "start_date", "end_date"
    )
    for placement_id, start, end in rows:
        current = start
        while current <= end:
            days[placement_id].add(current)
            current += timedelta(days=1)
    return dict(days)


@dataclass(slots=True)
class _Placement:
    """A running placement as the sweeps read it (values, no model instances); also what
    `WplDayCalendar` needs of a placement."""

    pk: int
    programme_id: int
    year: int
    academic_year: str
    start_date: date | None
    end_date: date | None
    users: dict[str, int | None]  # role -> user id
    student: str  # the texts name the student and the workplace as their __str__ does
    organisation: str
    programme: Programme | None = None


_COLUMNS = (
    "pk", "programme_id", "year", "academic_year", "start_date", "end_date",
    "student__user_id", "mentor__user_id", "supervisor__user_id",
    "student__first_name", "student__last_name", "organisation__name",
)  # fmt: skip


def _placements(queryset) -> list[_Placement]:
    return [
        _Placement(pk, programme_id, year, academic_year, start, end,
                   {"student": student, "mentor": mentor, "supervisor": supervisor},
                   f"{first} {last}", str(organisation))
        for (pk, programme_id, year, academic_year, start, end, student, mentor, supervisor, first, last,
             organisation) in queryset.values_list(*_COLUMNS)
    ]  # fmt: skip


def _running(on) -> list[_Placement]:
    """Every placement running `on` whose student has an account (one query)."""
    return _placements(
        Placement.objects.filter(
            (Q(start_date__isnull=True) | Q(start_date__lte=on))
            & (Q(end_date__isnull=True) | Q(end_date__gte=on)),
            student__user__isnull=False,
        ).order_by("pk")
    )


def _rules(
    programme_ids: set[int], kind: str, field: str, steps: tuple[str, ...], step_days: int
) -> dict[int, Rule]:
    """The rule per programme for `kind` (two queries for the whole sweep): a saved
    ReminderRule, else the programme's logbook settings (`field` days)."""
    settings = LogbookSettings.for_programmes(programme_ids)
    defaults = {pid: Rule(getattr(s, field), steps, step_days) for pid, s in settings.items()}
    return rules_for(programme_ids, kind, per_programme=defaults)


def _send(items: list[dict], user_ids: set) -> int:
    """One insert for the batch's reminders (the items name their template); the
    recipients are read in one query."""
    if not items:
        return 0
    found = people(user_ids)
    items = [dict(item, recipient=found[item["recipient"]]) for item in items if item["recipient"] in found]
    return len(notify_many(items=items))


def remind_not_logged(now: datetime) -> int:
    """Sweep `logbook.gap`: placements without an entry for N WPL days, with escalation.

    A fixed number of queries for the institution (running placements, rules, last
    entries, absences, the year plans) plus three per batch of BATCH placements with
    something due (recipients, keys already sent, the insert)."""
    on = timezone.localdate(now)
    # A day counts as missed once it is over: the student may still log today.
    yesterday = on - timedelta(days=1)
    placements = _running(on)
    if not placements:
        return 0
    programmes = Programme.objects.in_bulk({p.programme_id for p in placements})
    rules = _rules(set(programmes), GAP, "not_logged_wpl_days", GAP_STEPS, 2)
    for p in placements:
        p.programme = programmes[p.programme_id]
    last = dict(
        Entry.objects.filter(placement_id__in=[p.pk for p in placements])
        .order_by()
        .values("placement_id")
        .annotate(last=Max("date"))
        .values_list("placement_id", "last")
    )
    calendar = WplDayCalendar(placements)
    student_url, placement_url = reverse("logbook"), url_for_id("logbook-placement")
    created = 0
    for start in range(0, len(placements), BATCH):
        items: list[dict] = []
        user_ids: set = set()
        for p in placements[start : start + BATCH]:
            days = calendar.days(p)
            since = last.get(p.pk)
            steps = due_steps(
                rules[p.programme_id],
                nth_day=lambda n, d=days, s=since: nth_day_after(d, s, n),
                today=yesterday,
            )
            if not steps:
                continue
            missed = count_between(days, since, yesterday)
            for step, role, _due in steps:
                user_id = p.users.get(role)
                if user_id is None:
                    continue
                user_ids.add(user_id)
                student = role == "student"
                items.append(
                    {
                        "template": "logbooks/notifications/"
                        + ("not_logged" if student else "not_logged_staff"),
                        "recipient": user_id,
                        "key": f"logbooks.not_logged:{p.pk}:{since.isoformat() if since else 'never'}:"
                        f"{step}:u{user_id}",
                        "context": {"missed": missed, "since": since},
                        "text": {"placement.student": p.student, "placement.organisation": p.organisation},
                        "url": student_url if student else placement_url(p.pk),
                    }
                )
        created += _send(items, user_ids)
    return created


def remind_review_waiting(now: datetime) -> int:
    """Sweep `logbook.review`: entries waiting for review longer than N days, mentor first.

    One query finds the placements with entries waiting (with their people), two read the
    rules; then three per batch with something due."""
    today = timezone.localdate(now)
    waiting = list(
        Entry.objects.filter(status=Entry.Status.SUBMITTED, submitted_at__isnull=False)
        .values("placement_id")
        .annotate(oldest=Min("submitted_at"), n=Count("id"))
        .order_by("placement_id")
        .values_list("placement_id", "oldest", "n")
    )
    if not waiting:
        return 0
    placements = {p.pk: p for p in _placements(Placement.objects.filter(pk__in=[w[0] for w in waiting]))}
    rules = _rules(
        {p.programme_id for p in placements.values()}, REVIEW, "review_backlog_days", REVIEW_STEPS, 3
    )
    review_url, placement_url = reverse("logbook-review"), url_for_id("logbook-placement")
    created = 0
    for start in range(0, len(waiting), BATCH):
        items: list[dict] = []
        user_ids: set = set()
        for placement_id, oldest, count in waiting[start : start + BATCH]:
            p = placements.get(placement_id)
            if p is None:
                continue
            since = timezone.localdate(oldest)
            steps = due_steps(
                rules[p.programme_id], nth_day=lambda n, s=since: s + timedelta(days=n), today=today
            )
            for step, role, _due in steps:
                user_id = p.users.get(role)
                if user_id is None:
                    continue
                user_ids.add(user_id)
                items.append(
                    {
                        "template": "logbooks/notifications/review_waiting",
                        "recipient": user_id,
                        "key": f"logbooks.review:{p.pk}:{oldest:%Y%m%dT%H%M%S}:{step}:u{user_id}",
                        "context": {"waiting": count, "since": since, "role": role},
                        "text": {"placement.student": p.student},
                        "url": review_url if role == "mentor" else placement_url(p.pk),
                    }
                )
        created += _send(items, user_ids)
    return created
