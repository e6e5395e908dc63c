"""The logbook's API with writes, scoped like the pages: entries (idempotent by client key),
review steps and week approval, absences; same rules and translated errors as the pages.

Every answer is also checked against the OpenAPI schema (tests/conftest.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from logbooks.models import Absence, ClientWrite, Entry, EntryRevision, Review
from tests.conftest import login, shown
from tests.factories import (
    AbsenceFactory,
    CompetenceFactory,
    LogbookEntryFactory,
    ProgrammeFactory,
    make_logbook_placement,
)
from wpl.models import AuditEvent, Notification

JSON = "application/json"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

ENTRIES = "/api/logbook-entries/"
REVIEWS = "/api/logbook-reviews/"
ABSENCES = "/api/logbook-absences/"


def weekdays_back(n: int, start=None):
    day = start or timezone.localdate() - timedelta(days=1)
    days = []
    while len(days) < n:
        if day.isoweekday() <= 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


@pytest.fixture
def placement(personas):
    return make_logbook_placement(
        personas.a,
        student_user=personas("a", "student").user,
        mentor_user=personas("a", "mentor").user,
        supervisor=personas("a", "supervisor"),
    )


@pytest.fixture
def student(personas):
    return login(personas("a", "student"))


@pytest.fixture
def mentor(personas):
    return login(personas("a", "mentor"))


def post(client, url, data, **headers):
    return client.post(url, data, content_type=JSON, **headers)


def patch(client, url, data):
    return client.patch(url, data, content_type=JSON)


def entry_body(placement, **kw):
    body = {
        "placement": placement.pk,
        "date": weekdays_back(1)[0].isoformat(),
        "hours": "7.50",
        "activities": "Intakegesprekken voorbereid",
    }
    body.update(kw)
    return body


# --- entries ---------------------------------------------------------------------------------
def test_student_creates_an_entry_and_a_replayed_key_changes_nothing(personas, placement, student, in_tenant):
    key = str(uuid.uuid4())
    competence = CompetenceFactory(institution=personas.a, programme=placement.programme)
    first = post(student, ENTRIES, entry_body(placement, client_key=key, competences=[competence.pk]))
    assert first.status_code == 201, first.content
    data = first.json()
    assert (
        data["status"] == "submitted" and data["hours"] == "7.50" and data["competences"] == [competence.pk]
    )
    assert "client_key" not in data

    # The phone lost the answer and sends the same write again, even with other text.
    again = post(student, ENTRIES, entry_body(placement, client_key=key, activities="Iets anders"))
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    with in_tenant(personas.a):
        entry = Entry.objects.get()
        assert entry.activities == "Intakegesprekken voorbereid" and entry.revision == 1
        assert ClientWrite.objects.filter(key=key, entry=entry).count() == 1
    event = AuditEvent.all_tenants.get(action="logbook.entry.create")
    assert (event.actor_user_id, event.object_id) == (personas("a", "student").user_id, data["id"])


def test_a_second_create_for_the_day_edits_the_first_with_a_revision(personas, placement, student, in_tenant):
    first = post(student, ENTRIES, entry_body(placement))
    second = post(student, ENTRIES, entry_body(placement, hours="6", activities="Verslag geschreven"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"] and second.json()["revision"] == 2
    with in_tenant(personas.a):
        assert EntryRevision.objects.get().snapshot["activities"] == "Intakegesprekken voorbereid"


def test_entry_rules_answer_the_pages_messages(personas, placement, student, in_tenant):
    tomorrow = timezone.localdate() + timedelta(days=1)
    future = post(student, ENTRIES, entry_body(placement, date=tomorrow.isoformat()))
    assert future.status_code == 400
    assert future.json() == {"date": [shown("You cannot log a day in the future.")]}
    empty = post(student, ENTRIES, entry_body(placement, activities="  "))
    assert empty.json() == {"activities": [shown("Write briefly what you did today.")]}
    too_long = post(student, ENTRIES, entry_body(placement, hours="30"))
    assert too_long.json() == {"hours": [shown("The hours must be more than 0 and at most 24.")]}
    backwards = post(
        student, ENTRIES, entry_body(placement, hours=None, start_time="17:00", end_time="08:00")
    )
    assert backwards.json() == {"end_time": [shown("The end must come after the start (minus the break).")]}
    with in_tenant(personas.a):
        assert not Entry.objects.exists()
    assert not AuditEvent.all_tenants.filter(action__startswith="logbook.entry").exists()


def test_hours_from_start_end_and_break(placement, student):
    response = post(
        student,
        ENTRIES,
        entry_body(placement, hours=None, start_time="08:30", end_time="17:00", break_minutes=30),
    )
    assert response.status_code == 201
    assert response.json()["hours"] == "8.00"


def test_student_edits_with_patch_but_not_another_day_nor_an_approved_entry(
    personas, placement, student, in_tenant
):
    created = post(
        student,
        ENTRIES,
        entry_body(placement, hours=None, start_time="09:00", end_time="17:00", break_minutes=30),
    ).json()
    url = f"{ENTRIES}{created['id']}/"
    edited = patch(student, url, {"activities": "Teamoverleg", "hours": "6"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["activities"] == "Teamoverleg" and edited.json()["revision"] == 2
    # Hours without times: the hours count, the old times are dropped.
    assert edited.json()["hours"] == "6.00" and edited.json()["start_time"] is None
    other_day = patch(student, url, {"date": weekdays_back(2)[1].isoformat()})
    assert other_day.status_code == 400 and set(other_day.json()) == {"date"}
    with in_tenant(personas.a):
        Entry.objects.filter(pk=created["id"]).update(status="approved")
    locked = patch(student, url, {"activities": "Achteraf aangepast"})
    assert locked.status_code == 400
    assert locked.json() == {
        "date": [shown("This day is approved and locked. Ask your mentor to reopen it for a correction.")]
    }


def test_entry_writes_are_scoped(personas, placement, student, mentor, in_tenant):
    foreign = make_logbook_placement(personas.b)  # another institution
    classmate = make_logbook_placement(personas.a)  # another student of the same institution
    for other in (foreign, classmate):
        response = post(student, ENTRIES, entry_body(other))
        assert response.status_code == 400 and set(response.json()) == {"placement"}
    other_programme = CompetenceFactory(
        institution=personas.a, programme=ProgrammeFactory(institution=personas.a)
    )
    response = post(student, ENTRIES, entry_body(placement, competences=[other_programme.pk]))
    assert response.status_code == 400 and set(response.json()) == {"competences"}
    response = post(student, ENTRIES, entry_body(placement, site=foreign.site_id))
    assert response.status_code == 400 and set(response.json()) == {"site"}
    # Another institution's entry: 404; a mentor does not write entries: 403.
    theirs = LogbookEntryFactory(institution=personas.b, placement=foreign, date=weekdays_back(1)[0])
    assert patch(student, f"{ENTRIES}{theirs.pk}/", {"activities": "x"}).status_code == 404
    assert post(mentor, ENTRIES, entry_body(placement)).status_code == 403
    with in_tenant(personas.a):
        assert not Entry.objects.exists()


def test_entry_list_queries_do_not_grow_with_entries(
    personas, placement, student, django_assert_max_num_queries
):
    for day in weekdays_back(40):
        LogbookEntryFactory(institution=personas.a, placement=placement, date=day)
    with django_assert_max_num_queries(12):
        response = student.get(ENTRIES, HTTP_ACCEPT=JSON)
    assert response.json()["count"] == 40


# --- reviews ---------------------------------------------------------------------------------
@pytest.fixture
def waiting(personas, placement):
    return [
        LogbookEntryFactory(institution=personas.a, placement=placement, date=d) for d in weekdays_back(3)
    ]


def test_mentor_approves_an_entry_once(personas, waiting, mentor, in_tenant):
    entry = waiting[0]
    response = post(mentor, REVIEWS, {"entry": entry.pk, "action": "approve"})
    assert response.status_code == 201, response.content
    assert response.json()["action"] == "approve" and response.json()["author_role"] == "mentor"
    with in_tenant(personas.a):
        assert Entry.objects.get(pk=entry.pk).status == "approved"
    again = post(mentor, REVIEWS, {"entry": entry.pk, "action": "approve"})
    assert again.status_code == 409
    assert again.json() == {"detail": shown("Only an entry waiting for review can be approved.")}
    with in_tenant(personas.a):
        assert Review.objects.filter(entry=entry, action="approve").count() == 1


def test_send_back_needs_a_reason_and_tells_the_student(personas, waiting, mentor, in_tenant):
    entry = waiting[0]
    bare = post(mentor, REVIEWS, {"entry": entry.pk, "action": "return"})
    assert bare.status_code == 400
    assert bare.json() == {"comment": [shown("Say what the student should change.")]}
    sent = post(mentor, REVIEWS, {"entry": entry.pk, "action": "return", "comment": "Meer detail graag"})
    assert sent.status_code == 201
    with in_tenant(personas.a):
        assert Entry.objects.get(pk=entry.pk).status == "returned"
        assert Notification.objects.filter(recipient=personas("a", "student").user).exists()
    assert AuditEvent.all_tenants.filter(action="logbook.entry.return", object_id=entry.pk).exists()


def test_supervisor_comments_but_cannot_approve_and_students_do_not_review(personas, waiting):
    supervisor = login(personas("a", "supervisor"))
    entry = waiting[0]
    comment = post(supervisor, REVIEWS, {"entry": entry.pk, "action": "comment", "comment": "Mooi"})
    assert comment.status_code == 201
    assert post(supervisor, REVIEWS, {"entry": entry.pk, "action": "approve"}).status_code == 403
    student = login(personas("a", "student"))
    assert post(student, REVIEWS, {"entry": entry.pk, "action": "comment", "comment": "x"}).status_code == 403


def test_review_of_an_invisible_entry_is_400(personas, waiting, mentor):
    foreign = LogbookEntryFactory(
        institution=personas.b, placement=make_logbook_placement(personas.b), date=weekdays_back(1)[0]
    )
    others = LogbookEntryFactory(
        institution=personas.a, placement=make_logbook_placement(personas.a), date=weekdays_back(1)[0]
    )
    for entry in (foreign, others):
        response = post(mentor, REVIEWS, {"entry": entry.pk, "action": "approve"})
        assert response.status_code == 400 and set(response.json()) == {"entry"}


def test_mentor_approves_a_whole_week_or_ticked_entries(personas, placement, mentor, in_tenant):
    second = make_logbook_placement(
        personas.a, mentor_user=personas("a", "mentor").user, programme=placement.programme
    )
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    week = [monday + timedelta(days=i) for i in range(3)]
    mine = [LogbookEntryFactory(institution=personas.a, placement=placement, date=d) for d in week]
    theirs = [LogbookEntryFactory(institution=personas.a, placement=second, date=d) for d in week]
    only_one = post(
        mentor, f"{REVIEWS}approve-week/", {"week": week[2].isoformat(), "placements": [placement.pk]}
    )
    assert only_one.status_code == 200 and only_one.json() == {"approved": 3}
    rest = post(mentor, f"{REVIEWS}approve-week/", {"week": monday.isoformat()})
    assert rest.json() == {"approved": 3}
    with in_tenant(personas.a):
        assert set(Entry.objects.values_list("status", flat=True)) == {"approved"}
        assert Entry.objects.filter(pk__in=[e.pk for e in mine + theirs]).count() == 6
    newer = LogbookEntryFactory(institution=personas.a, placement=placement, date=weekdays_back(1)[0])
    ticked = post(mentor, f"{REVIEWS}approve/", {"entries": [newer.pk, mine[0].pk]})
    assert ticked.json() == {"approved": 1}  # the approved one is left as it is
    foreign = make_logbook_placement(personas.b)
    bad = post(mentor, f"{REVIEWS}approve-week/", {"week": monday.isoformat(), "placements": [foreign.pk]})
    assert bad.status_code == 400 and set(bad.json()) == {"placements"}
    supervisor = login(personas("a", "supervisor"))
    assert post(supervisor, f"{REVIEWS}approve-week/", {"week": monday.isoformat()}).status_code == 403


def test_shared_mentor_approves_in_the_institution_named_by_the_header(personas, in_tenant):
    in_a, in_b = personas.shared_mentor
    placement_b = make_logbook_placement(personas.b, mentor_user=in_b.user)
    entry = LogbookEntryFactory(institution=personas.b, placement=placement_b, date=weekdays_back(1)[0])
    client = login(in_a)
    assert post(client, REVIEWS, {"entry": entry.pk, "action": "approve"}).status_code == 400
    response = post(client, REVIEWS, {"entry": entry.pk, "action": "approve"}, HTTP_X_INSTITUTION="beta")
    assert response.status_code == 201
    event = AuditEvent.all_tenants.get(action="logbook.entry.approve")
    assert event.institution_id == personas.b.pk


# --- absences --------------------------------------------------------------------------------
def absence_body(placement, **kw):
    today = timezone.localdate()
    body = {
        "placement": placement.pk,
        "kind": "sick",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=2)).isoformat(),
    }
    body.update(kw)
    return body


def test_student_reports_an_absence_and_mentor_and_coordinator_are_told(
    personas, placement, student, in_tenant
):
    response = post(student, ABSENCES, absence_body(placement, reason="griep"))
    assert response.status_code == 201, response.content
    assert response.json()["has_sick_note"] is False and "reason" not in response.json()
    with in_tenant(personas.a):
        absence = Absence.objects.get()
        assert absence.reason == ""  # never a diagnosis
        told = set(Notification.objects.filter(kind="absence").values_list("recipient__email", flat=True))
    assert {"mentor@alpha.test", "coordinator@alpha.test"} <= told
    wrong = post(student, ABSENCES, absence_body(placement, end_date="2000-01-01"))
    assert wrong.json() == {"end_date": [shown("The last day cannot be before the first day.")]}


def test_absence_with_a_sick_note_in_multipart_and_a_fake_file_is_refused(
    personas, placement, student, in_tenant
):
    body = absence_body(placement)
    ok = student.post(ABSENCES, {**body, "sick_note": SimpleUploadedFile("a.png", PNG)})
    assert ok.status_code == 201, ok.content
    assert ok.json()["has_sick_note"] is True and ok.json()["attest_received"] is True
    fake = SimpleUploadedFile("attest.pdf", b"MZ this is an executable", content_type="application/pdf")
    refused = student.post(ABSENCES, {**body, "sick_note": fake})
    assert refused.status_code == 400
    assert refused.json() == {
        "sick_note": [shown("Only a PDF, JPEG or PNG file can be added (checked from its content).")]
    }
    with in_tenant(personas.a):
        assert Absence.objects.count() == 1


def test_sick_note_added_later_and_the_attest_flag_is_for_staff(personas, placement, student, in_tenant):
    absence = post(student, ABSENCES, absence_body(placement)).json()
    url = f"{ABSENCES}{absence['id']}/"
    added = student.post(f"{url}sick-note/", {"sick_note": SimpleUploadedFile("a.png", PNG)})
    assert added.status_code == 200 and added.json()["has_sick_note"] is True
    assert patch(student, url, {"attest_received": False}).status_code == 403
    coordinator = login(personas("a", "coordinator"))
    cleared = patch(coordinator, url, {"attest_received": False})
    assert cleared.status_code == 200 and cleared.json()["attest_received"] is False
    moved = patch(coordinator, url, {"start_date": "2026-01-01"})
    assert moved.status_code == 400 and set(moved.json()) == {"start_date"}
    assert post(login(personas("a", "mentor")), ABSENCES, absence_body(placement)).status_code == 403
    assert AuditEvent.all_tenants.filter(action="logbook.absence.attest", actor_role="coordinator").exists()


def test_absence_writes_are_scoped(personas, placement, student, in_tenant):
    foreign = make_logbook_placement(personas.b)
    response = post(student, ABSENCES, absence_body(foreign))
    assert response.status_code == 400 and set(response.json()) == {"placement"}
    theirs = AbsenceFactory(
        institution=personas.b, placement=foreign, start_date=foreign.start_date, end_date=foreign.start_date
    )
    upload = student.post(
        f"{ABSENCES}{theirs.pk}/sick-note/", {"sick_note": SimpleUploadedFile("a.png", PNG)}
    )
    assert upload.status_code == 404
    coordinator = login(personas("a", "coordinator"))
    assert patch(coordinator, f"{ABSENCES}{theirs.pk}/", {"attest_received": True}).status_code == 404
    assert not Absence.all_tenants.get(pk=theirs.pk).attest_received
