"""Meeting reminders: two fixed sweeps registered with the core (see meetings.apps).

Both run per institution inside `wpl.tasks.run_reminder_sweeps(institution_id=...)` and
find everything due up to `now`, so a sweep that did not run for a while catches up; the
notification keys make a re-run send nothing twice.
"""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting, Participant
from placements.reminders import Rule, due_steps, rules_for
from wpl.notifications import notify_many, people, url_for_id
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


def _with_people(items: list[dict]) -> list[dict]:
    """The items' recipients (user ids) as `Person` rows, read in one query; an item
    without an account keeps None (it is reached at its e-mail address)."""
    found = people({i["recipient"] for i in items if i["recipient"] is not None})
    return [
        dict(i, recipient=found[i["recipient"]]) if i["recipient"] is not None else i
        for i in items
        if i["recipient"] is None or i["recipient"] in found
    ]


def sweep_meetings_tomorrow(now: datetime) -> int:
    """Every participant of a planned meeting that starts before the end of tomorrow.

    One query reads the participants with their meetings; then three per batch of BATCH
    meetings (recipients, keys already sent, one insert through `notify_many`). The text
    is rendered once per language and start time; titles and places are filled in.
    """
    local = now.astimezone(BRUSSELS)
    until = datetime.combine(local.date() + timedelta(days=2), time(0), tzinfo=BRUSSELS)
    rows = list(
        Participant.objects.filter(
            meeting__status=Meeting.Status.PLANNED, meeting__starts_at__gt=now, meeting__starts_at__lt=until
        )
        .exclude(response=Participant.Response.DECLINED)
        .order_by("meeting__starts_at", "meeting_id", "pk")
        .values_list(
            "meeting_id", "meeting__sequence", "meeting__title", "meeting__location", "meeting__starts_at",
            "user_id", "email",
        )
    )  # fmt: skip
    detail_url = url_for_id("meetings-detail")
    created, items, in_batch, previous = 0, [], 0, None
    for meeting_id, sequence, title, location, starts_at, user_id, email in rows:
        if meeting_id != previous:
            previous = meeting_id
            if in_batch == BATCH:  # a batch holds every participant of BATCH meetings
                created += _tomorrow(items)
                items, in_batch = [], 0
            in_batch += 1
        items.append(
            {
                "recipient": user_id,
                "email_address": email,
                "key": f"meetings.tomorrow:{meeting_id}:{sequence}:"
                + (f"u{user_id}" if user_id is not None else email.strip().lower()),
                "context": {"meeting.starts_at": starts_at},
                "text": {"meeting.title": title, "meeting.location": location},
                "url": detail_url(meeting_id) if user_id else "",
            }
        )
    return created + _tomorrow(items)


def _tomorrow(items: list[dict]) -> int:
    if not items:
        return 0
    return len(notify_many(template="meetings/notifications/tomorrow", items=_with_people(items)))


def sweep_minutes_due(now: datetime) -> int:
    """Meetings that took place without minutes: the organiser first, then the next steps.

    One query reads the meetings with their people, one the programmes' rules; then
    three per batch of BATCH meetings with something due.
    """
    today = now.astimezone(BRUSSELS).date()
    meetings = list(
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED,
            ends_at__lt=now,
            # Older meetings without minutes were chased through every step already.
            ends_at__gte=now - timedelta(days=MINUTES_HORIZON_DAYS),
            minutes_at__isnull=True,
        )
        .order_by("pk")
        .values_list(
            "pk", "title", "starts_at", "ends_at", "organiser_id", "placement_id", "placement__programme_id",
            "placement__supervisor__user_id", "placement__mentor__user_id",
        )
    )  # fmt: skip
    if not meetings:
        return 0
    detail_url = url_for_id("meetings-detail")
    rules = rules_for({m[6] for m in meetings if m[5]}, "meetings.minutes", default=MINUTES_DEFAULT)
    created = 0
    for start in range(0, len(meetings), BATCH):
        items = []
        for pk, title, starts_at, ends_at, organiser, placement, programme, supervisor, mentor in meetings[
            start : start + BATCH
        ]:
            rule = rules.get(programme, MINUTES_DEFAULT) if placement else MINUTES_DEFAULT
            held_on = ends_at.astimezone(BRUSSELS).date()
            people_of = {"organiser": organiser, "supervisor": supervisor, "mentor": mentor}
            for step, role, _due in due_steps(
                rule, nth_day=lambda n, d=held_on: d + timedelta(days=n), today=today
            ):
                user_id = people_of.get(role)
                if user_id is None:
                    continue
                items.append(
                    {
                        "recipient": user_id,
                        "key": f"meetings.minutes-due:{pk}:{step}:u{user_id}",
                        # The text names the meeting and its date, not the person.
                        "context": {"meeting.starts_at": starts_at},
                        "text": {"meeting.title": title},
                        "url": detail_url(pk),
                    }
                )
        if items:
            created += len(
                notify_many(template="meetings/notifications/minutes_due", items=_with_people(items))
            )
    return created
