"""The mentor's review: one queue across students and institutions, approve a week, send back,
comments by supervisors, query counts constant in the number of entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from logbooks import services
from logbooks.models import Entry, Review
from tests.conftest import login, shown
from tests.factories import LogbookEntryFactory, make_logbook_placement
from wpl.models import Notification

# Queries of each page for any number of entries (session, user and memberships included).
LOGBOOK_QUERIES = 18
PROGRESS_QUERIES = 12
QUEUE_QUERIES = 6


def weekdays_back(n: int):
    day = timezone.localdate() - timedelta(days=1)
    days = []
    while len(days) < n:
        if day.isoweekday() <= 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


@pytest.fixture
def mentor_world(personas):
    a = personas.a
    mentor_user = personas("a", "mentor").user
    first = make_logbook_placement(a, student_user=personas("a", "student").user, mentor_user=mentor_user)
    second = make_logbook_placement(a, mentor_user=mentor_user, programme=first.programme)
    foreign = make_logbook_placement(a)  # another mentor's student
    return first, second, foreign


def entries_for(placement, days, **kw):
    return [
        LogbookEntryFactory(institution=placement.institution, placement=placement, date=d, **kw)
        for d in days
    ]


def test_approve_a_whole_week_for_all_students_in_one_call(personas, mentor_world, in_tenant):
    first, second, foreign = mentor_world
    days = weekdays_back(10)
    week = days[0] - timedelta(days=days[0].weekday())
    in_week = [d for d in days if d >= week]
    entries_for(first, days)
    entries_for(second, days)
    entries_for(foreign, days)
    with in_tenant(personas.a):
        count = services.approve_week(actor=personas("a", "mentor"), week_start=week)
        assert count == 2 * len(in_week)
        approved = Entry.objects.filter(status="approved")
        assert set(approved.values_list("placement_id", flat=True)) == {first.pk, second.pk}
        assert not Entry.objects.filter(placement=foreign, status="approved").exists()
        assert Review.objects.filter(action="approve").count() == count


def test_send_back_requires_a_reason_and_tells_the_student(personas, mentor_world, in_tenant):
    first, *_ = mentor_world
    entry = entries_for(first, weekdays_back(1))[0]
    client = login(personas("a", "mentor"))
    url = reverse("logbook-entry", kwargs={"pk": entry.pk})
    refused = client.post(url, {"action": "return", "comment": ""})
    assert refused.status_code == 400
    assert shown("Say what the student should change.") in refused.content.decode()
    assert client.post(url, {"action": "return", "comment": "Meer detail graag"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "returned"
    with in_tenant(personas.a):
        note = Notification.objects.get(recipient=personas("a", "student").user)
        assert "Meer detail graag" in note.body


def test_supervisor_comments_but_cannot_approve(personas, in_tenant):
    placement = make_logbook_placement(personas.a, supervisor=personas("a", "supervisor"))
    entry = LogbookEntryFactory(institution=personas.a, placement=placement, date=weekdays_back(1)[0])
    client = login(personas("a", "supervisor"))
    url = reverse("logbook-entry", kwargs={"pk": entry.pk})
    assert client.post(url, {"action": "comment", "comment": "Mooi"}).status_code == 302
    assert client.post(url, {"action": "approve"}).status_code == 403
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert Review.all_tenants.filter(entry=entry, action="comment", author_role="supervisor").exists()


def test_queue_spans_both_institutions_of_a_mentor_and_each_entry_stays_home(personas, in_tenant):
    in_a, in_b = personas.shared_mentor
    pa = make_logbook_placement(personas.a, mentor_user=in_a.user)
    pb = make_logbook_placement(personas.b, mentor_user=in_b.user)
    ea = LogbookEntryFactory(
        institution=personas.a, placement=pa, date=weekdays_back(1)[0], activities="Alpha werk"
    )
    eb = LogbookEntryFactory(
        institution=personas.b, placement=pb, date=weekdays_back(1)[0], activities="Beta werk"
    )
    client = login(in_a)
    page = client.get(reverse("logbook-review")).content.decode()
    assert "Alpha werk" in page and "Beta werk" in page
    assert personas.a.name in page and personas.b.name in page
    # Approving B's entry while A is active: acts in B, as the B membership.
    response = client.post(reverse("logbook-review"), {"membership": in_b.pk, "entries": [eb.pk]})
    assert response.status_code == 302
    eb.refresh_from_db()
    ea.refresh_from_db()
    assert eb.status == "approved" and ea.status == "submitted"
    assert eb.institution_id == personas.b.pk
    # A membership the person does not hold is refused.
    other = personas("b", "mentor")
    assert (
        client.post(reverse("logbook-review"), {"membership": other.pk, "entries": [eb.pk]}).status_code
        == 404
    )


def test_approve_week_through_the_page(personas, mentor_world):
    first, second, _ = mentor_world
    days = weekdays_back(3)
    entries_for(first, days)
    client = login(personas("a", "mentor"))
    week = days[0] - timedelta(days=days[0].weekday())
    response = client.post(
        reverse("logbook-review"), {"membership": personas("a", "mentor").pk, "week": week.isoformat()}
    )
    assert response.status_code == 302
    assert Entry.all_tenants.filter(placement=first, status="approved", date__gte=week).count() == len(
        [d for d in days if d >= week]
    )


def test_review_queue_queries_do_not_grow_with_entries(personas, mentor_world, django_assert_max_num_queries):
    first, second, _ = mentor_world
    client = login(personas("a", "mentor"))
    entries_for(first, weekdays_back(3))
    client.get(reverse("logbook-review"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("logbook-review"))
    entries_for(second, weekdays_back(40))
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(QUEUE_QUERIES):
        page = client.get(reverse("logbook-review"))
    assert page.status_code == 200
    assert len(many) == len(few)


def test_logbook_page_queries_do_not_grow_with_entries(personas, mentor_world, django_assert_max_num_queries):
    first, *_ = mentor_world
    client = login(personas("a", "student"))
    entries_for(first, weekdays_back(3))
    client.get(reverse("logbook"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("logbook"))
    entries_for(first, weekdays_back(40)[3:])
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(LOGBOOK_QUERIES):
        page = client.get(reverse("logbook"))
    assert page.status_code == 200
    assert len(many) == len(few)


def test_progress_page_queries_do_not_grow_with_entries(
    personas, mentor_world, django_assert_max_num_queries
):
    first, *_ = mentor_world
    client = login(personas("a", "student"))
    url = reverse("logbook-progress", kwargs={"pk": first.pk})
    entries_for(first, weekdays_back(3))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    entries_for(first, weekdays_back(40)[3:])
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(PROGRESS_QUERIES):
        page = client.get(url)
    assert page.status_code == 200
    assert len(many) == len(few)


def test_mentor_comments_and_sends_back_another_institutions_entry_without_switching(personas):
    from logbooks.models import Review

    in_a, in_b = personas.shared_mentor
    pa = make_logbook_placement(personas.a, mentor_user=in_a.user)
    pb = make_logbook_placement(personas.b, mentor_user=in_b.user)
    ea = LogbookEntryFactory(institution=personas.a, placement=pa, date=weekdays_back(1)[0])
    eb = LogbookEntryFactory(
        institution=personas.b, placement=pb, date=weekdays_back(1)[0], activities="Beta werk"
    )
    client = login(in_a)  # A is the active institution
    queue = client.get(reverse("logbook-review")).content.decode()
    url = reverse("logbook-review-entry", args=[in_b.pk, eb.pk])
    assert url in queue and reverse("logbook-review-entry", args=[in_a.pk, ea.pk]) in queue
    page = client.get(url)
    assert page.status_code == 200 and "Beta werk" in page.content.decode()
    assert client.post(url, {"action": "comment", "comment": "Mooi verwoord"}).status_code == 302
    assert client.post(url, {"action": "return", "comment": "Vul de uren aan"}).status_code == 302
    eb.refresh_from_db()
    assert eb.status == "returned"
    reviews = Review.all_tenants.filter(entry=eb)
    assert {r.institution_id for r in reviews} == {personas.b.pk} and reviews.count() == 2
    # The session's active institution did not change.
    assert client.session["wpl_membership_id"] == in_a.pk
    # A's role cannot open B's entry, nor can another person's role be used.
    assert client.get(reverse("logbook-review-entry", args=[in_a.pk, eb.pk])).status_code == 404
    other = personas("b", "mentor")
    assert client.get(reverse("logbook-review-entry", args=[other.pk, eb.pk])).status_code == 404
