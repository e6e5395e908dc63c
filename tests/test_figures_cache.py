"""Issue 14: the start page's figures are cached until the institution's data changes.

`wpl.freshness` keeps them under a data version that every tenant write (and a change to
the institution or one of its people) moves on. Most tests here commit for real
(`transaction=True`): inside the usual test transaction every write is uncommitted, so
the cache is bypassed on purpose (see `test_an_open_transaction_reads_its_own_writes`).
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.conftest import shown
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlacementOfferFactory,
    StudentFactory,
    UserFactory,
)
from workplaces.models import PlacementOffer
from wpl import freshness
from wpl.models import Institution, Notification, Role
from wpl.tenancy import tenant_context

# Session, user and memberships; the figures come from the cache.
CACHED_START_PAGE_QUERIES = 3
committed = pytest.mark.django_db(transaction=True)


def start_page(client) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    items = {item.label: item.count for item in response.context["todo_items"]}
    return {"items": items, "html": response.content.decode()}, len(queries)


def offers_to_review(page) -> int | None:
    return page["items"].get(shown("Offers to review"))


@committed
def test_the_start_page_seen_again_reads_its_figures_from_the_cache(personas, client_for):
    with tenant_context(personas.a):
        PlacementOfferFactory(institution=personas.a, status=PlacementOffer.Status.SUBMITTED)
    client = client_for(personas("a", Role.COORDINATOR))
    first, computed = start_page(client)
    again, cached = start_page(client)
    assert offers_to_review(first) == offers_to_review(again) == 1
    assert again["items"] == first["items"]
    assert cached == CACHED_START_PAGE_QUERIES < computed


@committed
def test_a_write_in_the_institution_shows_at_once(personas, client_for):
    client = client_for(personas("a", Role.COORDINATOR))
    start_page(client)
    with tenant_context(personas.a):
        offer = PlacementOfferFactory(institution=personas.a, status=PlacementOffer.Status.SUBMITTED)
    page, _ = start_page(client)
    assert offers_to_review(page) == 1
    # A queryset update (no save(), no signal) counts as a change too.
    with tenant_context(personas.a):
        PlacementOffer.objects.filter(pk=offer.pk).update(status=PlacementOffer.Status.ACCEPTED)
    page, _ = start_page(client)
    assert offers_to_review(page) is None  # nothing to review: the item is left out


@committed
def test_another_institutions_writes_keep_the_cache(personas, client_for):
    client = client_for(personas("a", Role.COORDINATOR))
    start_page(client)
    with tenant_context(personas.b):
        PlacementOfferFactory(institution=personas.b, status=PlacementOffer.Status.SUBMITTED)
    page, queries = start_page(client)
    assert queries == CACHED_START_PAGE_QUERIES
    assert offers_to_review(page) is None
    assert offers_to_review(start_page(client_for(personas("b", Role.COORDINATOR)))[0]) == 1


@committed
def test_a_student_signing_in_updates_who_has_not_signed_in(personas, client_for):
    with tenant_context(personas.a):
        student = StudentFactory(institution=personas.a, user=UserFactory(last_login=None))
        MembershipFactory(institution=personas.a, user=student.user, role=Role.STUDENT)
    client = client_for(personas("a", Role.COORDINATOR))
    before = client.get("/").context["students_not_signed_in"]
    student.user.last_login = timezone.now()
    student.user.save(update_fields=["last_login"])  # what a sign-in does
    assert client.get("/").context["students_not_signed_in"] == before - 1


@committed
def test_the_institutions_own_look_and_the_unread_count_follow_changes(personas, client_for):
    admin = personas("a", Role.INSTITUTION_ADMIN)
    client = client_for(admin)
    look = shown("Give the platform your institution's look")
    assert look in start_page(client)[0]["items"]
    Institution.objects.filter(pk=personas.a.pk).update(logo="logos/alpha.png")  # no signal
    assert look in start_page(client)[0]["items"]  # an update() of a core row is not seen...
    institution = Institution.objects.get(pk=personas.a.pk)
    institution.save()  # ...a save is
    assert look not in start_page(client)[0]["items"]

    with tenant_context(personas.a):
        Notification.objects.create(recipient=admin.user, key="test:1", kind="test", subject="Hello", body="")
    assert '<span class="badge">1<span class="visually-hidden">' in start_page(client)[0]["html"]


@committed
def test_each_language_has_its_own_entry(personas, client_for):
    client = client_for(personas("a", Role.COORDINATOR))
    dutch, _ = start_page(client)
    client.cookies["django_language"] = "en"
    english, _ = start_page(client)
    with translation.override("en"):
        assert translation.gettext("Placements") in english["items"]
    assert shown("Placements") in dutch["items"]


@committed
def test_a_rolled_back_write_leaves_the_cache_working(personas, client_for):
    client = client_for(personas("a", Role.COORDINATOR))
    start_page(client)
    with pytest.raises(RuntimeError), transaction.atomic(), tenant_context(personas.a):
        PlacementOfferFactory(institution=personas.a, status=PlacementOffer.Status.SUBMITTED)
        raise RuntimeError("changed my mind")
    page, _ = start_page(client)
    assert offers_to_review(page) is None
    _, queries = start_page(client)
    assert queries == CACHED_START_PAGE_QUERIES


@committed
def test_the_version_moves_on_when_the_transaction_commits(personas):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert freshness.cached(personas.a.pk, "probe", compute) == 1
    with transaction.atomic():
        with tenant_context(personas.a):
            PlacementOfferFactory(institution=personas.a)
        # Uncommitted: this connection sees the write, so it does not use the cache...
        assert freshness.cached(personas.a.pk, "probe", compute) == 2
        # ...and does not store what it computed either.
    # Committed: the version moved on, the figure is computed once more, then kept.
    assert freshness.cached(personas.a.pk, "probe", compute) == 3
    assert freshness.cached(personas.a.pk, "probe", compute) == 3


def test_an_open_transaction_reads_its_own_writes(personas, client_for):
    """Inside the test transaction nothing commits: every page computes its figures."""
    client = client_for(personas("a", Role.COORDINATOR))
    assert offers_to_review(start_page(client)[0]) is None
    with tenant_context(personas.a):
        PlacementOfferFactory(institution=personas.a, status=PlacementOffer.Status.SUBMITTED)
    assert offers_to_review(start_page(client)[0]) == 1


def test_the_cache_can_be_switched_off(personas, client_for, settings):
    settings.WPL_FIGURES_CACHE_SECONDS = 0
    calls = []
    freshness.cached(personas.a.pk, "probe", lambda: calls.append(1))
    freshness.cached(personas.a.pk, "probe", lambda: calls.append(1))
    assert len(calls) == 2


def list_page(client, url: str, params=None) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in queries]


@committed
@pytest.mark.parametrize(
    ("url", "table", "make"),
    [
        ("/students/", "students_student", StudentFactory),
        ("/workplaces/", "workplaces_organisation", OrganisationFactory),
    ],
)
def test_list_totals_are_counted_once_until_the_data_changes(personas, client_for, url, table, make):
    with tenant_context(personas.a):
        for _ in range(3):
            make(institution=personas.a)
    client = client_for(personas("a", Role.COORDINATOR))

    def total(response) -> int:
        page = response.context["page_obj" if "page_obj" in response.context else "page"]
        return page.paginator.count

    def counts(sqls):
        return [sql for sql in sqls if "COUNT(*)" in sql and table in sql]

    first, sqls = list_page(client, url)
    assert len(counts(sqls)) == 1 and total(first) == 3
    again, sqls = list_page(client, url)
    assert counts(sqls) == [] and total(again) == 3
    with tenant_context(personas.a):
        make(institution=personas.a)
    fresh, sqls = list_page(client, url)
    assert len(counts(sqls)) == 1 and total(fresh) == 4
    # Another filter is another total; the unfiltered one stays cached.
    filtered, sqls = list_page(client, url, {"q": "no such name"})
    assert total(filtered) == 0
    _, sqls = list_page(client, url)
    assert counts(sqls) == []


# Seen again, nothing changed: session, user, memberships, programmes for the filter, the
# page, and the students' waiting invitations / the workplaces' sites. No total, no badge.
CACHED_LIST_QUERIES = 6


@committed
@pytest.mark.parametrize(
    ("url", "make"), [("/students/", StudentFactory), ("/workplaces/", OrganisationFactory)]
)
def test_lists_seen_again_need_a_fixed_number_of_queries(personas, client_for, url, make):
    client = client_for(personas("a", Role.COORDINATOR))
    with tenant_context(personas.a):
        make(institution=personas.a)
    list_page(client, url)
    _, few = list_page(client, url)
    with tenant_context(personas.a):
        for _ in range(60):  # a second page
            make(institution=personas.a)
    list_page(client, url)
    response, many = list_page(client, url)
    assert len(few) == len(many) == CACHED_LIST_QUERIES
    assert response.context["rows"] and len(response.context["rows"]) == 50


def test_many_writes_in_one_transaction_move_the_version_on_once_at_commit(personas):
    with tenant_context(personas.a):
        for _ in range(5):
            StudentFactory(institution=personas.a)

    def ours():
        return [f for _, f, _ in connection.run_on_commit if getattr(f, "func", None) is freshness._committed]

    assert [f.args[1] for f in ours()].count(personas.a.pk) == 1
    with pytest.raises(RuntimeError), transaction.atomic(), tenant_context(personas.a):
        StudentFactory(institution=personas.a)
        raise RuntimeError("savepoint rolled back")
    with tenant_context(personas.a):
        StudentFactory(institution=personas.a)
    assert [f.args[1] for f in ours()].count(personas.a.pk) == 1


@committed
def test_a_cache_that_does_not_answer_never_fails_a_committed_write(personas, monkeypatch, caplog):
    """The version moves on after the commit; a cache error there must not undo the save's answer."""

    def broken_set(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(freshness.cache, "set", broken_set)
    with transaction.atomic(), tenant_context(personas.a):
        offer = PlacementOfferFactory(institution=personas.a)
    with tenant_context(personas.a):
        assert PlacementOffer.objects.filter(pk=offer.pk).exists()
    assert "Could not move the data version" in caplog.text
