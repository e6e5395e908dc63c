"""Year 2: the student stays at the year-1 workplace unless student, mentor and supervisor agree."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from matching.models import StudentPreference, WorkplaceChange
from matching.selectors import previous_workplace_rules
from tests.factories import (
    MatchingRoundFactory,
    OrganisationFactory,
    PlacementFactory,
    PlacementOfferFactory,
    ProgrammeFactory,
    StudentFactory,
    WorkplaceApprovalFactory,
    WorkplaceChangeFactory,
    create_in_tenant,
)
from wpl.tenancy import tenant_context

AY = "2026-2027"
DAY = datetime.date(2026, 6, 1)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def world(personas):
    institution = personas.a
    programme = ProgrammeFactory(institution=institution, years=2)
    year_one_org = OrganisationFactory(institution=institution, name="OCMW Vilvoorde")
    membership = personas("a", "student")
    student = StudentFactory(institution=institution, programme=programme, year=2, user=membership.user)
    PlacementFactory(
        institution=institution, student=student, organisation=year_one_org, programme=programme, year=1
    )
    round_two = MatchingRoundFactory(institution=institution, programme=programme, year=2, academic_year=AY)
    new_org = OrganisationFactory(institution=institution, name="Samenlevingsopbouw")
    WorkplaceApprovalFactory(institution=institution, organisation=new_org, programme=programme)
    offer = PlacementOfferFactory(institution=institution, organisation=new_org, programme=programme, year=2)
    return {
        "institution": institution,
        "programme": programme,
        "membership": membership,
        "student": student,
        "round": round_two,
        "year_one_org": year_one_org,
        "new_org": new_org,
        "offer": offer,
    }


def rules(world, in_tenant):
    with in_tenant(world["institution"]):
        return previous_workplace_rules(world["round"])


def test_year_two_students_stay_at_their_year_one_workplace(world, in_tenant):
    institution, programme = world["institution"], world["programme"]
    fresh = StudentFactory(institution=institution, programme=programme, year=2)  # no year-1 placement
    repeating = StudentFactory(institution=institution, programme=programme, year=1)
    PlacementFactory(institution=institution, student=repeating, programme=programme, year=1)
    other_programme = StudentFactory(institution=institution, year=2)
    PlacementFactory(institution=institution, student=other_programme, year=1)

    result = rules(world, in_tenant)

    assert result == {world["student"].pk: world["year_one_org"].pk}
    assert fresh.pk not in result


def test_year_one_round_has_no_rules(world, in_tenant):
    round_one = MatchingRoundFactory(
        institution=world["institution"], programme=world["programme"], year=1, academic_year=AY
    )
    with in_tenant(world["institution"]):
        assert previous_workplace_rules(round_one) == {}


@pytest.mark.parametrize(
    "agreed",
    [
        {},
        {"agreed_by_student_at": DAY},
        {"agreed_by_student_at": DAY, "agreed_by_mentor_at": DAY},
        {"agreed_by_mentor_at": DAY, "agreed_by_supervisor_at": DAY},
    ],
)
def test_a_change_not_agreed_by_all_three_keeps_the_student(world, in_tenant, agreed):
    WorkplaceChangeFactory(
        institution=world["institution"],
        student=world["student"],
        from_organisation=world["year_one_org"],
        academic_year=AY,
        **agreed,
    )
    assert rules(world, in_tenant) == {world["student"].pk: world["year_one_org"].pk}


def test_a_change_agreed_by_all_three_frees_the_student(world, in_tenant):
    WorkplaceChangeFactory(
        institution=world["institution"],
        student=world["student"],
        from_organisation=world["year_one_org"],
        academic_year=AY,
        agreed_by_student_at=DAY,
        agreed_by_mentor_at=DAY,
        agreed_by_supervisor_at=DAY,
    )
    assert rules(world, in_tenant) == {}


def test_an_agreed_change_for_another_year_does_not_count(world, in_tenant):
    WorkplaceChangeFactory(
        institution=world["institution"],
        student=world["student"],
        from_organisation=world["year_one_org"],
        academic_year="2027-2028",
        agreed_by_student_at=DAY,
        agreed_by_mentor_at=DAY,
        agreed_by_supervisor_at=DAY,
    )
    assert world["student"].pk in rules(world, in_tenant)


def test_whole_year_placement_wins_over_units(world, in_tenant):
    from catalogue.models import WplUnit

    unit = create_in_tenant(WplUnit,
        institution=world["institution"], programme=world["programme"], name="Payroll"
    )
    PlacementFactory(
        institution=world["institution"],
        student=world["student"],
        programme=world["programme"],
        year=1,
        wpl_unit=unit,
        organisation=OrganisationFactory(institution=world["institution"]),
    )
    assert rules(world, in_tenant) == {world["student"].pk: world["year_one_org"].pk}


def test_student_page_says_you_stay(world, client_for):
    client = english(client_for(world["membership"]))
    body = client.get(reverse("preferences-round", args=[world["round"].pk])).content.decode()
    assert "You stay at OCMW Vilvoorde" in body
    ranking = client.get(reverse("preferences-ranking", args=[world["round"].pk])).content.decode()
    assert "You stay at OCMW Vilvoorde" in ranking
    assert 'name="offer_1"' not in ranking


def test_staying_student_cannot_rank(world, client_for):
    client = english(client_for(world["membership"]))
    response = client.post(
        reverse("preferences-ranking", args=[world["round"].pk]), {"offer_1": world["offer"].pk}
    )
    assert response.status_code == 200
    assert "You stay at OCMW Vilvoorde" in response.content.decode()
    assert not StudentPreference.all_tenants.exists()


def change_data(world, **overrides):
    data = {
        "student": world["student"].pk,
        "academic_year": AY,
        "from_organisation": world["year_one_org"].pk,
        "to_organisation": world["new_org"].pk,
        "reason": "Verhuisd naar Gent",
        "agreed_by_student_at": "2026-05-01",
        "agreed_by_mentor_at": "2026-05-02",
        "agreed_by_supervisor_at": "2026-05-03",
    }
    data.update(overrides)
    return data


def test_coordinator_records_an_agreed_change_and_the_student_may_rank(world, personas, client_for):
    coordinator = client_for(personas("a", "coordinator"))
    new_page = coordinator.get(reverse("workplace-change-new"), {"student": world["student"].pk})
    assert new_page.status_code == 200
    assert new_page.context["form"].initial["from_organisation"] == world["year_one_org"].pk

    response = coordinator.post(reverse("workplace-change-new"), change_data(world))

    assert response.status_code == 302
    change = WorkplaceChange.all_tenants.get()
    assert change.is_fully_agreed
    assert change.recorded_by_id == personas("a", "coordinator").user_id
    student = english(client_for(world["membership"]))
    ranking = student.get(reverse("preferences-ranking", args=[world["round"].pk])).content.decode()
    assert "You stay at" not in ranking
    assert 'name="offer_1"' in ranking
    saved = student.post(
        reverse("preferences-ranking", args=[world["round"].pk]), {"offer_1": world["offer"].pk}
    )
    assert saved.status_code == 302


def test_change_with_two_agreements_keeps_the_student(world, personas, client_for):
    coordinator = client_for(personas("a", "coordinator"))
    coordinator.post(reverse("workplace-change-new"), change_data(world, agreed_by_supervisor_at=""))
    change = WorkplaceChange.all_tenants.get()
    assert not change.is_fully_agreed
    body = english(client_for(world["membership"])).get(
        reverse("preferences-round", args=[world["round"].pk])
    )
    assert "You stay at OCMW Vilvoorde" in body.content.decode()

    # The supervisor's agreement is added later on the same page.
    response = coordinator.post(reverse("workplace-change-detail", args=[change.pk]), change_data(world))
    assert response.status_code == 302
    assert WorkplaceChange.all_tenants.get().is_fully_agreed


def test_future_agreement_date_and_same_workplace_are_refused(world, personas, client_for):
    coordinator = english(client_for(personas("a", "coordinator")))
    response = coordinator.post(
        reverse("workplace-change-new"),
        change_data(world, agreed_by_mentor_at="2099-01-01", to_organisation=world["year_one_org"].pk),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "agreed_by_mentor_at" in errors
    assert "to_organisation" in errors
    assert "Verhuisd naar Gent" in response.content.decode()
    assert not WorkplaceChange.all_tenants.exists()


def test_second_change_for_the_same_year_is_refused(world, personas, client_for):
    coordinator = english(client_for(personas("a", "coordinator")))
    coordinator.post(reverse("workplace-change-new"), change_data(world))
    response = coordinator.post(reverse("workplace-change-new"), change_data(world))
    assert response.status_code == 200
    assert "already recorded" in response.content.decode()
    assert WorkplaceChange.all_tenants.count() == 1


def test_bad_academic_year_is_re_rendered(world, personas, client_for):
    coordinator = client_for(personas("a", "coordinator"))
    response = coordinator.post(reverse("workplace-change-new"), change_data(world, academic_year="2026"))
    assert response.status_code == 200
    assert response.context["form"].errors["academic_year"]


def test_change_pages_are_for_staff_only(world, personas, client_for):
    change = WorkplaceChangeFactory(
        institution=world["institution"], student=world["student"], from_organisation=world["year_one_org"]
    )
    for role in ("student", "mentor", "org_admin", "supervisor"):
        client = client_for(personas("a", role))
        assert client.get(reverse("workplace-change-detail", args=[change.pk])).status_code == 403, role
        if role != "supervisor":
            assert client.get(reverse("workplace-changes")).status_code == 403, role
    # Supervisors see only their own students' changes (to give their agreement).
    supervisor_list = client_for(personas("a", "supervisor")).get(reverse("workplace-changes"))
    assert supervisor_list.status_code == 200
    assert "OCMW Vilvoorde" not in supervisor_list.content.decode()
    coordinator = client_for(personas("a", "coordinator"))
    listing = coordinator.get(reverse("workplace-changes"))
    assert listing.status_code == 200
    assert "OCMW Vilvoorde" in listing.content.decode()
    assert (
        client_for(personas("b", "coordinator"))
        .get(reverse("workplace-change-detail", args=[change.pk]))
        .status_code
        == 404
    )


def test_each_party_gives_their_own_agreement(world, personas, client_for, in_tenant):
    from placements.models import Placement
    from tests.factories import MentorFactory

    institution = world["institution"]
    mentor, supervisor = personas("a", "mentor"), personas("a", "supervisor")
    MentorFactory(institution=institution, organisation=world["year_one_org"], user=mentor.user)
    with tenant_context(institution):
        Placement.all_tenants.filter(student=world["student"]).update(supervisor=supervisor)
    change = WorkplaceChangeFactory(
        institution=institution,
        student=world["student"],
        from_organisation=world["year_one_org"],
        academic_year=AY,
    )
    url = reverse("workplace-change-agree", args=[change.pk])
    student_client = english(client_for(world["membership"]))
    round_page = student_client.get(reverse("preferences-round", args=[world["round"].pk])).content.decode()
    assert url in round_page

    for membership in (world["membership"], mentor):
        client = client_for(membership)
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 302
    assert world["student"].pk in rules(world, in_tenant)
    assert client_for(supervisor).post(url).status_code == 302

    change.refresh_from_db()
    assert change.is_fully_agreed
    assert rules(world, in_tenant) == {}


def test_agreement_only_for_the_parties_own_changes(world, personas, client_for):
    other_student = StudentFactory(institution=world["institution"], programme=world["programme"], year=2)
    change = WorkplaceChangeFactory(
        institution=world["institution"], student=other_student, from_organisation=world["year_one_org"]
    )
    url = reverse("workplace-change-agree", args=[change.pk])
    for role in ("student", "mentor", "supervisor"):
        assert client_for(personas("a", role)).post(url).status_code == 404, role
    for role in ("org_admin", "coordinator"):
        assert client_for(personas("a", role)).post(url).status_code == 403, role
    change.refresh_from_db()
    assert not (change.agreed_by_student_at or change.agreed_by_mentor_at or change.agreed_by_supervisor_at)
