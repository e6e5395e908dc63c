"""A student's choice that closes (offer withdrawn, workplace rejected) is shown, not dropped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import StudentPreference
from tests.conftest import shown
from tests.factories import (
    MatchingRoundFactory,
    ProgrammeFactory,
    StudentFactory,
    StudentPreferenceFactory,
    WorkplaceApprovalFactory,
)
from tests.fixtures import AY, approved_offer, post_ranking, saved_ranking
from workplaces.models import PlacementOffer
from wpl.tenancy import tenant_context


@pytest.fixture
def world(personas):
    institution = personas.a
    membership = personas("a", "student")
    programme = ProgrammeFactory(institution=institution)
    return {
        "institution": institution,
        "membership": membership,
        "programme": programme,
        "student": StudentFactory(institution=institution, programme=programme, user=membership.user),
        "round": MatchingRoundFactory(institution=institution, programme=programme, academic_year=AY),
        "offers": [approved_offer(institution, programme, name=f"Werkplek {i}") for i in range(1, 5)],
    }


def _rank(world, *offers):
    for rank, offer in enumerate(offers, start=1):
        StudentPreferenceFactory(
            institution=world["institution"],
            round=world["round"],
            student=world["student"],
            offer=offer,
            rank=rank,
            motivation=f"reden {rank}",
        )


def test_withdrawn_and_rejected_choices_are_named_on_the_ranking_page(world, client_for):
    first, second, third = world["offers"][:3]
    with tenant_context(world["institution"]):
        _rank(world, first, second, third)
        PlacementOffer.all_tenants.filter(pk=second.pk).update(status=PlacementOffer.Status.WITHDRAWN)
    WorkplaceApprovalFactory(
        institution=world["institution"],
        organisation=third.organisation,
        programme=world["programme"],
        academic_year=AY,
        decision="rejected",
        reason="Geen mentor meer",
    )
    client = client_for(world["membership"])
    page = client.get(reverse("preferences-ranking", args=[world["round"].pk])).content.decode()
    assert 'id="unavailable-choices"' in page
    assert 'id="unavailable-2"' in page and 'id="unavailable-3"' in page
    assert 'id="unavailable-1"' not in page
    assert second.organisation.name in page and third.organisation.name in page
    assert shown("the workplace withdrew the offer") in page
    assert shown("the workplace is not approved for your programme") in page
    # The round page says so too.
    round_page = client.get(reverse("preferences-round", args=[world["round"].pk])).content.decode()
    assert 'id="unavailable-choices"' in round_page
    assert (
        shown("no longer available: %(reason)s", reason=shown("the workplace withdrew the offer"))
        in round_page
    )
    # Nothing changes until the student saves.
    assert len(saved_ranking(world)) == 3


def test_student_replaces_the_unavailable_choice(world, client_for):
    first, second, third, fourth = world["offers"]
    with tenant_context(world["institution"]):
        _rank(world, first, second)
        PlacementOffer.all_tenants.filter(pk=second.pk).update(status=PlacementOffer.Status.WITHDRAWN)
    client = client_for(world["membership"])
    response = post_ranking(client, world["round"], [(first, "reden 1"), (fourth, "nieuw")])
    assert response.status_code == 302
    assert [(r, o) for r, o, _m in saved_ranking(world)] == [(1, first.pk), (2, fourth.pk)]
    page = client.get(reverse("preferences-ranking", args=[world["round"].pk])).content.decode()
    assert 'id="unavailable-choices"' not in page


def test_no_warning_when_every_choice_is_open(world, client_for):
    _rank(world, *world["offers"][:2])
    page = client_for(world["membership"]).get(reverse("preferences-ranking", args=[world["round"].pk]))
    assert 'id="unavailable-choices"' not in page.content.decode()
    assert StudentPreference.all_tenants.filter(round=world["round"]).count() == 2
