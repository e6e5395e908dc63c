"""iCalendar invitations and feeds, built with the `icalendar` library.

Invitations use METHOD:REQUEST (new or changed, with a higher SEQUENCE) and METHOD:CANCEL,
one stable UID per meeting, ORGANIZER and ATTENDEE lines, and times in UTC (which every
calendar program shows in its own zone), so Outlook, Google Calendar and Apple Calendar
update the event they already have.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from meetings.models import Meeting, Participant

PRODID = "-//WPL//Meetings//NL"


def _organiser_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@wpl.localhost"


def _event(meeting: Meeting, participants: Iterable[Participant], *, cancelled: bool = False) -> Event:
    event = Event()
    event.add("uid", f"{meeting.uid}@wpl")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{_organiser_address()}")
    organizer.params["cn"] = vText("WPL")
    event.add("organizer", organizer)
    for p in participants:
        if not p.email:
            continue
        attendee = vCalAddress(f"mailto:{p.email}")
        attendee.params["cn"] = vText(p.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(
            {"accepted": "ACCEPTED", "declined": "DECLINED"}.get(p.response, "NEEDS-ACTION")
        )
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    return event


def invitation(meeting: Meeting, *, method: str = "REQUEST") -> str:
    """The .ics text of an invitation (REQUEST) or a cancellation (CANCEL)."""
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError(method)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    cal.add_component(_event(meeting, meeting.participants.all(), cancelled=method == "CANCEL"))
    return cal.to_ical().decode()


def feed(meetings: Iterable[Meeting], *, name: str) -> str:
    """A subscription feed (no METHOD) with the given meetings; cancelled ones are marked so."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(
            _event(meeting, meeting.participants.all(), cancelled=meeting.status == Meeting.Status.CANCELLED)
        )
    return cal.to_ical().decode()
