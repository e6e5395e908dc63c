"""Matching, workplaces' side: mentors and contacts rate the candidates they met."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from matching.models import CandidateRating
from tests.factories import (
    MatchingRoundFactory,
    MentorFactory,
    OrganisationFactory,
    PlacementOfferFactory,
    ProgrammeFactory,
    StudentFactory,
    StudentPreferenceFactory,
    WorkplaceApprovalFactory,
    WorkplaceVisitFactory,
)
from wpl.tenancy import tenant_context

AY = "2026-2027"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def world(personas):
    institution = personas.a
    programme = ProgrammeFactory(institution=institution)
    matching_round = MatchingRoundFactory(institution=institution, programme=programme, academic_year=AY)
    mentor = personas("a", "mentor")
    contact = personas("a", "org_admin")
    organisation = OrganisationFactory(
        institution=institution, name="Ons Huis", contact_email=contact.user.email, contact_user=contact.user
    )
    MentorFactory(institution=institution, organisation=organisation, user=mentor.user)
    WorkplaceApprovalFactory(institution=institution, organisation=organisation, programme=programme)
    offer = PlacementOfferFactory(institution=institution, organisation=organisation, programme=programme)
    other_org = OrganisationFactory(institution=institution, name="Ander Huis")
    other_offer = PlacementOfferFactory(institution=institution, organisation=other_org, programme=programme)

    def student(name):
        return StudentFactory(institution=institution, programme=programme, last_name=name)

    visitor, ranker, both, stranger = (
        student("Bezoeker"),
        student("Kiezer"),
        student("Beide"),
        student("Vreemde"),
    )
    WorkplaceVisitFactory(institution=institution, round=matching_round, student=visitor, offer=offer)
    StudentPreferenceFactory(
        institution=institution, round=matching_round, student=ranker, offer=offer, motivation="Ik wil graag"
    )
    WorkplaceVisitFactory(institution=institution, round=matching_round, student=both, offer=offer)
    StudentPreferenceFactory(institution=institution, round=matching_round, student=both, offer=offer, rank=1)
    WorkplaceVisitFactory(institution=institution, round=matching_round, student=stranger, offer=other_offer)
    return {
        "institution": institution,
        "round": matching_round,
        "mentor": mentor,
        "contact": contact,
        "offer": offer,
        "other_offer": other_offer,
        "visitor": visitor,
        "ranker": ranker,
        "both": both,
        "stranger": stranger,
    }


def url(offer):
    return reverse("candidates-offer", args=[offer.pk])


def test_candidates_are_students_who_visited_or_ranked_the_offer(world, client_for):
    response = client_for(world["mentor"]).get(url(world["offer"]))
    assert response.status_code == 200
    names = {c.student.last_name for c in response.context["form"].candidates}
    assert names == {"Bezoeker", "Kiezer", "Beide"}
    body = response.content.decode()
    assert "Vreemde" not in body
    assert "Ik wil graag" in body


def test_mentor_saves_ratings(world, client_for):
    v, r, b = world["visitor"], world["ranker"], world["both"]
    response = client_for(world["mentor"]).post(
        url(world["offer"]),
        {f"verdict_{v.pk}": "yes", f"rank_{v.pk}": "1", f"verdict_{r.pk}": "no", f"verdict_{b.pk}": "maybe"},
    )
    assert response.status_code == 302
    ratings = {
        x.student_id: (x.verdict, x.rank, x.rated_by_id)
        for x in CandidateRating.all_tenants.filter(offer=world["offer"], round=world["round"])
    }
    user_id = world["mentor"].user_id
    assert ratings == {v.pk: ("yes", 1, user_id), r.pk: ("no", None, user_id), b.pk: ("maybe", None, user_id)}


def test_clearing_a_verdict_removes_the_rating(world, client_for):
    v = world["visitor"]
    client = client_for(world["mentor"])
    client.post(url(world["offer"]), {f"verdict_{v.pk}": "yes"})
    client.post(url(world["offer"]), {f"verdict_{v.pk}": ""})
    assert not CandidateRating.all_tenants.exists()


def test_workplace_contact_can_rate(world, client_for):
    v = world["visitor"]
    response = client_for(world["contact"]).post(url(world["offer"]), {f"verdict_{v.pk}": "maybe"})
    assert response.status_code == 302
    assert CandidateRating.all_tenants.get().verdict == "maybe"


def test_mentor_of_another_organisation_gets_404(world, client_for):
    client = client_for(world["mentor"])
    stranger = world["stranger"]
    assert client.get(url(world["other_offer"])).status_code == 404
    assert client.post(url(world["other_offer"]), {f"verdict_{stranger.pk}": "no"}).status_code == 404
    assert not CandidateRating.all_tenants.exists()


def test_mentor_of_another_institution_gets_404(world, personas, client_for):
    response = client_for(personas("b", "mentor")).get(url(world["offer"]))
    assert response.status_code == 404


def test_ranking_a_no_is_refused(world, client_for):
    r = world["ranker"]
    response = english(client_for(world["mentor"])).post(
        url(world["offer"]), {f"verdict_{r.pk}": "no", f"rank_{r.pk}": "2"}
    )
    assert response.status_code == 200
    assert "Only candidates rated yes or maybe can get a ranking." in response.content.decode()
    assert not CandidateRating.all_tenants.exists()


def test_duplicate_ranking_is_refused(world, client_for):
    v, b = world["visitor"], world["both"]
    response = english(client_for(world["mentor"])).post(
        url(world["offer"]),
        {f"verdict_{v.pk}": "yes", f"rank_{v.pk}": "1", f"verdict_{b.pk}": "yes", f"rank_{b.pk}": "1"},
    )
    assert response.status_code == 200
    assert "already has ranking 1" in response.content.decode()
    assert not CandidateRating.all_tenants.exists()


def test_bad_rank_is_re_rendered_not_a_500(world, client_for):
    v = world["visitor"]
    response = client_for(world["mentor"]).post(
        url(world["offer"]), {f"verdict_{v.pk}": "yes", f"rank_{v.pk}": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[f"rank_{v.pk}"]


def test_after_the_ratings_deadline_ratings_are_refused(world, client_for):
    with tenant_context(world["round"].institution):
        world["round"].ratings_deadline = timezone.now() - timedelta(minutes=5)
        world["round"].save()
    v = world["visitor"]
    response = english(client_for(world["mentor"])).post(url(world["offer"]), {f"verdict_{v.pk}": "yes"})
    assert response.status_code == 200
    assert "The deadline for rating candidates has passed" in response.content.decode()
    assert not CandidateRating.all_tenants.exists()


def test_students_and_school_cannot_rate(world, personas, client_for):
    for role in ("student", "coordinator", "supervisor"):
        assert client_for(personas("a", role)).get(url(world["offer"])).status_code == 403, role


def test_candidates_list_counts(world, client_for):
    v = world["visitor"]
    client = client_for(world["mentor"])
    client.post(url(world["offer"]), {f"verdict_{v.pk}": "yes"})
    response = client.get(reverse("candidates-list"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["offer"].pk, row["candidates"], row["rated"]) for row in rows] == [(world["offer"].pk, 3, 1)]
    assert "Ander Huis" not in response.content.decode()


def test_nav_link_for_mentors(world, client_for):
    body = client_for(world["mentor"]).get(reverse("home")).content.decode()
    assert reverse("candidates-list") in body
