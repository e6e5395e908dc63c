"""Publishing cannot go wrong quietly: refusals and confirmations that name the problems."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from matching import selectors, services
from matching.models import Assignment, MatchingRound
from placements.models import Placement
from tests.factories import PlacementOfferFactory, create_in_tenant
from tests.fixtures import make_world
from workplaces.models import WorkplaceApproval
from wpl.tenancy import tenant_context


@pytest.fixture
def coordinator(personas):
    return personas("a", "coordinator")


def _assign(institution, world, pairs):
    for student, offer in pairs:
        create_in_tenant(Assignment,
            institution=institution, round=world.round, student=student, offer=offer
        )


def _unplaced_text(n: int) -> str:
    from django.utils import translation

    with translation.override("nl"):
        return translation.ngettext(
            "%(n)s student stays without a placement.", "%(n)s students stay without a placement.", n
        ) % {"n": n}


def _check(world) -> selectors.PublishCheck:
    with tenant_context(world.round.institution):
        return selectors.publish_check(world.round)


def _url(world):
    return reverse("matching-publish", kwargs={"pk": world.round.pk})


def _published(world) -> bool:
    world.round.refresh_from_db()
    return world.round.status == MatchingRound.Status.PUBLISHED


def test_unplaced_students_need_a_confirmation_naming_the_count(
    personas, coordinator, client_for, django_capture_on_commit_callbacks
):
    a = personas.a
    world = make_world(a, students=3, offers=2, places=2)
    _assign(a, world, [(world.students[0], world.offers[0])])
    client = client_for(coordinator)
    page = client.get(_url(world)).content.decode()
    assert _unplaced_text(2) in page
    # One click without the confirmation publishes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world), {"token": _check(world).token})
    assert response.status_code == 409
    assert _unplaced_text(2) in response.content.decode()
    assert not _published(world)
    assert mail.outbox == []
    assert not Placement.all_tenants.filter(student__in=world.students).exists()
    # With the confirmation it publishes.
    check = _check(world)
    response = client.post(_url(world), {"token": check.token, "confirm": "1"})
    assert response.status_code == 302
    assert _published(world)


def test_confirmation_of_an_older_board_is_not_enough(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=3, offers=2, places=2)
    _assign(a, world, [(world.students[0], world.offers[0])])
    token = _check(world).token
    # Meanwhile someone adds a conflict: an assignment to an offer the student did not rank.
    other = PlacementOfferFactory(institution=a, programme=world.round.programme, places=1)
    from tests.factories import WorkplaceApprovalFactory

    WorkplaceApprovalFactory(institution=a, organisation=other.organisation, programme=world.round.programme)
    _assign(a, world, [(world.students[1], other)])
    response = client_for(coordinator).post(_url(world), {"token": token, "confirm": "1"})
    assert response.status_code == 409
    assert not _published(world)


def test_conflicts_need_a_confirmation_naming_them(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=2, offers=2, places=2, prefs=1)
    # Student 0 ranked offer 0 only; assigning offer 1 is "not ranked by the student".
    _assign(a, world, [(world.students[0], world.offers[1]), (world.students[1], world.offers[1])])
    check = _check(world)
    assert check.conflicts == 1 and check.unplaced == 0
    assert check.acknowledgements == {"conflicts"}
    with tenant_context(a), pytest.raises(services.PublishNeedsConfirmation) as refused:
        services.publish(round=world.round, actor=coordinator)
    assert "1" in refused.value.message
    client = client_for(coordinator)
    page = client.get(_url(world)).content.decode()
    assert 'id="publish-warnings"' in page
    assert client.post(_url(world), {"token": check.token}).status_code == 409
    assert not _published(world)
    assert client.post(_url(world), {"token": check.token, "confirm": "1"}).status_code == 302
    assert _published(world)


def test_assignment_to_a_workplace_not_approved_is_refused(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=2, offers=2, places=2)
    _assign(a, world, [(world.students[0], world.offers[0]), (world.students[1], world.offers[1])])
    with tenant_context(a):
        WorkplaceApproval.all_tenants.filter(organisation=world.offers[1].organisation).update(
            decision="rejected"
        )
    client = client_for(coordinator)
    page = client.get(_url(world)).content.decode()
    assert 'id="publish-refused"' in page and world.offers[1].organisation.name in page
    assert 'id="publish-round"' not in page
    check = _check(world)
    response = client.post(_url(world), {"token": check.token, "confirm": "1"}, follow=True)
    assert "message-error" in response.content.decode()
    assert not _published(world)
    with tenant_context(a), pytest.raises(services.MatchingConflict):
        services.publish(round=world.round, actor=coordinator, acknowledged={"conflicts", "unplaced"})


def test_a_clean_board_publishes_in_one_click(personas, coordinator, client_for):
    a = personas.a
    world = make_world(a, students=2, offers=2, places=2)
    _assign(a, world, [(world.students[0], world.offers[0]), (world.students[1], world.offers[1])])
    check = _check(world)
    assert not check.warnings and not check.refusals
    page = client_for(coordinator).get(_url(world)).content.decode()
    assert 'name="confirm"' not in page
    assert client_for(coordinator).post(_url(world), {"token": check.token}).status_code == 302
    assert _published(world)
