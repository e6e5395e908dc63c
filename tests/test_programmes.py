"""Programmes and their structure: pages for staff, read-only for supervisors, API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import (
    WPL_FORM_DEFAULTS,
    Competence,
    LearningObjective,
    Period,
    ProfessionalRole,
    Programme,
    WplUnit,
)
from tests.conftest import shown
from tests.factories import (
    CompetenceFactory,
    CourseUnitFactory,
    LearningObjectiveFactory,
    PeriodFactory,
    ProfessionalRoleFactory,
    ProgrammeFactory,
    WplUnitFactory,
)
from wpl.tenancy import tenant_context


@pytest.fixture
def tenant_a(personas):
    """Institution A active for the test's own reads through related managers."""
    with tenant_context(personas.a):
        yield personas.a


def programme_data(**overrides):
    data = {
        "name": "Graduaat HR-support",
        "code": "hr-support",
        "form": "graduate",
        "years": "2",
        "workplace_share_pct": "",
        "paid": "",
        "has_allowance": "",
        "allowance_eur": "",
        "description": "",
    }
    data.update(overrides)
    return data


def unit_data(**overrides):
    data = {
        "name": "Payroll",
        "phase": "1",
        "required_days": "14",
        "required_hours": "",
        "group_size": "",
        "description": "",
        "objectives": "",
    }
    data.update(overrides)
    return data


# --- programmes ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("form", "share", "paid", "allowance"),
    [
        ("graduate", 33, False, False),
        ("syntra_pact", 60, False, False),
        ("mbo_bol", 20, False, True),
        ("mbo_bbl", 80, True, False),
        ("dual_learning", 50, True, True),
    ],
)
def test_create_programme_applies_the_defaults_of_its_form(
    personas, client_for, form, share, paid, allowance
):
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("programme-create"), programme_data(form=form))
    programme = Programme.all_tenants.get(institution=personas.a, code="hr-support")
    assert response.status_code == 302
    assert response["Location"] == reverse("programme-detail", args=[programme.pk])
    assert (programme.workplace_share_pct, programme.paid, programme.has_allowance) == (
        share,
        paid,
        allowance,
    )
    assert WPL_FORM_DEFAULTS[form].workplace_share_pct == share


def test_explicit_values_win_over_the_defaults(personas, client_for):
    client = client_for(personas("a", "institution_admin"))
    client.post(
        reverse("programme-create"),
        programme_data(workplace_share_pct="50", paid="yes", has_allowance="yes", allowance_eur="150.00"),
    )
    programme = Programme.all_tenants.get(code="hr-support")
    assert (programme.workplace_share_pct, programme.paid, programme.has_allowance) == (50, True, True)


def test_create_page_lists_the_defaults(personas, client_for):
    body = client_for(personas("a", "coordinator")).get(reverse("programme-create")).content.decode()
    assert shown("Syntra pact") in body and "≥ 60 %" in body


def test_share_below_the_minimum_of_the_form_is_refused(personas, client_for):
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("programme-create"), programme_data(workplace_share_pct="20"))
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        shown(
            "%(form)s has at least %(minimum)s %% of the time at the workplace.",
            form=shown("Graduate programme (graduaat)"),
            minimum=33,
        )
        in body
    )
    assert 'value="Graduaat HR-support"' in body  # input kept
    assert not Programme.all_tenants.exists()


@pytest.mark.parametrize(
    ("overrides", "dutch"),
    [
        ({"name": ""}, shown("This field is required.")),
        ({"workplace_share_pct": "150"}, "Zorg ervoor dat deze waarde hoogstens 100 is."),
        ({"years": "9"}, "Zorg ervoor dat deze waarde hoogstens 6 is."),
        ({"form": "internship"}, "Selecteer een geldige keuze."),
    ],
)
def test_bad_programme_input_shows_dutch_errors(personas, client_for, overrides, dutch):
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("programme-create"), programme_data(**overrides))
    assert response.status_code == 200
    assert dutch in response.content.decode()
    assert not Programme.all_tenants.exists()


def test_duplicate_code_is_a_form_error(personas, client_for):
    ProgrammeFactory(institution=personas.a, code="hr-support")
    ProgrammeFactory(institution=personas.b, code="elsewhere")
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("programme-create"), programme_data())
    assert shown("A programme with this code already exists.") in response.content.decode()
    assert Programme.all_tenants.filter(institution=personas.a).count() == 1
    # The same code in another institution is fine.
    assert client.post(reverse("programme-create"), programme_data(code="elsewhere")).status_code == 302


def test_edit_programme(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a, form="graduate", workplace_share_pct=40)
    client = client_for(personas("a", "institution_admin"))
    page = client.get(reverse("programme-edit", args=[programme.pk]))
    assert page.status_code == 200 and 'value="40"' in page.content.decode()
    response = client.post(
        reverse("programme-edit", args=[programme.pk]),
        programme_data(
            name="Nieuw", code=programme.code, workplace_share_pct="45", paid="no", has_allowance="no"
        ),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.workplace_share_pct) == ("Nieuw", 45)


def test_supervisor_reads_but_does_not_edit(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a, name="Graduaat Leesbaar")
    unit = WplUnitFactory(institution=personas.a, programme=programme)
    client = client_for(personas("a", "supervisor"))
    assert "Graduaat Leesbaar" in client.get(reverse("programme-list")).content.decode()
    detail = client.get(reverse("programme-detail", args=[programme.pk]))
    assert detail.status_code == 200
    assert reverse("programme-edit", args=[programme.pk]) not in detail.content.decode()
    assert client.get(reverse("programme-edit", args=[programme.pk])).status_code == 403
    assert client.post(reverse("programme-edit", args=[programme.pk]), programme_data()).status_code == 403
    assert client.get(reverse("programme-create")).status_code == 403
    assert client.get(reverse("wplunit-edit", args=[unit.pk])).status_code == 403
    assert client.post(reverse("wplunit-create", args=[programme.pk]), unit_data()).status_code == 403
    assert WplUnit.all_tenants.count() == 1


@pytest.mark.parametrize("role", ["student", "mentor", "org_admin"])
def test_non_school_roles_get_403(personas, client_for, role):
    programme = ProgrammeFactory(institution=personas.a)
    client = client_for(personas("a", role))
    assert client.get(reverse("programme-list")).status_code == 403
    assert client.get(reverse("programme-detail", args=[programme.pk])).status_code == 403
    assert client.get(reverse("programme-edit", args=[programme.pk])).status_code == 403


def test_other_institutions_programme_is_404(personas, client_for):
    theirs = ProgrammeFactory(institution=personas.b)
    client = client_for(personas("a", "coordinator"))
    assert client.get(reverse("programme-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("programme-edit", args=[theirs.pk]), programme_data()).status_code == 404
    assert client.post(reverse("wplunit-create", args=[theirs.pk]), unit_data()).status_code == 404
    assert not WplUnit.all_tenants.exists()


# --- WPL units ----------------------------------------------------------------------------
def test_create_and_edit_wpl_unit_with_ordered_objectives(personas, client_for, tenant_a):
    programme = ProgrammeFactory(institution=personas.a, years=2)
    q2 = PeriodFactory(institution=personas.a, programme=programme, kind="quarter", ordinal=2)
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("wplunit-create", args=[programme.pk]),
        unit_data(
            name="Digitaal vaardig",
            required_days="3",
            group_size="3",
            periods=[str(q2.pk)],
            objectives=(
                "Werkt constructief samen in teamverband\n\n• Ordent, filtert, sorteert data in Excel.\n"
            ),
        ),
    )
    assert response.status_code == 302
    unit = WplUnit.all_tenants.get(name="Digitaal vaardig")
    assert (unit.required_days, unit.group_size, list(unit.periods.all())) == (3, 3, [q2])
    texts = list(unit.objectives.order_by("order").values_list("text", flat=True))
    assert texts == ["Werkt constructief samen in teamverband", "Ordent, filtert, sorteert data in Excel."]

    edit_page = client.get(reverse("wplunit-edit", args=[unit.pk])).content.decode()
    assert "Werkt constructief samen in teamverband" in edit_page
    client.post(
        reverse("wplunit-edit", args=[unit.pk]),
        unit_data(
            name="Digitaal vaardig",
            required_days="3",
            rotation="on",
            objectives="# Rekrutering en selectie\nHet opstellen van functieprofielen\nTweede",
        ),
    )
    unit.refresh_from_db()
    assert unit.rotation is True
    objectives = list(unit.objectives.order_by("order"))
    assert [(o.setting, o.text) for o in objectives] == [
        ("Rekrutering en selectie", "Het opstellen van functieprofielen"),
        ("Rekrutering en selectie", "Tweede"),
    ]
    detail = client.get(reverse("programme-detail", args=[programme.pk])).content.decode()
    assert "Rekrutering en selectie" in detail and shown("rotation between settings") in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"required_days": "-4"}, "Zorg ervoor dat deze waarde minstens 0 is."),
        ({"required_days": "", "required_hours": "2500"}, "Zorg ervoor dat deze waarde hoogstens 2000 is."),
        ({"required_days": "400"}, "Zorg ervoor dat deze waarde hoogstens 300 is."),
        (
            {"required_days": "", "required_hours": ""},
            "Enter a number of days or a number of hours (or both).",
        ),
        ({"required_days": "veertien"}, "Enter a whole number."),
        ({"phase": "3"}, shown("This programme has only %(years)s year(s).", years=2)),
        ({"group_size": "0"}, "Zorg ervoor dat deze waarde minstens 1 is."),
    ],
)
def test_bad_unit_input_is_refused_and_nothing_saved(personas, client_for, overrides, message):
    programme = ProgrammeFactory(institution=personas.a, years=2)
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("wplunit-create", args=[programme.pk]), unit_data(objectives="Leerdoel", **overrides)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert shown(message) in body
    assert 'value="Payroll"' in body
    assert not WplUnit.all_tenants.exists() and not LearningObjective.all_tenants.exists()


def test_unit_cannot_use_periods_of_another_programme(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a)
    foreign = PeriodFactory(institution=personas.a)  # another programme
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("wplunit-create", args=[programme.pk]), unit_data(periods=[str(foreign.pk)])
    )
    assert response.status_code == 200
    assert not WplUnit.all_tenants.exists()


def test_duplicate_unit_name_is_a_form_error(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a)
    WplUnitFactory(institution=personas.a, programme=programme, name="Payroll")
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("wplunit-create", args=[programme.pk]), unit_data())
    assert shown("This programme already has a WPL unit with this name.") in response.content.decode()
    assert WplUnit.all_tenants.count() == 1


# --- periods, roles, competences ----------------------------------------------------------
def test_periods_refuse_end_before_start_and_overlaps(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a, years=2)
    client = client_for(personas("a", "coordinator"))
    url = reverse("period-create", args=[programme.pk])
    base = {"kind": "quarter", "phase": "1"}
    ok = client.post(
        url, {**base, "ordinal": "1", "name": "Kwartaal 1", "start": "2026-09-21", "end": "2026-11-15"}
    )
    assert ok.status_code == 302
    backwards = client.post(
        url, {**base, "ordinal": "2", "name": "Kwartaal 2", "start": "2026-12-01", "end": "2026-11-16"}
    )
    assert shown("The end date is before the start date.") in backwards.content.decode()
    overlap = client.post(
        url, {**base, "ordinal": "2", "name": "Kwartaal 2", "start": "2026-11-01", "end": "2027-01-31"}
    )
    overlaps = shown("This period overlaps with %(other)s (%(start)s - %(end)s).").split("%(other)s")[0]
    assert f"{overlaps}Kwartaal 1" in overlap.content.decode()
    assert 'value="Kwartaal 2"' in overlap.content.decode()
    # A semester may span the quarter: overlap is only checked within one kind.
    semester = client.post(
        url,
        {
            "kind": "semester",
            "phase": "1",
            "ordinal": "1",
            "name": "Semester 1",
            "start": "2026-09-21",
            "end": "2027-01-31",
        },
    )
    assert semester.status_code == 302
    duplicate = client.post(url, {**base, "ordinal": "1", "name": "Nog eens kwartaal 1"})
    assert shown("This programme already has a period of this kind with this number.") in (
        duplicate.content.decode()
    )
    assert Period.all_tenants.count() == 2


def test_roles_and_competences_central_per_semester(personas, client_for, tenant_a):
    programme = ProgrammeFactory(institution=personas.a)
    semester = PeriodFactory(
        institution=personas.a, programme=programme, kind="semester", ordinal=1, name="Semester 1"
    )
    client = client_for(personas("a", "institution_admin"))
    for order, name in enumerate(
        ["Onthaal-bruggenbouwer", "Individuele begeleider", "Groepswerker", "Community builder"], start=1
    ):
        response = client.post(reverse("role-create", args=[programme.pk]), {"name": name, "order": order})
        assert response.status_code == 302
    role = ProfessionalRole.all_tenants.get(name="Groepswerker")
    response = client.post(
        reverse("competence-create", args=[programme.pk]),
        {"code": "C1", "name": "Begeleidt groepen", "role": role.pk, "central_in": [semester.pk], "order": 0},
    )
    assert response.status_code == 302
    competence = Competence.all_tenants.get(code="C1")
    assert list(competence.central_in.all()) == [semester]
    body = client.get(reverse("programme-detail", args=[programme.pk])).content.decode()
    assert "Community builder" in body and shown("central in") in body and "Semester 1" in body
    response = client.post(
        reverse("role-edit", args=[role.pk]), {"name": "Groepswerker (aangepast)", "order": 3}
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.name == "Groepswerker (aangepast)"


def test_course_units_and_programme_years(personas, client_for, tenant_a):
    programme = ProgrammeFactory(institution=personas.a, years=2)
    client = client_for(personas("a", "coordinator"))
    assert (
        client.post(
            reverse("learningline-create", args=[programme.pk]),
            {"name": "Leerlijn beroepsrollen", "order": 1},
        ).status_code
        == 302
    )
    line = programme.learning_lines.get()
    assert (
        client.post(
            reverse("courseunit-create", args=[programme.pk]),
            {"name": "Beroepsrollen 1", "learning_line": line.pk, "year": 1, "credits": 15},
        ).status_code
        == 302
    )
    bad = client.post(
        reverse("courseunit-create", args=[programme.pk]), {"name": "Te veel", "year": 1, "credits": 99}
    )
    assert "Zorg ervoor dat deze waarde hoogstens 60 is." in bad.content.decode()
    response = client.post(
        reverse("programmeyear-create", args=[programme.pk]),
        {"year": 1, "weekdays": ["3", "4", "5"], "hours_per_day": "6.33", "required_hours": 500},
    )
    assert response.status_code == 302
    year = programme.programme_years.get()
    assert (year.weekdays, year.required_hours) == ([3, 4, 5], 500)
    body = client.get(reverse("programme-detail", args=[programme.pk])).content.decode()
    assert "Beroepsrollen 1" in body and "15" in body


# --- query counts -------------------------------------------------------------------------
def _grow(programme, n, start=1):
    with tenant_context(programme.institution):
        _grow_in_tenant(programme, n, start)


def _grow_in_tenant(programme, n, start=1):
    inst = programme.institution
    for i in range(n):
        unit = WplUnitFactory(institution=inst, programme=programme)
        period = PeriodFactory(institution=inst, programme=programme, kind="quarter", ordinal=start + i)
        unit.periods.add(period)
        LearningObjectiveFactory(institution=inst, unit=unit)
        LearningObjectiveFactory(institution=inst, unit=unit, setting="Opleiding")
        ProfessionalRoleFactory(institution=inst, programme=programme)
        CourseUnitFactory(institution=inst, programme=programme, period=period)
        competence = CompetenceFactory(institution=inst, programme=programme)
        competence.central_in.add(period)


def test_detail_and_list_query_counts_are_constant(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a)
    _grow(programme, 1)
    client = client_for(personas("a", "coordinator"))
    urls = [reverse("programme-detail", args=[programme.pk]), reverse("programme-list")]
    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    _grow(programme, 4, start=2)
    for _ in range(3):
        _grow(ProgrammeFactory(institution=personas.a), 1)
    for url, before in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx) == before, url


# --- API ----------------------------------------------------------------------------------
def test_api_list_and_detail(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a, name="Graduaat API")
    ProfessionalRoleFactory(institution=personas.a, programme=programme, name="Groepswerker")
    unit = WplUnitFactory(institution=personas.a, programme=programme, name="Instroom", required_days=14)
    LearningObjectiveFactory(institution=personas.a, unit=unit, text="Verzorgt telefonische permanentie")
    ProgrammeFactory(institution=personas.b, name="Graduaat B")
    client = client_for(personas("a", "student"))
    listing = client.get(reverse("api-programme-list")).json()
    assert [p["name"] for p in listing["results"]] == ["Graduaat API"]
    detail = client.get(reverse("api-programme-detail", args=[programme.pk])).json()
    assert detail["roles"] == ["Groepswerker"]
    unit_json = client.get(reverse("api-wplunit-detail", args=[unit.pk])).json()
    assert unit_json["required_days"] == 14
    assert unit_json["objectives"] == [{"setting": "", "text": "Verzorgt telefonische permanentie"}]


def test_api_create_with_defaults_and_400s(personas, client_for):
    client = client_for(personas("a", "coordinator"))
    created = client.post(
        reverse("api-programme-list"),
        {"name": "Pact", "code": "pact", "form": "syntra_pact", "years": 1},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["workplace_share_pct"] == 60
    too_low = client.post(
        reverse("api-programme-list"),
        {"name": "Pact 2", "code": "pact-2", "form": "syntra_pact", "years": 1, "workplace_share_pct": 10},
        content_type="application/json",
    )
    assert too_low.status_code == 400
    assert "workplace_share_pct" in too_low.json()
    programme = Programme.all_tenants.get(code="pact")
    foreign_period = PeriodFactory(institution=personas.b)
    bad_unit = client.post(
        reverse("api-wplunit-list"),
        {"programme": programme.pk, "name": "X", "phase": 1, "required_hours": 5000},
        content_type="application/json",
    )
    assert bad_unit.status_code == 400 and "required_hours" in bad_unit.json()
    foreign = client.post(
        reverse("api-wplunit-list"),
        {
            "programme": programme.pk,
            "name": "X",
            "phase": 1,
            "required_days": 3,
            "periods": [foreign_period.pk],
        },
        content_type="application/json",
    )
    assert foreign.status_code == 400 and "periods" in foreign.json()
    ok = client.post(
        reverse("api-wplunit-list"),
        {
            "programme": programme.pk,
            "name": "Leerbedrijf",
            "phase": 1,
            "required_days": 100,
            "objectives": [{"text": "Eerste"}, {"text": "Tweede", "setting": "Atelier"}],
        },
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    assert [o["text"] for o in ok.json()["objectives"]] == ["Eerste", "Tweede"]
    assert Programme.all_tenants.filter(institution=personas.a).count() == 1
    assert WplUnit.all_tenants.count() == 1


def test_api_writes_are_for_staff(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a)
    for role in ("supervisor", "student", "mentor"):
        client = client_for(personas("a", role))
        response = client.patch(
            reverse("api-programme-detail", args=[programme.pk]),
            {"name": "x"},
            content_type="application/json",
        )
        assert response.status_code == 403
    other = client_for(personas("b", "coordinator"))
    response = other.patch(
        reverse("api-programme-detail", args=[programme.pk]), {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
