"""Meeting reminders: two fixed sweeps registered with the core (see meetings.apps).

Both run per institution inside `wpl.tasks.run_reminder_sweeps(institution_id=...)` and
find everything due up to `now`, so a sweep that did not run for a while catches up; the
notification keys make a re-run send nothing twice.
"""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting
from placements.reminders import Rule, due_steps, rules_for
from wpl.notifications import notify_many, recipient_key
from wpl.registry import ReminderKind

BRUSSELS = ZoneInfo("Europe/Brussels")
# Meetings per batch of a sweep (one insert per batch); the killed-worker test makes it small.
BATCH = int(os.environ.get("WPL_SWEEP_BATCH", "500"))
MINUTES_HORIZON_DAYS = 120
MINUTES_DEFAULT = Rule(days=2, steps=("organiser", "supervisor"), step_days=5)
MINUTES_KIND = ReminderKind(
    kind="meetings.minutes",
    label=_("Minutes of a meeting not recorded after N days"),
    days=MINUTES_DEFAULT.days,
    steps=MINUTES_DEFAULT.steps,
    step_days=MINUTES_DEFAULT.step_days,
    roles=("organiser", "supervisor", "mentor"),
    unit="days",
    order=20,
)


def sweep_meetings_tomorrow(now: datetime) -> int:
    """Every participant of a planned meeting that starts before the end of tomorrow.

    Works in batches of meetings; one rendering per meeting and language, one insert per
    batch (`notify_many`), so a large institution costs a few queries per batch.
    """
    local = now.astimezone(BRUSSELS)
    until = datetime.combine(local.date() + timedelta(days=2), time(0), tzinfo=BRUSSELS)
    ids = list(
        Meeting.objects.filter(status=Meeting.Status.PLANNED, starts_at__gt=now, starts_at__lt=until)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        meetings = Meeting.objects.filter(pk__in=batch).prefetch_related("participants__user")
        items = []
        for meeting in meetings:
            url = reverse("meetings-detail", args=[meeting.pk])
            prefix = f"meetings.tomorrow:{meeting.pk}:{meeting.sequence}"
            items += [
                {
                    "recipient": p.user,
                    "email_address": p.email,
                    "key": f"{prefix}:{recipient_key(p.user, p.email)}",
                    "context": {"meeting": meeting},
                    "url": url if p.user_id else "",
                    "render_key": f"meeting:{meeting.pk}",
                }
                for p in meeting.participants.all()
                if p.response != p.Response.DECLINED
            ]
        created += len(notify_many(template="meetings/notifications/tomorrow", items=items))
    return created


def _minutes_recipient(meeting: Meeting, role: str):
    if role == "organiser":
        return meeting.organiser
    placement = meeting.placement
    if placement is None:
        return None
    if role == "supervisor" and placement.supervisor_id:
        return placement.supervisor.user
    if role == "mentor" and placement.mentor_id:
        return placement.mentor.user
    return None


def sweep_minutes_due(now: datetime) -> int:
    """Meetings that took place without minutes: the organiser first, then the next steps.

    In batches of meetings, like `sweep_meetings_tomorrow`: a fixed number of queries per
    batch (the meetings with their people, the programmes' rules, one insert).
    """
    today = now.astimezone(BRUSSELS).date()
    ids = list(
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED,
            ends_at__lt=now,
            # Older meetings without minutes were chased through every step already.
            ends_at__gte=now - timedelta(days=MINUTES_HORIZON_DAYS),
            minutes_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created = 0
    for start in range(0, len(ids), BATCH):
        meetings = list(
            Meeting.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related("organiser", "placement__supervisor__user", "placement__mentor__user")
            .order_by("pk")
        )
        rules = rules_for(
            {m.placement.programme_id for m in meetings if m.placement_id},
            "meetings.minutes",
            default=MINUTES_DEFAULT,
        )
        items = []
        for meeting in meetings:
            rule = (
                rules.get(meeting.placement.programme_id, MINUTES_DEFAULT)
                if meeting.placement_id
                else MINUTES_DEFAULT
            )
            held_on = meeting.ends_at.astimezone(BRUSSELS).date()
            url = reverse("meetings-detail", args=[meeting.pk])
            for step, role, due in due_steps(
                rule, nth_day=lambda n, d=held_on: d + timedelta(days=n), today=today
            ):
                user = _minutes_recipient(meeting, role)
                if user is None:
                    continue
                items.append(
                    {
                        "recipient": user,
                        "key": f"meetings.minutes-due:{meeting.pk}:{step}:{recipient_key(user)}",
                        "context": {"meeting": meeting, "due": due},
                        "url": url,
                        # The text names the meeting and the due date, not the person.
                        "render_key": f"meeting:{meeting.pk}:{due.isoformat()}",
                    }
                )
        created += len(notify_many(template="meetings/notifications/minutes_due", items=items))
    return created
