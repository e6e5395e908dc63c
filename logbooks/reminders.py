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
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logbooks.models import Absence, Entry, LogbookSettings
from placements.models import Placement
from placements.reminders import Rule, due_steps, rules_for
from placements.wpl_days import WplDayCalendar, count_between, nth_day_after
from wpl.notifications import notify_many, recipient_key
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


def _person(placement: Placement, role: str):
    if role == "student":
        return placement.student.user
    if role == "mentor":
        return placement.mentor.user if placement.mentor_id else None
    if role == "supervisor":
        return placement.supervisor.user if placement.supervisor_id else None
    return None


def _running(on) -> list[int]:
    return list(
        Placement.objects.filter(
            (Q(start_date__isnull=True) | Q(start_date__lte=on))
            & (Q(end_date__isnull=True) | Q(end_date__gte=on))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _load(ids: list[int]) -> list[Placement]:
    return list(
        Placement.objects.filter(pk__in=ids).select_related(
            "student__user", "mentor__user", "supervisor__user", "programme", "organisation"
        )
    )


def _send(items: list[dict]) -> int:
    """One insert for the batch's reminders (the items name their template)."""
    return len(notify_many(items=items)) if items else 0


def remind_not_logged(now: datetime) -> int:
    """Sweep `logbook.gap`: placements without an entry for N WPL days, with escalation."""
    on = timezone.localdate(now)
    # A day counts as missed once it is over: the student may still log today.
    yesterday = on - timedelta(days=1)
    ids = _running(on)
    created = 0
    for start in range(0, len(ids), BATCH):
        placements = [p for p in _load(ids[start : start + BATCH]) if p.student.user_id]
        if not placements:
            continue
        programme_ids = {p.programme_id for p in placements}
        settings = LogbookSettings.for_programmes(programme_ids)
        defaults = {pid: Rule(s.not_logged_wpl_days, GAP_STEPS, 2) for pid, s in settings.items()}
        rules = rules_for(programme_ids, GAP, per_programme=defaults)
        last = dict(
            Entry.objects.filter(placement__in=placements)
            .values("placement_id")
            .annotate(last=Max("date"))
            .values_list("placement_id", "last")
        )
        calendar = WplDayCalendar(placements)
        items: list[dict] = []
        student_url = reverse("logbook")
        for p in placements:
            days = calendar.days(p)
            since = last.get(p.pk)
            missed = count_between(days, since, yesterday)
            steps = due_steps(
                rules[p.programme_id],
                nth_day=lambda n, d=days, s=since: nth_day_after(d, s, n),
                today=yesterday,
            )
            for step, role, _due in steps:
                user = _person(p, role)
                if user is None:
                    continue
                template = "logbooks/notifications/" + (
                    "not_logged" if role == "student" else "not_logged_staff"
                )
                items.append(
                    {
                        "template": template,
                        # The student's subject is always the same; the staff's names the student.
                        "subject_key": "student" if role == "student" else f"placement:{p.pk}",
                        "recipient": user,
                        "key": f"logbooks.not_logged:{p.pk}:{since.isoformat() if since else 'never'}:"
                        f"{step}:{recipient_key(user)}",
                        "context": {"placement": p, "missed": missed, "since": since},
                        "url": student_url
                        if role == "student"
                        else reverse("logbook-placement", args=[p.pk]),
                    }
                )
        created += _send(items)
    return created


def remind_review_waiting(now: datetime) -> int:
    """Sweep `logbook.review`: entries waiting for review longer than N days, mentor first."""
    today = timezone.localdate(now)
    waiting = list(
        Entry.objects.filter(status=Entry.Status.SUBMITTED, submitted_at__isnull=False)
        .values("placement_id")
        .annotate(oldest=Min("submitted_at"), n=Count("id"))
        .order_by("placement_id")
        .values_list("placement_id", "oldest", "n")
    )
    created = 0
    for start in range(0, len(waiting), BATCH):
        batch = waiting[start : start + BATCH]
        placements = {p.pk: p for p in _load([pid for pid, _, _ in batch])}
        programme_ids = {p.programme_id for p in placements.values()}
        settings = LogbookSettings.for_programmes(programme_ids)
        defaults = {pid: Rule(s.review_backlog_days, REVIEW_STEPS, 3) for pid, s in settings.items()}
        rules = rules_for(programme_ids, REVIEW, per_programme=defaults)
        items: list[dict] = []
        for placement_id, oldest, count in batch:
            p = placements.get(placement_id)
            if p is None:
                continue
            since = timezone.localdate(oldest)
            steps = due_steps(
                rules[p.programme_id], nth_day=lambda n, s=since: s + timedelta(days=n), today=today
            )
            for step, role, _due in steps:
                user = _person(p, role)
                if user is None:
                    continue
                items.append(
                    {
                        "template": "logbooks/notifications/review_waiting",
                        "subject_key": f"placement:{p.pk}",  # names the student, not the recipient
                        "recipient": user,
                        "key": f"logbooks.review:{p.pk}:{oldest:%Y%m%dT%H%M%S}:{step}:{recipient_key(user)}",
                        "context": {"placement": p, "waiting": count, "since": since, "role": role},
                        "url": reverse("logbook-review")
                        if role == "mentor"
                        else reverse("logbook-placement", args=[p.pk]),
                    }
                )
        created += _send(items)
    return created
