"""Matching, students' side: browse offers, filters, visits, ranking, deadline, own employer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import WorkplaceVisit
from students.models import Student
from tests.factories import (
    MatchingRoundFactory,
    OrganisationFactory,
    PlacementOfferFactory,
    ProfessionalRoleFactory,
    ProgrammeFactory,
    StudentFactory,
    WorkplaceApprovalFactory,
)
from tests.fixtures import AY, approved_offer, post_ranking, saved_ranking
from workplaces.models import Organisation, PlacementOffer, Site
from wpl.tenancy import tenant_context


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def world(personas):
    institution = personas.a
    membership = personas("a", "student")
    programme = ProgrammeFactory(institution=institution, name="Graduaat Maatschappelijk Werk")
    student = StudentFactory(institution=institution, programme=programme, user=membership.user, year=1)
    matching_round = MatchingRoundFactory(
        institution=institution, programme=programme, year=1, academic_year=AY, max_choices=3
    )
    offers = [approved_offer(institution, programme, name=f"Werkplek {i}") for i in range(1, 5)]
    return {
        "institution": institution,
        "membership": membership,
        "programme": programme,
        "student": student,
        "round": matching_round,
        "offers": offers,
    }


# --- browsing ---------------------------------------------------------------------------------


def test_offer_list_shows_only_accepted_offers_of_approved_organisations(world, client_for):
    institution, programme = world["institution"], world["programme"]
    submitted = approved_offer(institution, programme, name="Ingediend", status="submitted")
    unapproved_org = OrganisationFactory(institution=institution, name="Niet goedgekeurd")
    PlacementOfferFactory(institution=institution, organisation=unapproved_org, programme=programme)
    rejected_later = approved_offer(institution, programme, name="Later afgekeurd")
    WorkplaceApprovalFactory(
        institution=institution,
        organisation=rejected_later.organisation,
        programme=programme,
        academic_year=AY,
        decision="rejected",
    )
    other_year = approved_offer(institution, programme, name="Ander jaar", year=2)
    other_programme = approved_offer(
        institution, ProgrammeFactory(institution=institution), name="Andere opl"
    )
    other_ay = approved_offer(institution, programme, name="Vorig academiejaar", academic_year="2025-2026")

    response = client_for(world["membership"]).get(reverse("preferences-offers", args=[world["round"].pk]))

    assert response.status_code == 200
    shown = {o.pk for o in response.context["offers"]}
    assert shown == {o.pk for o in world["offers"]}
    for hidden in (submitted, rejected_later, other_year, other_programme, other_ay):
        assert hidden.pk not in shown
    assert "Niet goedgekeurd" not in response.content.decode()


def test_offer_filters(world, client_for):
    institution, programme = world["institution"], world["programme"]
    role = ProfessionalRoleFactory(institution=institution, programme=programme, name="Groepswerker")
    o1, o2, o3, o4 = world["offers"]
    with tenant_context(institution):
        o1.roles.add(role)
        o2.site.region = "flanders"
        o2.site.save()
        o3.weekdays = "1,2"
        o3.save()
        o4.organisation.languages = "nl, fr"
        o4.organisation.save()
    client = client_for(world["membership"])
    url = reverse("preferences-offers", args=[world["round"].pk])

    def shown(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {o.pk for o in response.context["offers"]}

    assert shown(roles=[role.pk]) == {o1.pk}
    assert shown(region="flanders") == {o2.pk}
    assert shown(weekdays=["1", "2"]) == {o3.pk}
    assert o3.pk not in shown(weekdays=["3", "4", "5"])
    assert shown(language="fr") == {o4.pk}
    assert shown(region="flanders", language="fr") == set()


def test_invalid_filter_is_reported_not_a_500(world, client_for):
    client = english(client_for(world["membership"]))
    response = client.get(reverse("preferences-offers", args=[world["round"].pk]), {"region": "mars"})
    assert response.status_code == 200
    assert response.context["form"].errors["region"]
    assert len(response.context["offers"]) == 4


def test_offer_list_uses_a_constant_number_of_queries(world, client_for):
    client = client_for(world["membership"])
    url = reverse("preferences-offers", args=[world["round"].pk])
    client.get(url)  # warm up (session, content types)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(6):
        offer = approved_offer(world["institution"], world["programme"], name=f"Extra {i}")
        with tenant_context(world["institution"]):
            offer.roles.add(
                ProfessionalRoleFactory(institution=world["institution"], programme=world["programme"])
            )
    assert count() == before


def test_htmx_filter_returns_only_the_results(world, client_for):
    client = client_for(world["membership"])
    response = client.get(
        reverse("preferences-offers", args=[world["round"].pk]),
        {"region": "brussels"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="offer-results",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Werkplek 1" in response.content.decode()


def test_offer_detail_and_recording_a_visit(world, client_for):
    client = client_for(world["membership"])
    offer = world["offers"][0]
    url = reverse("preferences-offer", args=[offer.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"offer": offer.pk, "kind": "interview", "date": "2026-10-05", "notes": "Fijn"}
    )
    assert response.status_code == 302
    visit = WorkplaceVisit.all_tenants.get(student=world["student"])
    assert (visit.offer_id, visit.kind, visit.notes) == (offer.pk, "interview", "Fijn")


def test_visit_with_a_bad_date_is_re_rendered(world, client_for):
    client = english(client_for(world["membership"]))
    response = client.post(
        reverse("preferences-visits", args=[world["round"].pk]),
        {"offer": world["offers"][1].pk, "kind": "visit", "date": "not-a-date", "notes": "mijn notitie"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert "mijn notitie" in response.content.decode()
    assert not WorkplaceVisit.all_tenants.exists()


def test_visits_page_adds_and_removes(world, client_for):
    client = client_for(world["membership"])
    url = reverse("preferences-visits", args=[world["round"].pk])
    assert (
        client.post(url, {"offer": world["offers"][1].pk, "kind": "visit", "date": "2026-10-01"}).status_code
        == 302
    )
    visit = WorkplaceVisit.all_tenants.get()
    assert client.post(url, {"action": "delete", "visit": visit.pk}).status_code == 302
    assert not WorkplaceVisit.all_tenants.exists()


def test_offer_detail_of_unapproved_offer_is_404(world, client_for):
    offer = PlacementOfferFactory(institution=world["institution"], programme=world["programme"])
    response = client_for(world["membership"]).get(reverse("preferences-offer", args=[offer.pk]))
    assert response.status_code == 404


def test_round_of_another_programme_is_404(world, client_for):
    other = MatchingRoundFactory(institution=world["institution"], academic_year=AY)
    response = client_for(world["membership"]).get(reverse("preferences-round", args=[other.pk]))
    assert response.status_code == 404


def test_other_roles_cannot_use_the_student_pages(world, personas, client_for):
    for role in ("coordinator", "mentor", "org_admin", "supervisor"):
        response = client_for(personas("a", role)).get(
            reverse("preferences-ranking", args=[world["round"].pk])
        )
        assert response.status_code == 403, role


# --- ranking -----------------------------------------------------------------------------------


def test_saving_a_ranking(world, client_for):
    o1, o2, *_ = world["offers"]
    response = post_ranking(
        client_for(world["membership"]), world["round"], [(o2, "Dichtbij"), (o1, "Groepswerk")]
    )
    assert response.status_code == 302
    assert saved_ranking(world) == [(1, o2.pk, "Dichtbij"), (2, o1.pk, "Groepswerk")]


def test_saving_again_replaces_the_ranking(world, client_for):
    o1, o2, o3, _ = world["offers"]
    client = client_for(world["membership"])
    post_ranking(client, world["round"], [(o1, ""), (o2, ""), (o3, "")])
    post_ranking(client, world["round"], [(o3, "nu eerst"), (None, ""), (None, "")])
    assert saved_ranking(world) == [(1, o3.pk, "nu eerst")]


def test_duplicate_offer_is_refused_and_input_kept(world, client_for):
    o1, *_ = world["offers"]
    client = english(client_for(world["membership"]))
    response = post_ranking(client, world["round"], [(o1, "eerste motivatie"), (o1, "tweede")])
    assert response.status_code == 200
    assert "You already chose this workplace as choice 1." in response.content.decode()
    assert "eerste motivatie" in response.content.decode()
    assert saved_ranking(world) == []


def test_gap_between_choices_is_refused(world, client_for):
    o1, o2, *_ = world["offers"]
    client = english(client_for(world["membership"]))
    response = post_ranking(client, world["round"], [(o1, ""), (None, ""), (o2, "")])
    assert response.status_code == 200
    assert "Choice 2 is empty" in response.content.decode()
    assert saved_ranking(world) == []


def test_motivation_without_offer_is_refused(world, client_for):
    client = english(client_for(world["membership"]))
    response = post_ranking(client, world["round"], [(None, "waarom")])
    assert response.status_code == 200
    assert response.context["form"].errors["offer_1"]


def test_offer_outside_the_round_is_refused(world, client_for):
    foreign = PlacementOfferFactory(
        institution=world["institution"], programme=world["programme"], status="submitted"
    )
    response = post_ranking(client_for(world["membership"]), world["round"], [(foreign, "")])
    assert response.status_code == 200
    assert response.context["form"].errors["offer_1"]
    assert saved_ranking(world) == []


def test_service_refuses_more_than_max_choices_and_gaps(world, in_tenant):
    offers = world["offers"]
    with in_tenant(world["institution"]):
        with pytest.raises(ValidationError) as too_many:
            services.save_preferences(
                actor=None,
                matching_round=world["round"],
                student=world["student"],
                choices=[services.Choice(rank=n, offer=o) for n, o in enumerate(offers, start=1)],
            )
        assert too_many.value.code == "too_many"
        with pytest.raises(ValidationError) as gap:
            services.save_preferences(
                actor=None,
                matching_round=world["round"],
                student=world["student"],
                choices=[services.Choice(rank=1, offer=offers[0]), services.Choice(rank=3, offer=offers[1])],
            )
        assert gap.value.code == "ranks"
        with pytest.raises(ValidationError) as duplicate:
            services.save_preferences(
                actor=None,
                matching_round=world["round"],
                student=world["student"],
                choices=[services.Choice(rank=1, offer=offers[0]), services.Choice(rank=2, offer=offers[0])],
            )
        assert duplicate.value.code == "duplicate"
    assert saved_ranking(world) == []


def test_after_the_deadline_choices_are_refused(world, client_for):
    o1, o2, *_ = world["offers"]
    client = english(client_for(world["membership"]))
    post_ranking(client, world["round"], [(o1, "oud")])
    with tenant_context(world["institution"]):
        world["round"].preferences_deadline = timezone.now() - timedelta(hours=1)
        world["round"].save()

    response = post_ranking(client, world["round"], [(o2, "te laat")])

    assert response.status_code == 200
    assert "The deadline for preferences has passed" in response.content.decode()
    assert "te laat" in response.content.decode()
    assert saved_ranking(world) == [(1, o1.pk, "oud")]


def test_closed_round_refuses_choices(world, client_for):
    with tenant_context(world["institution"]):
        world["round"].status = "matching"
        world["round"].save()
    client = english(client_for(world["membership"]))
    response = post_ranking(client, world["round"], [(world["offers"][0], "")])
    assert response.status_code == 200
    assert "no longer accepts preferences" in response.content.decode()
    assert saved_ranking(world) == []


def test_move_down_reorders_without_saving(world, client_for):
    o1, o2, *_ = world["offers"]
    response = post_ranking(
        client_for(world["membership"]), world["round"], [(o1, "een"), (o2, "twee")], move="down-1"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["offer_1"] == str(o2.pk)
    assert form.initial["motivation_2"] == "een"
    assert saved_ranking(world) == []


def test_add_from_offer_detail_prefills_the_first_free_choice(world, client_for):
    o1, o2, *_ = world["offers"]
    client = client_for(world["membership"])
    post_ranking(client, world["round"], [(o1, "")])
    response = client.get(reverse("preferences-ranking", args=[world["round"].pk]), {"add": o2.pk})
    assert response.context["form"].initial["offer_2"] == str(o2.pk)


def test_htmx_ranking_post_returns_the_form_only(world, client_for):
    o1, o2, *_ = world["offers"]
    client = client_for(world["membership"])
    response = client.post(
        reverse("preferences-ranking", args=[world["round"].pk]),
        {"offer_1": o1.pk, "offer_2": o2.pk, "move": "up-2"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="ranking-form",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<form")


def test_round_page_shows_the_ranking(world, client_for):
    o1, *_ = world["offers"]
    client = client_for(world["membership"])
    post_ranking(client, world["round"], [(o1, "")])
    response = client.get(reverse("preferences-round", args=[world["round"].pk]))
    assert response.status_code == 200
    assert o1.organisation.name in response.content.decode()


def test_nav_link_for_students(world, client_for):
    body = client_for(world["membership"]).get(reverse("home")).content.decode()
    assert reverse("preferences-home") in body


# --- own employer ------------------------------------------------------------------------------


OWN_EMPLOYER = {
    "organisation_name": "Buurthuis De Linde",
    "municipality": "Vilvoorde",
    "region": "flanders",
    "contact_name": "An Peeters",
    "contact_email": "an@delinde.example",
    "languages": "nl",
    "weekdays": ["1", "2"],
    "tasks": "Onthaal en groepswerk",
}


def test_working_student_proposes_own_employer(world, client_for):
    client = client_for(world["membership"])
    response = client.post(reverse("preferences-own-employer", args=[world["round"].pk]), OWN_EMPLOYER)
    assert response.status_code == 302

    offer = PlacementOffer.all_tenants.get(proposed_by_student=world["student"])
    assert offer.status == "submitted"
    assert (offer.programme_id, offer.year, offer.academic_year) == (world["programme"].pk, 1, AY)
    assert offer.weekdays == "1,2"
    assert offer.organisation.name == "Buurthuis De Linde"
    assert offer.site.municipality == "Vilvoorde"
    assert offer.organisation.institution_id == world["institution"].pk
    student = Student.all_tenants.get(pk=world["student"].pk)
    assert student.context == Student.Context.OWN_EMPLOYEE
    assert student.is_working_student
    # Not choosable until the coordinator accepts it; the student sees its status.
    page = client.get(reverse("preferences-round", args=[world["round"].pk])).content.decode()
    assert "Buurthuis De Linde" in page
    offers_page = client.get(reverse("preferences-offers", args=[world["round"].pk]))
    assert offer.pk not in {o.pk for o in offers_page.context["offers"]}


def test_second_pending_proposal_is_refused(world, client_for):
    client = english(client_for(world["membership"]))
    url = reverse("preferences-own-employer", args=[world["round"].pk])
    client.post(url, OWN_EMPLOYER)
    response = client.post(url, {**OWN_EMPLOYER, "organisation_name": "Nog een werkgever"})
    assert response.status_code == 200
    assert "already proposed your employer" in response.content.decode()
    assert Organisation.all_tenants.filter(institution=world["institution"]).count() == 5


def test_own_employer_with_bad_enterprise_number_is_re_rendered(world, client_for):
    client = english(client_for(world["membership"]))
    response = client.post(
        reverse("preferences-own-employer", args=[world["round"].pk]),
        {**OWN_EMPLOYER, "enterprise_number": "0123.456.788"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["enterprise_number"]
    assert "Buurthuis De Linde" in response.content.decode()
    assert not Site.all_tenants.filter(municipality="Vilvoorde").exists()


def test_htmx_save_redirects_the_whole_page(world, client_for):
    response = client_for(world["membership"]).post(
        reverse("preferences-ranking", args=[world["round"].pk]),
        {"offer_1": world["offers"][0].pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="ranking-form",
    )
    assert response.headers["HX-Redirect"] == reverse("preferences-round", args=[world["round"].pk])
    assert len(saved_ranking(world)) == 1
