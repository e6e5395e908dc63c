"""Placement offers: hosts submit, coordinators review; hosts keep their organisation data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import (
    MentorFactory,
    OrganisationFactory,
    PlacementOfferFactory,
    ProfessionalRoleFactory,
    ProgrammeFactory,
    SiteFactory,
)
from workplaces.models import OfferDecision, Organisation, PlacementOffer, Site
from wpl.tenancy import tenant_context


@pytest.fixture
def host(personas):
    """Institution A: an organisation whose contact is the org_admin persona and whose mentor
    is the mentor persona, a programme with two roles, a site."""
    contact = personas("a", "org_admin")
    organisation = OrganisationFactory(
        institution=personas.a, contact_email=contact.user.email, contact_user=contact.user, name="Buurthuis"
    )
    mentor = MentorFactory(
        institution=personas.a, organisation=organisation, user=personas("a", "mentor").user
    )
    programme = ProgrammeFactory(institution=personas.a, years=2, name="Graduaat Maatschappelijk Werk")
    roles = [ProfessionalRoleFactory(institution=personas.a, programme=programme) for _ in range(2)]
    site = SiteFactory(institution=personas.a, organisation=organisation)
    return {
        "organisation": organisation,
        "mentor": mentor,
        "programme": programme,
        "roles": roles,
        "site": site,
    }


def offer_data(host, **extra):
    data = {
        "organisation": host["organisation"].pk,
        "programme": host["programme"].pk,
        "academic_year": _year(),
        "year": 1,
        "places": 2,
        "site": host["site"].pk,
        "mentor": host["mentor"].pk,
        "roles": [r.pk for r in host["roles"]],
        "weekdays": ["3", "4", "5"],
        "tasks": "Onthaal en groepswerk",
    }
    data.update(extra)
    return data


def _year():
    from wpl.academic_years import current_academic_year

    return current_academic_year()


def test_contact_submits_an_offer(personas, client_for, host):
    client = client_for(personas("a", "org_admin"))
    assert client.get(reverse("offer-create")).status_code == 200
    response = client.post(reverse("offer-create"), offer_data(host))
    assert response.status_code == 302, response.context["form"].errors
    offer = PlacementOffer.all_tenants.get()
    assert offer.institution_id == personas.a.pk
    assert offer.status == "submitted"
    assert offer.weekdays == "3,4,5"
    with tenant_context(personas.a):
        assert set(offer.roles.all()) == set(host["roles"])
    assert offer.mentor == host["mentor"] and offer.site == host["site"]


def test_mentor_can_submit_too(personas, client_for, host):
    response = client_for(personas("a", "mentor")).post(reverse("offer-create"), offer_data(host))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "bad",
    [
        {"places": "0"},
        {"places": "veel"},
        {"year": "3"},  # the programme has two years
        {"academic_year": "2020"},
        {"tasks": ""},
        {"programme": ""},
    ],
)
def test_bad_offer_input_is_rerendered_and_nothing_saved(personas, client_for, host, bad):
    client = client_for(personas("a", "org_admin"))
    response = client.post(reverse("offer-create"), offer_data(host, **{"tasks": "Mijn taken", **bad}))
    assert response.status_code == 200
    assert response.context["form"].errors
    if "tasks" not in bad:
        assert "Mijn taken" in response.content.decode()
    assert not PlacementOffer.all_tenants.exists()


def test_offer_cannot_use_another_organisations_mentor_site_or_role(personas, client_for, host):
    other = OrganisationFactory(institution=personas.a)
    other_mentor = MentorFactory(institution=personas.a, organisation=other)
    other_site = SiteFactory(institution=personas.a, organisation=other)
    other_role = ProfessionalRoleFactory(institution=personas.a)  # of another programme
    client = client_for(personas("a", "org_admin"))
    for bad in ({"mentor": other_mentor.pk}, {"site": other_site.pk}, {"roles": [other_role.pk]},
                {"organisation": other.pk}):  # fmt: skip
        response = client.post(reverse("offer-create"), offer_data(host, **bad))
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not PlacementOffer.all_tenants.exists()


def test_host_without_organisation_gets_an_explanation(personas, client_for):
    response = client_for(personas("a", "org_admin")).get(reverse("offer-create"))
    assert response.status_code == 200
    assert "workplaces/offers/no_organisation.html" in [t.name for t in response.templates]


def test_hosts_see_only_their_own_offers(personas, client_for, host):
    own = PlacementOfferFactory(institution=personas.a, organisation=host["organisation"], tasks="EIGEN")
    other = PlacementOfferFactory(institution=personas.a, tasks="ANDERMANS")
    client = client_for(personas("a", "org_admin"))
    body = client.get(reverse("offer-list")).content.decode()
    assert host["organisation"].name in body and other.organisation.name not in body
    assert client.get(reverse("offer-detail", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("offer-detail", kwargs={"pk": other.pk})).status_code == 404


def test_coordinator_filters_offers_with_constant_queries(
    personas, client_for, host, django_assert_max_num_queries
):
    client = client_for(personas("a", "coordinator"))
    PlacementOfferFactory(institution=personas.a, status="submitted", organisation=host["organisation"])
    client.get(reverse("offer-list"))
    for _ in range(6):
        offer = PlacementOfferFactory(institution=personas.a, status="accepted")
        with tenant_context(personas.a):
            offer.roles.set(host["roles"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("offer-list"))
    assert len(response.context["offers"]) == 7
    response = client.get(reverse("offer-list"), {"status": "submitted", "q": "Buurt"})
    assert [o.organisation for o in response.context["offers"]] == [host["organisation"]]
    # Bad filter input: the form says so, the list is not filtered, no error.
    response = client.get(reverse("offer-list"), {"status": "bogus", "programme": "x"})
    assert response.status_code == 200
    assert response.context["filter_form"].errors


def test_coordinator_rejects_with_reason_and_host_is_told(
    personas, client_for, host, django_capture_on_commit_callbacks
):
    offer = PlacementOfferFactory(
        institution=personas.a, organisation=host["organisation"], status="submitted"
    )
    client = client_for(personas("a", "coordinator"))
    url = reverse("offer-decide", kwargs={"pk": offer.pk})
    response = client.post(url, {"decision": "rejected", "reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    offer.refresh_from_db()
    assert offer.status == "submitted" and not OfferDecision.all_tenants.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "rejected", "reason": "Te ver van Brussel"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "rejected"
    decision = OfferDecision.all_tenants.get()
    assert decision.reason == "Te ver van Brussel"
    assert decision.decided_by == personas("a", "coordinator").user
    assert mail.outbox[-1].to == [host["organisation"].contact_email]
    # The host sees the reason on the offer page.
    body = client_for(personas("a", "org_admin")).get(reverse("offer-detail", kwargs={"pk": offer.pk}))
    assert "Te ver van Brussel" in body.content.decode()


def test_only_staff_decide(personas, client_for, host):
    offer = PlacementOfferFactory(
        institution=personas.a, organisation=host["organisation"], status="submitted"
    )
    for role in ("org_admin", "mentor", "supervisor"):
        response = client_for(personas("a", role)).post(
            reverse("offer-decide", kwargs={"pk": offer.pk}), {"decision": "accepted"}
        )
        assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.status == "submitted"


def test_host_withdraws_and_coordinator_cannot_accept_withdrawn(personas, client_for, host):
    offer = PlacementOfferFactory(
        institution=personas.a, organisation=host["organisation"], status="submitted"
    )
    client = client_for(personas("a", "org_admin"))
    assert client.post(reverse("offer-withdraw", kwargs={"pk": offer.pk})).status_code == 302
    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    response = client_for(personas("a", "coordinator")).post(
        reverse("offer-decide", kwargs={"pk": offer.pk}), {"decision": "accepted"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


# --- host self-service -------------------------------------------------------------------
def test_contact_updates_organisation_roles_and_sites(personas, client_for, host):
    client = client_for(personas("a", "org_admin"))
    url = reverse("host-organisation-edit", kwargs={"pk": host["organisation"].pk})
    page = client.get(url)
    assert page.status_code == 200
    site = host["site"]
    data = {
        "name": "Buurthuis De Linde",
        "sector": "Welzijn",
        "staff_fte": "3.5",
        "permanent_staff": "4",
        "languages": "nl, fr",
        "contact_name": "Els",
        "contact_phone": "02 123 45 67",
        "roles": [host["roles"][0].pk],
        "sites-TOTAL_FORMS": "2",
        "sites-INITIAL_FORMS": "1",
        "sites-MIN_NUM_FORMS": "0",
        "sites-MAX_NUM_FORMS": "1000",
        "sites-0-id": site.pk,
        "sites-0-organisation": host["organisation"].pk,
        "sites-0-name": "Hoofdzetel",
        "sites-0-municipality": "Vilvoorde",
        "sites-0-region": "flanders",
        "sites-1-organisation": host["organisation"].pk,
        "sites-1-name": "Antenne",
        "sites-1-municipality": "Brussel",
        "sites-1-region": "brussels",
    }
    response = client.post(url, data)
    assert response.status_code == 302, (response.context["form"].errors, response.context["sites"].errors)
    organisation = Organisation.all_tenants.get(pk=host["organisation"].pk)
    assert organisation.name == "Buurthuis De Linde"
    assert organisation.staff_fte == Decimal("3.5")
    with tenant_context(personas.a):
        assert list(organisation.roles.all()) == [host["roles"][0]]
    assert organisation.contact_email == personas("a", "org_admin").user.email  # not editable here
    assert sorted(Site.all_tenants.filter(organisation=organisation).values_list("name", "municipality")) == [
        ("Antenne", "Brussel"),
        ("Hoofdzetel", "Vilvoorde"),
    ]

    # Bad input: re-rendered with the input, nothing saved (not even the valid site change).
    data.update({"staff_fte": "veel", "sites-0-municipality": "Halle", "sites-1-name": ""})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "veel" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.staff_fte == Decimal("3.5")
    assert not Site.all_tenants.filter(municipality="Halle").exists()


def test_self_service_is_for_own_organisation_and_contacts_only(personas, client_for, host):
    other = OrganisationFactory(institution=personas.a)
    contact = client_for(personas("a", "org_admin"))
    assert contact.get(reverse("host-organisation-edit", kwargs={"pk": other.pk})).status_code == 404
    mentor = client_for(personas("a", "mentor"))
    assert mentor.get(reverse("host-organisation-list")).status_code == 200
    url = reverse("host-organisation-edit", kwargs={"pk": host["organisation"].pk})
    assert mentor.get(url).status_code == 403
    assert client_for(personas("a", "coordinator")).get(url).status_code == 403


# --- API -----------------------------------------------------------------------------------
def test_api_create_list_and_decide(personas, client_for, host):
    contact = client_for(personas("a", "org_admin"))
    payload = {
        "organisation": host["organisation"].pk,
        "programme": host["programme"].pk,
        "academic_year": "2026-2027",
        "year": 1,
        "places": 1,
        "tasks": "Groepswerk",
        "roles": [host["roles"][0].pk],
        "weekdays": [1, 2, 3],
    }
    response = contact.post(reverse("api-offer-list"), payload, content_type="application/json")
    assert response.status_code == 201, response.content
    offer_id = response.json()["id"]
    assert response.json()["weekdays"] == [1, 2, 3]

    other = OrganisationFactory(institution=personas.a)
    response = contact.post(
        reverse("api-offer-list"), {**payload, "organisation": other.pk}, content_type="application/json"
    )
    assert response.status_code == 400

    mentor = client_for(personas("a", "mentor"))
    assert mentor.post(reverse("api-offer-list"), payload, content_type="application/json").status_code == 403

    url = reverse("api-offer-decision", kwargs={"pk": offer_id})
    assert contact.post(url, {"decision": "accepted"}, content_type="application/json").status_code == 403
    coordinator = client_for(personas("a", "coordinator"))
    response = coordinator.post(url, {"decision": "rejected"}, content_type="application/json")
    assert response.status_code == 400  # a rejection needs a reason
    response = coordinator.post(url, {"decision": "accepted"}, content_type="application/json")
    assert response.status_code == 201
    assert coordinator.get(url).json()[0]["decision"] == "accepted"
    assert PlacementOffer.all_tenants.get(pk=offer_id).status == "accepted"
    # Institution B's coordinator does not find A's offer.
    b = client_for(personas("b", "coordinator"))
    assert b.get(reverse("api-offer-detail", kwargs={"pk": offer_id})).status_code == 404
    assert (
        b.post(url, {"decision": "rejected", "reason": "x"}, content_type="application/json").status_code
        == 404
    )
