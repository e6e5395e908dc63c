"""Right words, right numbers: Dutch/French texts, plurals, weekday names, criteria as text,
planned hours below the requirement, and start pages that only offer what works."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    AcademicCalendarFactory,
    MatchingRoundFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    ProgrammeYearFactory,
    StudentFactory,
    WorkplaceApprovalFactory,
    WorkplaceCriterionFactory,
)
from tests.fixtures import make_world
from workplaces.criteria import ProgrammeFacts, WorkplaceFacts, describe_params, evaluate
from workplaces.models import WorkplaceCriterion
from wpl.academic_years import current_academic_year


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- plurals and texts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "staff", "expected"),
    [
        ("nl", 1, "1 vaste medewerker."),
        ("nl", 3, "3 vaste medewerkers."),
        ("fr", 1, "1 membre du personnel permanent."),
        ("en", 1, "1 permanent staff member."),
    ],
)
def test_permanent_staff_is_counted_with_the_right_plural(lang, staff, expected):
    criterion = WorkplaceCriterion(kind="permanent_staff_at_least", params={"count": 2}, label="x")
    with translation.override(lang):
        result = evaluate(criterion, WorkplaceFacts(permanent_staff=staff), ProgrammeFacts())
    assert result.explanation == expected


def test_criteria_parameters_read_as_text_in_dutch():
    with translation.override("nl"):
        text = describe_params("mentor_reachable_days_at_least", {"days": 2, "weekdays": [3, 4, 5]})
        years = describe_params("commits_years_at_least", {"years": 1})
    assert "woensdag, donderdag, vrijdag" in text and "{" not in text
    assert years == "Minstens 1 schooljaar."


def test_criteria_list_shows_text_not_a_dictionary(personas, client_for):
    criterion = WorkplaceCriterionFactory(
        institution=personas.a, kind="commits_years_at_least", params={"years": 2}, label="Twee jaar"
    )
    body = _page(client_for(personas("a", "coordinator")), reverse("criterion-list"))
    assert "{&#x27;years&#x27;: 2}" not in body and "{'years': 2}" not in body
    assert criterion.params_text in body
    assert "Minstens 2 schooljaren." in body


def test_criterion_form_has_a_field_per_setting(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a)
    client = client_for(personas("a", "coordinator"))
    body = _page(client, reverse("criterion-create"))
    assert 'name="mentor_reachable_days_at_least__weekdays"' in body and "Parameters (JSON)" not in body
    data = {
        "programme": programme.pk,
        "order": 1,
        "label": "Bereikbaar",
        "kind": "mentor_reachable_days_at_least",
        "mentor_reachable_days_at_least__days": "2",
        "mentor_reachable_days_at_least__weekdays": ["3", "4", "5"],
        # Settings of another rule are ignored.
        "commits_years_at_least__years": "7",
    }
    assert client.post(reverse("criterion-create"), data).status_code == 302
    criterion = WorkplaceCriterion.all_tenants.get(programme=programme)
    assert criterion.params == {"days": 2, "weekdays": [3, 4, 5]}
    # The edit form shows the saved settings in their fields.
    body = _page(client, reverse("criterion-edit", args=[criterion.pk]))
    assert 'name="mentor_reachable_days_at_least__days" value="2"' in body
    # More days than weekdays: a clear error, what was typed is kept.
    data["mentor_reachable_days_at_least__days"] = "4"
    response = client.post(reverse("criterion-edit", args=[criterion.pk]), data)
    assert response.status_code == 400
    assert 'value="4"' in response.content.decode()


def test_board_shows_weekday_names(personas, client_for):
    world = make_world(personas.a, students=1, offers=1)
    body = _page(client_for(personas("a", "coordinator")), reverse("matching-board", args=[world.round.pk]))
    assert "wo, do, vr" in body
    assert "<td>3,4,5</td>" not in body


def test_my_placement_is_dutch(personas, client_for):
    membership = personas("a", "student")
    student = StudentFactory(institution=personas.a, user=membership.user)
    PlacementFactory(institution=personas.a, student=student, academic_year=current_academic_year())
    body = _page(client_for(membership), reverse("my-placement"))
    assert "Planned WPL" not in body
    assert "not planned yet" not in body


# --- planned hours below the required hours ---------------------------------------------------


@pytest.fixture
def short_plan(personas):
    """A year-2 placement planning fewer hours than its programme year requires."""
    a = personas.a
    ay = current_academic_year()
    start = int(ay[:4])
    AcademicCalendarFactory(
        institution=a,
        academic_year=ay,
        wpl_start=datetime.date(start, 11, 9),
        wpl_end=datetime.date(start + 1, 6, 30),
    )
    programme = ProgrammeFactory(institution=a, years=2)
    ProgrammeYearFactory(institution=a, programme=programme, year=2, required_hours=2000)
    ProgrammeYearFactory(institution=a, programme=programme, year=1, required_hours=10)
    membership = personas("a", "student")
    student = StudentFactory(institution=a, programme=programme, year=2, user=membership.user)
    placement = PlacementFactory(
        institution=a, student=student, programme=programme, year=2, academic_year=ay
    )
    # A year-1 placement that plans more than enough is not flagged.
    PlacementFactory(
        institution=a, programme=programme, year=1, academic_year=ay, student__programme=programme
    )
    return {"membership": membership, "placement": placement, "programme": programme}


def test_student_sees_the_hours_shortfall(short_plan, client_for):
    body = _page(client_for(short_plan["membership"]), reverse("my-placement"))
    assert "hours-short" in body
    assert "2000" in body


def test_coordinator_start_page_counts_placements_short_of_hours(short_plan, personas, client_for):
    response = client_for(personas("a", "coordinator")).get("/")
    assert response.context["placements_short_of_hours"] == 1
    assert 'id="hours-short"' in response.content.decode()


def test_calendar_plan_flags_the_short_programme_year(short_plan, personas, client_for):
    from catalogue.models import AcademicCalendar

    calendar = AcademicCalendar.all_tenants.get(institution=personas.a)
    body = _page(client_for(personas("a", "coordinator")), reverse("calendar-detail", args=[calendar.pk]))
    assert body.count("hours-short") == 1


def test_no_flag_without_a_shortfall(personas, client_for):
    response = client_for(personas("a", "coordinator")).get("/")
    assert response.context["placements_short_of_hours"] == 0
    assert 'id="hours-short"' not in response.content.decode()


# --- start pages and what students see -------------------------------------------------------


def test_supervisor_start_page_does_not_link_to_a_forbidden_board(personas, client_for):
    MatchingRoundFactory(institution=personas.a)
    supervisor = client_for(personas("a", "supervisor"))
    body = _page(supervisor, "/")
    assert reverse("matching-rounds") not in body
    # Whatever the start page links to, the supervisor may open.
    coordinator_body = _page(client_for(personas("a", "coordinator")), "/")
    assert reverse("matching-rounds") in coordinator_body


def test_student_is_asked_for_preferences_only_when_a_round_is_open_for_them(personas, client_for):
    membership = personas("a", "student")
    programme = ProgrammeFactory(institution=personas.a)
    StudentFactory(institution=personas.a, programme=programme, user=membership.user, year=1)
    client = client_for(membership)
    # Rounds of another programme, or of this one but closed, do not count.
    MatchingRoundFactory(institution=personas.a)
    MatchingRoundFactory(institution=personas.a, programme=programme, status="published")
    assert 'id="state-preferences"' not in _page(client, "/")
    MatchingRoundFactory(institution=personas.a, programme=programme, academic_year="2027-2028")
    assert 'id="state-preferences"' in _page(client, "/")


def test_students_see_only_approved_workplaces(personas, client_for):
    a = personas.a
    membership = personas("a", "student")
    programme = ProgrammeFactory(institution=a)
    student = StudentFactory(institution=a, programme=programme, user=membership.user)
    approved = OrganisationFactory(institution=a, name="Goedgekeurd Huis")
    rejected = OrganisationFactory(institution=a, name="Afgekeurd Huis")
    test_org = OrganisationFactory(institution=a, name="Test Werkplek")
    placed = OrganisationFactory(institution=a, name="Eigen Stageplek")
    WorkplaceApprovalFactory(institution=a, organisation=approved, programme=programme)
    WorkplaceApprovalFactory(institution=a, organisation=rejected, programme=programme, decision="approved")
    WorkplaceApprovalFactory(
        institution=a, organisation=rejected, programme=programme, decision="rejected", reason="nee"
    )
    PlacementFactory(institution=a, student=student, organisation=placed)
    client = client_for(membership)
    body = _page(client, reverse("organisation-list"))
    assert approved.name in body and placed.name in body
    assert rejected.name not in body and test_org.name not in body
    assert client.get(reverse("organisation-detail", args=[rejected.pk])).status_code == 404
    assert client.get(reverse("organisation-detail", args=[approved.pk])).status_code == 200
    # Staff still see every workplace.
    staff_body = _page(client_for(personas("a", "coordinator")), reverse("organisation-list"))
    assert rejected.name in staff_body and test_org.name in staff_body
