"""Follow-up rounds: the students a published round left unplaced get a path forward."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching import selectors, services
from matching.models import Assignment, MatchingRound, StudentPreference
from placements.models import Placement
from tests.factories import MembershipFactory, UserFactory, create_in_tenant
from tests.fixtures import make_world, post_action
from wpl.models import Role
from wpl.tenancy import tenant_context


@pytest.fixture
def coordinator(personas):
    return personas("a", "coordinator")


@pytest.fixture
def published(personas, coordinator):
    """Four students, two offers with one place each; only student 0 was placed (at offer 0)."""
    a = personas.a
    world = make_world(a, students=4, offers=2, places=1, prefs=2)
    create_in_tenant(Assignment,
        institution=a, round=world.round, student=world.students[0], offer=world.offers[0]
    )
    with tenant_context(a):
        services.publish(round=world.round, actor=coordinator, acknowledged={"unplaced"})
    world.round.refresh_from_db()
    return world


def _open_follow_up(client, world, **data):
    return client.post(reverse("matching-follow-up", kwargs={"pk": world.round.pk}), data)


def test_a_second_first_round_is_still_refused_but_a_follow_up_opens(
    personas, coordinator, client_for, published
):
    world = published
    client = client_for(coordinator)
    page = client.get(reverse("matching-board", kwargs={"pk": world.round.pk})).content.decode()
    assert 'id="follow-up-link"' in page
    follow_page = client.get(reverse("matching-follow-up", kwargs={"pk": world.round.pk}))
    assert follow_page.status_code == 200
    response = _open_follow_up(client, world, name="Tweede ronde")
    assert response.status_code == 302
    follow_up = MatchingRound.all_tenants.get(follow_up_of=world.round)
    assert follow_up.name == "Tweede ronde"
    assert follow_up.status == MatchingRound.Status.OPEN
    assert (follow_up.programme_id, follow_up.year, follow_up.academic_year) == (
        world.round.programme_id,
        world.round.year,
        world.round.academic_year,
    )
    assert response["Location"] == reverse("matching-board", kwargs={"pk": follow_up.pk})


def test_follow_up_holds_only_unplaced_students_and_offers_with_places_left(
    personas, coordinator, client_for, published
):
    world = published
    a = personas.a
    client = client_for(coordinator)
    _open_follow_up(client, world)
    follow_up = MatchingRound.all_tenants.get(follow_up_of=world.round)
    with tenant_context(a):
        students = set(selectors.round_students(follow_up).values_list("pk", flat=True))
        offers = set(selectors.round_offers(follow_up).values_list("pk", flat=True))
        data, _pages = selectors.board(follow_up, page=None)
    assert students == {s.pk for s in world.students[1:]}
    assert offers == {world.offers[1].pk}
    assert data.total_students == 3 and data.places == 1
    # Earlier choices of offers with room carry over, renumbered from 1.
    carried = StudentPreference.all_tenants.filter(round=follow_up)
    assert set(carried.values_list("offer_id", flat=True)) == {world.offers[1].pk}
    assert set(carried.values_list("rank", flat=True)) == {1}
    assert not carried.filter(student=world.students[0]).exists()
    # The full offer is not an offer of the follow-up round.
    full = post_action(
        client,
        type("W", (), {"round": follow_up})(),
        "matching-assign",
        student=world.students[1].pk,
        offer=world.offers[0].pk,
        expected="",
    )
    assert full.status_code == 400


def test_publishing_the_follow_up_adds_placements(personas, coordinator, client_for, published):
    world = published
    a = personas.a
    client = client_for(coordinator)
    _open_follow_up(client, world)
    follow_up = MatchingRound.all_tenants.get(follow_up_of=world.round)
    with tenant_context(a):
        services.assign(
            round=follow_up, student=world.students[1], offer_id=world.offers[1].pk, actor=coordinator
        )
        # Only one place was left at offer 1.
        with pytest.raises(services.MatchingConflict):
            services.assign(
                round=follow_up, student=world.students[2], offer_id=world.offers[1].pk, actor=coordinator
            )
        services.publish(round=follow_up, actor=coordinator, acknowledged={"unplaced"})
    placed = dict(
        Placement.all_tenants.filter(student__in=world.students).values_list("student_id", "offer_id")
    )
    assert placed == {world.students[0].pk: world.offers[0].pk, world.students[1].pk: world.offers[1].pk}
    with tenant_context(a):
        assert [p.student_id for p in selectors.round_placements(follow_up)] == [world.students[1].pk]
        assert [p.student_id for p in selectors.round_placements(world.round)] == [world.students[0].pk]
        # Its board still shows its own (now placed) students.
        data, _pages = selectors.board(follow_up, page=None)
        assert data.placed == 1 and data.total_students == 3
        # No place left anywhere: a further follow-up has no offers, but may be opened for the two left.
        assert selectors.round_offers_left(follow_up) == 0


def test_follow_up_is_refused_before_publishing_and_while_one_runs(
    personas, coordinator, client_for, published
):
    world = published
    a = personas.a
    client = client_for(coordinator)
    unpublished = make_world(a, students=2)
    response = client.post(reverse("matching-follow-up", kwargs={"pk": unpublished.round.pk}), {})
    assert response.status_code == 400
    assert not MatchingRound.all_tenants.filter(follow_up_of=unpublished.round).exists()
    assert _open_follow_up(client, world).status_code == 302
    again = _open_follow_up(client, world)
    assert again.status_code == 400
    assert MatchingRound.all_tenants.filter(follow_up_of=world.round).count() == 1


def test_follow_up_is_refused_when_everybody_is_placed(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=1, offers=1, places=1)
    create_in_tenant(Assignment,
        institution=a, round=world.round, student=world.students[0], offer=world.offers[0]
    )
    with tenant_context(a):
        services.publish(round=world.round, actor=coordinator)
    assert _open_follow_up(client_for(coordinator), world).status_code == 400


def test_only_unplaced_students_see_the_follow_up(personas, coordinator, client_for, published):
    world = published
    a = personas.a
    _open_follow_up(client_for(coordinator), world)
    follow_up = MatchingRound.all_tenants.get(follow_up_of=world.round)
    memberships = {}
    for student in (world.students[0], world.students[1]):
        user = UserFactory()
        memberships[student.pk] = MembershipFactory(institution=a, user=user, role=Role.STUDENT)
        with tenant_context(a):
            type(student).all_tenants.filter(pk=student.pk).update(user=user)
    placed = client_for(memberships[world.students[0].pk])
    assert placed.get(reverse("preferences-round", args=[follow_up.pk])).status_code == 404
    unplaced = client_for(memberships[world.students[1].pk])
    assert unplaced.get(reverse("preferences-round", args=[follow_up.pk])).status_code == 200
    offers = unplaced.get(reverse("preferences-offers", args=[follow_up.pk])).content.decode()
    assert world.offers[1].organisation.name in offers
    assert world.offers[0].organisation.name not in offers


def test_demo_data_shows_a_follow_up_round(db):
    from wpl.demo import seed_demo
    from wpl.models import Institution

    seed_demo()
    seed_demo()  # idempotent: no second follow-up
    odisee = Institution.objects.get(slug="odisee")
    follow_ups = MatchingRound.all_tenants.filter(institution=odisee, follow_up_of__isnull=False)
    assert follow_ups.count() == 1
    follow_up = follow_ups.get()
    with tenant_context(odisee):
        assert selectors.round_students(follow_up).count() >= 2
        assert selectors.round_offers(follow_up).exists()
