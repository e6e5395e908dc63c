"""Demo meetings: for the demo placements, the proposed schedule planned, the first one held.

Rows are written directly (no invitation mails) so seeding stays quiet and repeatable.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from meetings.models import Action, Kind, Meeting, Participant
from meetings.selectors import proposed_schedule
from meetings.services import _placement_people, _title
from placements.models import Placement


def seed_mentor_day(institution) -> None:
    """A mentor start day (10:00-16:00) with its matching session, every mentor invited."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from workplaces.models import Mentor

    if Meeting.objects.filter(kind=Kind.MENTOR_DAY).exists():
        return
    brussels = ZoneInfo("Europe/Brussels")
    day = timezone.localdate() + timedelta(days=21)
    while day.isoweekday() != 3:  # a Wednesday
        day += timedelta(days=1)
    at = lambda h: datetime.combine(day, time(h), tzinfo=brussels)  # noqa: E731
    start_day = Meeting.objects.create(
        kind=Kind.MENTOR_DAY, title="Startdag mentoren", starts_at=at(10), ends_at=at(16),
        location=f"Campus {institution.name}",
    )  # fmt: skip
    session = Meeting.objects.create(
        kind=Kind.MATCHING_SESSION, title="Matchingsessie · Startdag mentoren", starts_at=at(14),
        ends_at=at(16), location=f"Campus {institution.name}", part_of=start_day,
    )  # fmt: skip
    mentors = list(Mentor.objects.select_related("user")[:20])
    for meeting in (start_day, session):
        Participant.objects.bulk_create(
            Participant(
                institution_id=meeting.institution_id,
                meeting=meeting,
                user=m.user,
                name=f"{m.first_name} {m.last_name}",
                email=m.user.email if m.user_id else m.email,
                role="mentor",
            )  # fmt: skip
            for m in mentors
        )


def seed(institution) -> None:
    seed_mentor_day(institution)
    placements = Placement.objects.select_related("student__user", "mentor__user", "supervisor__user")[:6]
    today = timezone.localdate()
    for placement in placements:
        if placement.meetings.exists():
            continue
        slots = proposed_schedule(placement=placement, today=today - timedelta(days=10))[:4]
        if not slots:
            # No calendar for the placement's year: two meetings next week and the week after.
            base = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=7)
            slots = [(Kind.START, base - timedelta(days=14)), (Kind.TRIALOGUE, base)]
        people = _placement_people(placement)
        for i, (kind, at) in enumerate(slots):
            meeting = Meeting.objects.create(
                placement=placement,
                kind=kind,
                title=_title(kind, placement),
                starts_at=at,
                ends_at=at + timedelta(hours=1),
                location=placement.organisation.name,
                organiser=placement.supervisor.user if placement.supervisor_id else None,
            )
            Participant.objects.bulk_create(
                Participant(
                    institution_id=meeting.institution_id,
                    meeting=meeting,
                    user=user,
                    name=name,
                    email=email or "",
                    role=role,
                )
                for role, user, name, email in people
            )
            if i == 0 and at < timezone.now():
                meeting.status = Meeting.Status.HELD
                meeting.notes = "Leerplan overlopen; doelen voor het eerste semester vastgelegd."
                meeting.minutes_at = at + timedelta(hours=2)
                meeting.save()
                student_user = placement.student.user
                Action.objects.create(
                    meeting=meeting,
                    description="Leerplan aanvullen met twee eigen leerdoelen",
                    owner=student_user,
                    due_date=today + timedelta(days=7),
                )
