"""Workplaces: organisations, sites, mentors, capacity, criteria checklists and approvals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import ProfessionalRole
from tests.factories import (
    MentorFactory,
    OrganisationFactory,
    ProfessionalRoleFactory,
    ProgrammeFactory,
    SiteFactory,
    WorkplaceApprovalFactory,
    WorkplaceCriterionFactory,
)
from tests.fixtures import _current_year, make_workplace
from workplaces import services as workplaces_services
from workplaces.models import (
    Mentor,
    Organisation,
    OrganisationCapacity,
    Site,
    WorkplaceApproval,
    WorkplaceCriterion,
)
from wpl.models import Role
from wpl.tenancy import tenant_context

VALID_KBO = "0403170701"


@pytest.fixture
def programme(personas):
    programme = ProgrammeFactory(institution=personas.a, name="Graduaat Maatschappelijk Werk", code="gmw")
    for order, name in enumerate(["Onthaal", "Begeleider", "Groepswerker", "Community builder"]):
        ProfessionalRoleFactory(institution=personas.a, programme=programme, name=name, order=order)
    return programme


@pytest.fixture
def odisee_criteria(programme):
    from workplaces.demo import seed_criteria

    with tenant_context(programme.institution_id):
        seed_criteria(programme)
    return programme


def organisation_form(**overrides):
    data = {
        "name": "Buurtwerk De Vonk",
        "enterprise_number": "",
        "sector": "Buurtwerk",
        "description": "",
        "staff_fte": "2.5",
        "permanent_staff": "3",
        "commits_years": "2",
        "learning_by_doing": "true",
        "languages": "nl, fr",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


# --- organisations --------------------------------------------------------------------------
def test_coordinator_creates_an_organisation_with_normalised_enterprise_number(
    personas, client_for, programme
):
    client = client_for(personas("a", "coordinator"))
    role = ProfessionalRole.all_tenants.filter(programme=programme).first()
    response = client.post(
        reverse("organisation-create"), organisation_form(enterprise_number=f"BE{VALID_KBO}", roles=[role.pk])
    )
    assert response.status_code == 302
    organisation = Organisation.all_tenants.get(name="Buurtwerk De Vonk")
    assert organisation.institution_id == personas.a.pk
    assert organisation.enterprise_number == "0403.170.701"
    assert organisation.learning_by_doing is True
    with tenant_context(personas.a):
        assert list(organisation.roles.all()) == [role]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("enterprise_number", "0403170702", "check"),
        ("enterprise_number", "12345", "10"),
        ("staff_fte", "-1", ""),
        ("name", "", ""),
    ],
)
def test_bad_organisation_input_rerenders_with_the_input(personas, client_for, field, value, message):
    client = client_for(personas("a", "coordinator"))
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("organisation-create"),
        organisation_form(**{field: value, "sector": "Typed sector"}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Typed sector" in body
    assert 'class="errorlist' in body
    assert message in body
    assert not Organisation.all_tenants.filter(sector="Typed sector").exists()


def test_duplicate_enterprise_number_is_a_form_error(personas, client_for):
    OrganisationFactory(institution=personas.a, enterprise_number="0403.170.701")
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("organisation-create"), organisation_form(enterprise_number=VALID_KBO))
    assert response.status_code == 400
    assert Organisation.all_tenants.filter(enterprise_number="0403.170.701").count() == 1
    # The same number in another institution is fine: each school keeps its own register.
    OrganisationFactory(institution=personas.b, enterprise_number="0403.170.701")


def test_org_admin_edits_only_their_own_organisation(personas, client_for):
    contact = personas("a", "org_admin")
    own = OrganisationFactory(
        institution=personas.a, contact_email=contact.user.email, contact_user=contact.user, name="Eigen"
    )
    other = OrganisationFactory(institution=personas.a, name="Andere")
    client = client_for(contact)
    response = client.post(reverse("organisation-edit", args=[own.pk]), organisation_form(name="Eigen vzw"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Eigen vzw"
    assert client.get(reverse("organisation-edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("organisation-create")).status_code == 403


def test_mentor_sees_own_organisation_read_only(personas, client_for):
    membership = personas("a", "mentor")
    own = OrganisationFactory(institution=personas.a, name="Mijn werkplek")
    MentorFactory(institution=personas.a, organisation=own, user=membership.user)
    OrganisationFactory(institution=personas.a, name="Niet de mijne")
    client = client_for(membership)
    body = client.get(reverse("organisation-list")).content.decode()
    assert "Mijn werkplek" in body
    assert "Niet de mijne" not in body
    assert client.get(reverse("organisation-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("organisation-edit", args=[own.pk])).status_code == 403


def test_student_sees_organisations_but_not_mentors_or_assessment(personas, client_for, odisee_criteria):
    organisation = make_workplace(personas.a, odisee_criteria)
    WorkplaceApprovalFactory(
        institution=personas.a,
        organisation=organisation,
        programme=odisee_criteria,
        decision="approved",  # students see approved workplaces only
        reason="Geheime reden",
    )
    from tests.factories import StudentFactory

    # The student follows the programme the workplace is approved for.
    StudentFactory(institution=personas.a, programme=odisee_criteria, user=personas("a", "student").user)
    client = client_for(personas("a", "student"))
    response = client.get(reverse("organisation-detail", args=[organisation.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert organisation.name in body
    assert "Mentor0" not in body
    assert "Geheime reden" not in body
    assert "Anderlecht" in body


# --- list page ------------------------------------------------------------------------------
def test_list_search_and_filters(personas, client_for, programme):
    a = make_workplace(personas.a, name="Buurtwerk Anderlecht")
    b = OrganisationFactory(institution=personas.a, name="Jeugdhuis Halle")
    SiteFactory(
        institution=personas.a, organisation=b, municipality="Halle", region="flanders", postcode="1500"
    )
    WorkplaceApprovalFactory(
        institution=personas.a, organisation=a, programme=programme, academic_year=_current_year()
    )
    client = client_for(personas("a", "coordinator"))
    url = reverse("organisation-list")

    def names(**params):
        page = client.get(url, params).context["organisations"]
        return {o.name for o in page}

    assert names() == {"Buurtwerk Anderlecht", "Jeugdhuis Halle"}
    assert names(q="halle") == {"Jeugdhuis Halle"}
    assert names(q="Anderlecht") == {"Buurtwerk Anderlecht"}
    assert names(region="flanders") == {"Jeugdhuis Halle"}
    assert names(status="approved") == {"Buurtwerk Anderlecht"}
    assert names(status="none") == {"Jeugdhuis Halle"}
    assert names(status="rejected") == set()


def test_list_is_paginated_by_50(personas, client_for):
    for i in range(55):
        OrganisationFactory(institution=personas.a, name=f"Org {i:03d}")
    client = client_for(personas("a", "coordinator"))
    first = client.get(reverse("organisation-list"))
    assert len(first.context["organisations"]) == 50
    second = client.get(reverse("organisation-list"), {"page": 2})
    assert len(second.context["organisations"]) == 5


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_uses_a_constant_number_of_queries(personas, client_for, programme):
    client = client_for(personas("a", "coordinator"))
    url = reverse("organisation-list")
    for i in range(3):
        make_workplace(personas.a, programme, name=f"Klein {i}")
    few = _count_queries(client, url)
    for i in range(40):
        make_workplace(personas.a, programme, name=f"Groot {i}", mentors=2)
    many = _count_queries(client, url)
    assert few == many
    assert many <= 12


def test_detail_uses_a_constant_number_of_queries(personas, client_for, odisee_criteria):
    client = client_for(personas("a", "coordinator"))
    small = make_workplace(personas.a, odisee_criteria, name="Klein", mentors=1)
    few = _count_queries(client, reverse("organisation-detail", args=[small.pk]))
    big = make_workplace(personas.a, odisee_criteria, name="Groot", mentors=8)
    for i in range(4):
        SiteFactory(institution=personas.a, organisation=big, name=f"Site {i}")
        WorkplaceApprovalFactory(institution=personas.a, organisation=big, programme=odisee_criteria)
    other = ProgrammeFactory(institution=personas.a, name="Andere opleiding")
    ProfessionalRoleFactory(institution=personas.a, programme=other)
    for _i in range(5):
        WorkplaceCriterionFactory(institution=personas.a, programme=other, kind="learning_by_doing")
    many = _count_queries(client, reverse("organisation-detail", args=[big.pk]))
    assert few == many
    assert many <= 16


# --- detail page: checklist and approvals ----------------------------------------------------
def test_detail_shows_the_criteria_checklist(personas, client_for, odisee_criteria):
    organisation = make_workplace(personas.a, odisee_criteria, commits_years=1, learning_by_doing=None)
    client = client_for(personas("a", "coordinator"))
    response = client.get(reverse("organisation-detail", args=[organisation.pk]))
    (checklist,) = response.context["checklists"]
    statuses = {r.criterion.kind: r.status.value for r in checklist.results}
    assert statuses == {
        "region_in": "pass",
        "commits_years_at_least": "fail",
        "roles_at_least": "pass",
        "permanent_staff_at_least": "pass",
        "learning_by_doing": "unknown",
        "mentor_reachable_days_at_least": "pass",
        "mentor_profile": "pass",
    }
    assert checklist.overall.value == "fail"
    assert "Men engageert zich voor 2 schooljaren" in response.content.decode()


def test_seeded_odisee_criteria_are_the_seven_of_the_brochure(personas, odisee_criteria):
    kinds = list(
        WorkplaceCriterion.all_tenants.filter(programme=odisee_criteria)
        .order_by("order")
        .values_list("kind", "is_preference")
    )
    assert kinds == [
        ("region_in", False),
        ("commits_years_at_least", False),
        ("roles_at_least", False),
        ("permanent_staff_at_least", True),
        ("learning_by_doing", False),
        ("mentor_reachable_days_at_least", False),
        ("mentor_profile", False),
    ]


def test_coordinator_approves_and_rejects_with_history(personas, client_for, programme):
    organisation = make_workplace(personas.a, programme)
    client = client_for(personas("a", "coordinator"))
    url = reverse("workplace-decide", args=[organisation.pk])
    year = _current_year()
    response = client.post(url, {"programme": programme.pk, "academic_year": year, "decision": "approved"})
    assert response.status_code == 302
    # Rejecting without a reason: translated error, input kept, nothing saved.
    response = client.post(url, {"programme": programme.pk, "academic_year": year, "decision": "rejected"})
    assert response.status_code == 400
    assert WorkplaceApproval.all_tenants.filter(organisation=organisation).count() == 1
    response = client.post(
        url,
        {
            "programme": programme.pk,
            "academic_year": year,
            "decision": "rejected",
            "reason": "Geen mentor meer",
        },
    )
    assert response.status_code == 302
    approvals = list(WorkplaceApproval.all_tenants.filter(organisation=organisation))
    assert [a.decision for a in approvals] == ["rejected", "approved"]  # newest first
    assert approvals[0].decided_by == personas("a", "coordinator").user
    detail = client.get(reverse("organisation-detail", args=[organisation.pk]))
    (state,) = detail.context["approval_states"]
    assert state.current.decision == "rejected"
    assert len(state.history) == 2
    assert "Geen mentor meer" in detail.content.decode()


def test_bad_academic_year_is_a_form_error(personas, client_for, programme):
    organisation = make_workplace(personas.a)
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("workplace-decide", args=[organisation.pk]),
        {"programme": programme.pk, "academic_year": "2026-2028", "decision": "approved"},
    )
    assert response.status_code == 400
    assert "2026-2028" in response.content.decode()
    assert not WorkplaceApproval.all_tenants.exists()


def test_supervisor_cannot_approve(personas, client_for, programme):
    organisation = make_workplace(personas.a)
    client = client_for(personas("a", "supervisor"))
    response = client.post(
        reverse("workplace-decide", args=[organisation.pk]),
        {"programme": programme.pk, "academic_year": _current_year(), "decision": "approved"},
    )
    assert response.status_code == 403


def test_programme_of_another_institution_is_refused(personas, client_for):
    organisation = make_workplace(personas.a)
    foreign = ProgrammeFactory(institution=personas.b)
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("workplace-decide", args=[organisation.pk]),
        {"programme": foreign.pk, "academic_year": _current_year(), "decision": "approved"},
    )
    assert response.status_code == 400
    assert not WorkplaceApproval.all_tenants.exists()


# --- sites, mentors, capacity -------------------------------------------------------------------
def test_site_region_is_inferred_from_a_belgian_postcode(personas, client_for):
    organisation = OrganisationFactory(institution=personas.a)
    client = client_for(personas("a", "coordinator"))
    url = reverse("site-create", args=[organisation.pk])
    response = client.post(
        url, {"name": "Onthaal", "street": "Wayezstraat 1", "postcode": "1070", "municipality": "Anderlecht"}
    )
    assert response.status_code == 302
    assert Site.all_tenants.get(organisation=organisation).region == "brussels"
    response = client.post(
        url, {"name": "Fout", "postcode": "1800", "municipality": "Vilvoorde", "region": "brussels"}
    )
    assert response.status_code == 400
    assert "Vilvoorde" in response.content.decode()


@pytest.mark.parametrize(
    ("at_org", "in_sector"),
    [("-1", "3"), ("2", "-3"), ("10", "3"), ("70", "80")],
)
def test_mentor_years_are_validated(personas, client_for, at_org, in_sector):
    organisation = OrganisationFactory(institution=personas.a)
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("mentor-create", args=[organisation.pk]),
        {
            "first_name": "Sara",
            "last_name": "Peeters",
            "email": "sara@example.org",
            "is_social_worker": "true",
            "years_at_organisation": at_org,
            "years_in_sector": in_sector,
            "reachable_weekdays": ["3", "4"],
        },
    )
    assert response.status_code == 400
    assert "Peeters" in response.content.decode()
    assert not Mentor.all_tenants.filter(organisation=organisation).exists()


def test_mentor_is_created_and_linked_to_their_account_by_accepting_an_invitation(personas, client_for):
    """Typing a known person's address on a mentor record links nothing (access follows the
    explicit link only); the invitation for that record, accepted by its owner, links it."""
    organisation = OrganisationFactory(institution=personas.a)
    mentor_member = personas("a", "mentor")
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("mentor-create", args=[organisation.pk]),
        {
            "first_name": "Dirk",
            "last_name": "Maes",
            "email": mentor_member.user.email,
            "function": "Maatschappelijk werker",
            "is_social_worker": "unknown",
            "years_at_organisation": "1.5",
            "years_in_sector": "3",
            "reachable_weekdays": ["5", "3"],
            "attended_start_day": "on",
        },
    )
    assert response.status_code == 302
    mentor = Mentor.all_tenants.get(organisation=organisation)
    assert mentor.reachable_weekdays == "3,5"
    assert mentor.is_social_worker is None
    assert mentor.user is None
    detail = reverse("organisation-detail", args=[organisation.pk])
    assert client_for(mentor_member).get(detail).status_code == 404
    # The coordinator invites the person for this record; its owner accepts, signed in.
    _invitation, token = workplaces_services.create_invitation(
        actor=personas("a", "coordinator"),
        organisation=organisation,
        email=mentor_member.user.email,
        role=Role.MENTOR,
        purpose="general",
        base_url="http://testserver",
        mentor=mentor,
    )
    workplaces_services.accept_invitation(actor=None, token=token, signed_in_user=mentor_member.user)
    mentor.refresh_from_db()
    assert mentor.user == mentor_member.user
    # Now the mentor sees the organisation.
    assert (
        client_for(mentor_member).get(reverse("organisation-detail", args=[organisation.pk])).status_code
        == 200
    )
    edit = client.get(reverse("mentor-edit", args=[mentor.pk]))
    assert edit.status_code == 200


def test_capacity_per_programme_and_year(personas, client_for, programme):
    organisation = OrganisationFactory(institution=personas.a)
    client = client_for(personas("a", "coordinator"))
    url = reverse("organisation-capacity", args=[organisation.pk])
    assert client.post(url, {"programme": programme.pk, "year": 1, "places": 3}).status_code == 302
    assert client.post(url, {"programme": programme.pk, "year": 1, "places": 2}).status_code == 302
    assert OrganisationCapacity.all_tenants.get(organisation=organisation).places == 2
    assert client.post(url, {"programme": programme.pk, "year": 5, "places": 2}).status_code == 400
    assert client.post(url, {"programme": programme.pk, "year": 1, "places": 0}).status_code == 302
    assert not OrganisationCapacity.all_tenants.filter(organisation=organisation).exists()


# --- criteria configuration ----------------------------------------------------------------------
def test_coordinator_configures_a_criterion(personas, client_for, programme):
    client = client_for(personas("a", "coordinator"))
    url = reverse("criterion-create")
    data = {"programme": programme.pk, "order": 1, "label": "Twee jaar", "kind": "commits_years_at_least"}
    # The rule's settings are typed fields (no JSON); bad input is kept and explained.
    response = client.post(url, {**data, "commits_years_at_least__years": "x"})
    assert response.status_code == 400
    assert 'value="x"' in response.content.decode()
    assert client.post(url, data).status_code == 400
    assert client.post(url, {**data, "commits_years_at_least__years": "2"}).status_code == 302
    criterion = WorkplaceCriterion.all_tenants.get(programme=programme)
    assert criterion.params == {"years": 2}
    assert client.get(reverse("criterion-list")).status_code == 200
    response = client.post(
        reverse("criterion-edit", args=[criterion.pk]),
        {**data, "commits_years_at_least__years": "3", "is_preference": "on"},
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.params == {"years": 3} and criterion.is_preference


# --- API ----------------------------------------------------------------------------------------
def test_api_reads_organisations_with_sites(personas, client_for):
    make_workplace(personas.a, name="API werkplek")
    make_workplace(personas.b, name="Andere school")
    response = client_for(personas("a", "supervisor")).get(reverse("api-organisation-list"))
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["name"] == "API werkplek"
    assert row["sites"][0]["municipality"] == "Anderlecht"
    assert client_for(personas("a", "student")).get(reverse("api-organisation-list")).status_code == 403


def test_api_writes_for_staff_with_400_on_bad_input(personas, client_for):
    client = client_for(personas("a", "coordinator"))
    url = reverse("api-organisation-list")
    bad = client.post(url, {"name": "X", "enterprise_number": "0403170702"}, content_type="application/json")
    assert bad.status_code == 400
    assert "enterprise_number" in bad.json()
    good = client.post(url, {"name": "X", "enterprise_number": VALID_KBO}, content_type="application/json")
    assert good.status_code == 201
    assert good.json()["enterprise_number"] == "0403.170.701"
    denied = client_for(personas("a", "supervisor")).post(url, {"name": "Y"}, content_type="application/json")
    assert denied.status_code == 403


def test_api_mentors_and_approvals(personas, client_for, programme):
    organisation = make_workplace(personas.a)
    client = client_for(personas("a", "coordinator"))
    mentors = client.get(reverse("api-mentor-list")).json()["results"]
    assert mentors[0]["reachable_weekdays"] == [3, 4]
    created = client.post(
        reverse("api-mentor-list"),
        {
            "organisation": organisation.pk,
            "first_name": "A",
            "last_name": "B",
            "email": "a@b.be",
            "years_at_organisation": "5",
            "years_in_sector": "1",
        },
        content_type="application/json",
    )
    assert created.status_code == 400
    assert "years_at_organisation" in created.json()
    url = reverse("api-workplace-approval-list")
    payload = {"organisation": organisation.pk, "programme": programme.pk, "academic_year": _current_year()}
    missing_reason = client.post(url, {**payload, "decision": "rejected"}, content_type="application/json")
    assert missing_reason.status_code == 400
    assert "reason" in missing_reason.json()
    ok = client.post(url, {**payload, "decision": "approved"}, content_type="application/json")
    assert ok.status_code == 201
    foreign = ProgrammeFactory(institution=personas.b)
    refused = client.post(
        url, {**payload, "programme": foreign.pk, "decision": "approved"}, content_type="application/json"
    )
    assert refused.status_code == 400


# --- demo ---------------------------------------------------------------------------------------
def test_demo_seed_is_idempotent_and_links_the_demo_people(db):
    from tests.factories import InstitutionFactory, MembershipFactory, UserFactory
    from workplaces import demo as demo_workplaces

    odisee = InstitutionFactory(slug="odisee", name="Odisee")
    thomasmore = InstitutionFactory(slug="thomasmore", name="Thomas More")
    shared = UserFactory(email="mentor@odisee.demo")
    MembershipFactory(institution=odisee, user=shared, role=Role.MENTOR)
    MembershipFactory(institution=thomasmore, user=shared, role=Role.MENTOR)
    tm_mentor = UserFactory(email="mentor@thomasmore.demo")
    for _round in range(2):
        for institution in (odisee, thomasmore):
            with tenant_context(institution):
                demo_workplaces.seed(institution)
    assert Organisation.all_tenants.filter(institution=odisee).count() == len(
        demo_workplaces.ODISEE_WORKPLACES
    )
    assert WorkplaceCriterion.all_tenants.filter(institution=odisee).count() == 7
    assert Mentor.all_tenants.filter(user=shared, institution=odisee).count() == 1
    assert Mentor.all_tenants.filter(user=shared, institution=thomasmore).count() == 1
    assert Mentor.all_tenants.filter(user=tm_mentor, institution=thomasmore).count() == 1
    assert Organisation.all_tenants.filter(institution=odisee, contact_email="orgadmin@odisee.demo").exists()
    assert WorkplaceApproval.all_tenants.filter(institution=odisee, decision="approved").count() == 3
    # One Odisee workplace fails a criterion (Halle is outside Brussels and Vilvoorde).
    from workplaces import criteria as engine
    from workplaces.selectors import organisation_detail

    with tenant_context(odisee):
        coordinator = MembershipFactory(institution=odisee, role=Role.COORDINATOR)
        halle = Organisation.objects.get(name="Jeugdhuis Halle")
        detail = organisation_detail(membership=coordinator, pk=halle.pk)
        from workplaces.selectors import checklists

        (checklist,) = checklists(membership=coordinator, organisation=detail)
        assert checklist.overall == engine.Status.FAIL
        vonk = organisation_detail(
            membership=coordinator, pk=Organisation.objects.get(name="Buurtwerk De Vonk").pk
        )
        (checklist,) = checklists(membership=coordinator, organisation=vonk)
        assert checklist.overall == engine.Status.PASS
