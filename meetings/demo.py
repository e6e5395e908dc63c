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


def seed(institution) -> None:
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
