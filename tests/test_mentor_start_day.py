"""The mentor start day: one event for many mentors with its matching session, invited by
iCalendar; more mentors invited later get one invitation each, nobody twice."""

from __future__ import annotations

import icalendar
import pytest
import vobject
from django.core import mail
from django.urls import reverse

from meetings.models import Meeting, Participant
from tests.conftest import login, shown
from tests.factories import MeetingFactory, MentorFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentors(personas, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    organisation = OrganisationFactory(institution=personas.a, name="Vzw Onthaal")
    return [
        MentorFactory(institution=personas.a, organisation=organisation, last_name=f"Mentor{i}", user=None)
        for i in range(3)
    ]


def _post(client, mentors, **extra):
    data = {
        "title": "Startdag mentoren",
        "starts_at": "2026-10-07T10:00",
        "ends_at": "2026-10-07T16:00",
        "location": "Campus Brussel",
        "session_starts_at": "2026-10-07T14:00",
        "session_ends_at": "2026-10-07T16:00",
        "mentors": [m.pk for m in mentors],
        **extra,
    }
    return client.post(reverse("meetings-mentor-days"), data)


def test_coordinator_plans_a_start_day_with_matching_session_and_invites(
    personas, mentors, django_capture_on_commit_callbacks
):
    client = login(personas("a", "coordinator"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, mentors[:2])
    assert response.status_code == 302
    day = Meeting.all_tenants.get(kind="mentor_day")
    session = Meeting.all_tenants.get(kind="matching_session")
    assert session.part_of == day and day.institution_id == personas.a.pk
    assert Participant.all_tenants.filter(meeting=day).count() == 2
    assert Participant.all_tenants.filter(meeting=session).count() == 2
    # Two mentors x (the day, the session), each a calendar invitation both parsers read.
    assert len(mail.outbox) == 4
    uids = set()
    for message in mail.outbox:
        _name, text, mimetype = message.attachments[0]
        assert mimetype.startswith("text/calendar")
        event = next(iter(icalendar.Calendar.from_ical(text).walk("VEVENT")))
        assert str(vobject.readOne(text).vevent.uid.value) == str(event["uid"])
        uids.add(str(event["uid"]))
    assert uids == {f"{day.uid}@wpl", f"{session.uid}@wpl"}
    page = client.get(response["Location"]).content.decode()
    assert "Mentor0" in page and shown("Matching session") in page

    # A third mentor later: only that mentor gets the two invitations.
    with django_capture_on_commit_callbacks(execute=True):
        more = client.post(reverse("meetings-mentor-day", args=[day.pk]), {"mentors": [mentors[2].pk]})
    assert more.status_code == 302
    assert len(mail.outbox) == 6
    assert {m.to[0] for m in mail.outbox[4:]} == {mentors[2].email}
    assert Participant.all_tenants.filter(meeting=session).count() == 3
    listing = client.get(reverse("meetings-mentor-days")).content.decode()
    assert "Startdag mentoren" in listing


def test_bad_input_keeps_what_was_typed(personas, mentors):
    client = login(personas("a", "coordinator"))
    response = _post(
        client, mentors, session_starts_at="2026-10-07T17:00", session_ends_at="2026-10-07T18:00"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert shown("The matching session must fall within the start day.") in body
    assert "Campus Brussel" in body
    response = _post(client, [], ends_at="2026-10-07T09:00")
    body = response.content.decode()
    assert shown("The end must come after the start.") in body
    assert shown("Choose at least one mentor to invite.") in body
    assert not Meeting.all_tenants.filter(kind="mentor_day").exists()


def test_only_staff_and_only_own_institution(personas, mentors):
    assert login(personas("a", "mentor")).get(reverse("meetings-mentor-days")).status_code == 403
    b_day = MeetingFactory(institution=personas.b, kind="mentor_day", title="Startdag B")
    client = login(personas("a", "coordinator"))
    assert client.get(reverse("meetings-mentor-day", args=[b_day.pk])).status_code == 404
    assert "Startdag B" not in client.get(reverse("meetings-mentor-days")).content.decode()
