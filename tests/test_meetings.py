"""Meetings: planning, iCalendar invitations, answers by link, minutes, feed and reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import vobject
from django.core import mail
from django.urls import reverse

from meetings import selectors, services
from meetings.models import Action, Meeting, Participant
from meetings.tasks import sweep_meetings_tomorrow, sweep_minutes_due
from tests.conftest import login, shown
from tests.factories import MeetingFactory, create_in_tenant, meetings_placement
from wpl import registry
from wpl.models import Notification
from wpl.tenancy import tenant_context

pytestmark = pytest.mark.django_db
AT = datetime(2027, 2, 3, 9, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def world(personas, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    a = personas.a
    placement = meetings_placement(
        a,
        student_user=personas("a", "student").user,
        mentor_user=personas("a", "mentor").user,
        supervisor=personas("a", "supervisor"),
        marker="A",
    )
    return placement


def _schedule(personas, placement, **kw):
    with tenant_context(personas.a):
        return services.schedule_meeting(
            actor=personas("a", "supervisor"), placement=placement, kind=kw.pop("kind", "trialogue"),
            starts_at=kw.pop("starts_at", AT), location="Werkplek", **kw,
        )  # fmt: skip


def _parse_both(text: str):
    """Two independent parsers must accept the invitation and agree on it."""
    cal = icalendar.Calendar.from_ical(text)
    event = next(iter(cal.walk("VEVENT")))
    other = vobject.readOne(text)
    assert str(other.vevent.uid.value) == str(event["uid"])
    assert int(other.vevent.sequence.value) == int(event["sequence"])
    assert other.vevent.dtstart.value == event.decoded("dtstart")
    assert other.method.value == str(cal["method"])
    return cal, event


def test_invitations_request_update_cancel_parse_in_two_parsers(
    personas, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(personas, world)
    assert {p.role for p in Participant.all_tenants.filter(meeting=meeting)} == {
        "student",
        "mentor",
        "supervisor",
    }
    assert len(mail.outbox) == 3
    invite = mail.outbox[0]
    name, content, mimetype = invite.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    cal, event = _parse_both(content)
    assert str(cal["method"]) == "REQUEST" and int(event["sequence"]) == 0
    assert event.decoded("dtstart") == AT
    attendees = {str(a).lower() for a in event.get("attendee")}
    assert f"mailto:{personas('a', 'mentor').user.email}" in attendees
    uid = str(event["uid"])

    with django_capture_on_commit_callbacks(execute=True), tenant_context(personas.a):
        services.reschedule_meeting(
            actor=personas("a", "supervisor"), meeting=meeting, starts_at=AT + timedelta(days=1)
        )
    _, moved = _parse_both(mail.outbox[-1].attachments[0][1])
    assert str(moved["uid"]) == uid and int(moved["sequence"]) == 1
    assert moved.decoded("dtstart") == AT + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True), tenant_context(personas.a):
        services.cancel_meeting(actor=personas("a", "supervisor"), meeting=meeting)
    cal, cancelled = _parse_both(mail.outbox[-1].attachments[0][1])
    assert str(cal["method"]) == "CANCEL" and str(cancelled["uid"]) == uid and int(cancelled["sequence"]) == 2
    assert len(mail.outbox) == 9  # 3 people x (invite, update, cancel), never twice
    # Running the same sending again sends nothing: one row per participant and sequence.
    with tenant_context(personas.a):
        assert services.send_invitations(Meeting.objects.get(pk=meeting.pk), method="CANCEL") == 0


def test_mentor_accepts_by_link_without_signing_in(personas, world, client):
    meeting = _schedule(personas, world)
    mentor = Participant.all_tenants.get(meeting=meeting, role="mentor")
    url = reverse("meetings-respond", args=[services.respond_token(mentor)])
    page = client.get(url)
    assert page.status_code == 200 and meeting.title in page.content.decode()
    done = client.post(url, {"response": "accepted"})
    assert done.status_code == 200
    mentor.refresh_from_db()
    assert mentor.response == "accepted" and mentor.responded_at
    assert "_auth_user_id" not in client.session  # not signed in
    # A tampered or unknown token is refused.
    assert client.get(url[:-3] + "xx/").status_code == 404


def test_proposal_of_another_time_reaches_the_organiser(personas, world, client):
    meeting = _schedule(personas, world)
    student = Participant.all_tenants.get(meeting=meeting, role="student")
    url = reverse("meetings-respond", args=[services.respond_token(student)])
    bad = client.post(url, {"response": "proposed"})
    assert bad.status_code == 400
    assert shown("Enter the date and time you propose.") in bad.content.decode()
    client.post(url, {"response": "proposed", "proposed_start": "2027-02-10T14:00"})
    student.refresh_from_db()
    assert student.response == "proposed" and student.proposed_start is not None
    assert (
        Notification.all_tenants.filter(recipient=personas("a", "supervisor").user, kind="answer").count()
        == 1
    )


def test_proposed_schedule_on_wpl_days_mentor_days_and_spread(personas, world):
    with tenant_context(personas.a):
        slots = selectors.proposed_schedule(placement=world, today=date(2026, 11, 1))
        days = set(selectors.WplDayCalendar([world], absences=False).days(world))
    kinds = [k for k, _ in slots]
    assert kinds[0] == "start" and kinds[-1] == "evaluation"
    assert kinds.count("trialogue") == 4 and kinds.count("supervision") == 4
    local = [s.astimezone(selectors.BRUSSELS) for _, s in slots]
    assert all(d.date() in days for d in local)
    assert all(d.isoweekday() in (3, 4) for d in local)  # mentor reachable Wed-Thu only
    assert local == sorted(local)
    assert (local[-1] - local[0]).days > 150  # spread over the year
    assert len({d.date() for d in local}) == len(local)


def test_planning_the_proposal_and_coverage(personas, world):
    coordinator = login(personas("a", "coordinator"))
    page = coordinator.get(reverse("meetings-coverage"))
    assert "Student A" in page.content.decode()
    supervisor = login(personas("a", "supervisor"))
    response = supervisor.post(reverse("meetings-placement", args=[world.pk]), {"plan_all": "1"})
    assert response.status_code == 302
    assert Meeting.all_tenants.filter(placement=world).count() >= 11
    page = coordinator.get(reverse("meetings-coverage"))
    assert "Student A" not in page.content.decode()
    # The student sees the meetings but may not plan any.
    student = login(personas("a", "student"))
    assert student.get(reverse("meetings-list")).content.decode().count('class="meeting"') >= 1
    assert student.post(reverse("meetings-placement", args=[world.pk]), {"plan_all": "1"}).status_code == 403


def test_minutes_actions_on_owner_start_page_and_plan_revision(personas, world):
    meeting = _schedule(personas, world)
    seen = []
    registry.register_event_handler("learning_plan.revision_requested", lambda **kw: seen.append(kw))
    try:
        client = login(personas("a", "supervisor"))
        student = Participant.all_tenants.get(meeting=meeting, role="student")
        response = client.post(
            reverse("meetings-detail", args=[meeting.pk]),
            {
                "op": "minutes", "notes": "Goed gesprek", "attended": [student.pk],
                "action_0": "Leerplan herschrijven", "owner_0": personas("a", "student").user_id,
                "due_0": "2027-02-20", "opens_plan_revision": "on",
            },
        )  # fmt: skip
        assert response.status_code == 302
    finally:
        registry._registry.event_handlers["learning_plan.revision_requested"].clear()
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.opens_plan_revision
    assert seen and seen[0]["placement_id"] == world.pk
    assert Participant.all_tenants.get(pk=student.pk).attended is True
    home = login(personas("a", "student")).get("/").content.decode()
    assert shown("Agreed actions to do") in home
    action = Action.all_tenants.get()
    client = login(personas("a", "student"))
    client.post(reverse("meetings-action-done", args=[action.pk]))
    action.refresh_from_db()
    assert action.done_at is not None


def test_minutes_form_keeps_input_on_error(personas, world):
    meeting = _schedule(personas, world)
    client = login(personas("a", "supervisor"))
    response = client.post(
        reverse("meetings-detail", args=[meeting.pk]),
        {"op": "minutes", "notes": "Mijn notities", "action_0": "Iets doen"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Mijn notities" in body and shown("Give the action a due date.") in body


def test_calendar_feed_is_secret_revocable_and_tenant_scoped(personas, world, client):
    meeting = _schedule(personas, world)
    mentor = personas("a", "mentor").user
    # A meeting in institution B naming the same person, who is not a member of B.
    b_meeting = MeetingFactory(institution=personas.b, title="Geheim B")
    create_in_tenant(Participant,
        institution=personas.b, meeting=b_meeting, user=mentor, name="x", role="mentor"
    )
    settings_page = login(personas("a", "mentor"))
    page = settings_page.post(reverse("meetings-calendar"), {"op": "regenerate"}).content.decode()
    url = page.split('id="feed-url"')[1].split('value="')[1].split('"')[0]
    path = url.replace("http://testserver", "")
    feed = client.get(path)
    assert feed.status_code == 200
    cal = icalendar.Calendar.from_ical(feed.content)
    titles = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert titles == [meeting.title]
    vobject.readOne(feed.content.decode())
    settings_page.post(reverse("meetings-calendar"), {"op": "regenerate"})
    assert client.get(path).status_code == 404  # the old address was revoked
    settings_page.post(reverse("meetings-calendar"), {"op": "revoke"})
    from meetings.models import CalendarFeed

    assert not CalendarFeed.objects.filter(user=mentor).exists()


def test_meetings_tomorrow_sent_once_and_caught_up(personas, world):
    meeting = _schedule(personas, world)
    with tenant_context(personas.a):
        day_before = meeting.starts_at - timedelta(hours=20)
        assert sweep_meetings_tomorrow(meeting.starts_at - timedelta(days=3)) == 0
        assert sweep_meetings_tomorrow(day_before) == 3
        assert sweep_meetings_tomorrow(day_before + timedelta(minutes=1)) == 0
    keys = Notification.all_tenants.filter(kind="tomorrow").values_list("key", flat=True)
    assert len(set(keys)) == 3


def test_minutes_due_escalates_and_catches_up(personas, world):
    meeting = _schedule(personas, world)
    with tenant_context(personas.a):
        assert sweep_minutes_due(meeting.ends_at + timedelta(days=1)) == 0
        # The sweep was down for weeks: both steps fell due meanwhile, each is sent once.
        later = meeting.ends_at + timedelta(days=30)
        assert sweep_minutes_due(later) == 2
        assert sweep_minutes_due(later) == 0
    rows = Notification.all_tenants.filter(kind="minutes_due").order_by("key")
    assert [r.key.split(":")[2] for r in rows] == ["0", "1"]


def test_another_institutions_meeting_answers_404(personas, world):
    b_meeting = MeetingFactory(institution=personas.b, title="Geheim B")
    client = login(personas("a", "coordinator"))
    assert client.get(reverse("meetings-detail", args=[b_meeting.pk])).status_code == 404
    assert client.get(reverse("meetings-ics", args=[b_meeting.pk])).status_code == 404
