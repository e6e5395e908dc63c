"""Demo catalogue: the programmes of the source documents, idempotent seeding."""

from __future__ import annotations

import pytest

from catalogue import demo as demo_catalogue
from catalogue.models import (
    AcademicCalendar,
    ClassDay,
    Competence,
    CourseUnit,
    LearningLine,
    LearningObjective,
    Period,
    ProfessionalRole,
    Programme,
    ProgrammeYear,
    SchoolHoliday,
    WplUnit,
)
from tests.factories import InstitutionFactory
from wpl import registry
from wpl.tenancy import tenant_context

MODELS = [
    Programme,
    ProgrammeYear,
    ProfessionalRole,
    Period,
    LearningLine,
    CourseUnit,
    Competence,
    WplUnit,
    LearningObjective,
    AcademicCalendar,
    ClassDay,
    SchoolHoliday,
]

HR_UNITS = {
    "Expeditie HR": (1, 12, ["Kwartaal 1"]),
    "Digitaal vaardig": (1, 3, ["Kwartaal 2"]),
    "Instroom": (1, 14, ["Kwartaal 3"]),
    "Payroll": (1, 14, ["Kwartaal 4"]),
    "HR Permanentie": (2, 20, ["Kwartaal 5", "Kwartaal 6"]),
    "Welzijn": (2, 4, ["Kwartaal 7"]),
    "De HR Boetiek": (2, 4, ["Fase 2 · semester 2"]),
    "HR Support": (2, 50, ["Kwartaal 7", "Kwartaal 8"]),
}


@pytest.fixture
def seeded(db):
    odisee = InstitutionFactory(slug="odisee", name="Odisee")
    thomasmore = InstitutionFactory(slug="thomasmore", name="Thomas More")
    for institution in (odisee, thomasmore):
        with tenant_context(institution):
            demo_catalogue.seed(institution)
    return odisee, thomasmore


def snapshot():
    rows = {}
    for model in MODELS:
        rows[model.__name__] = sorted(
            model.all_tenants.values_list(*[f.attname for f in model._meta.concrete_fields])
        )
    rows["unit_periods"] = sorted(WplUnit.periods.through.objects.values_list("wplunit_id", "period_id"))
    return rows


def test_registered_as_app_seeder():
    assert "catalogue.demo.seed" in registry.demo_seeders()


def test_seeding_twice_changes_nothing(seeded):
    before = snapshot()
    assert all(before[name] for name in ("Programme", "WplUnit", "LearningObjective", "AcademicCalendar"))
    for institution in seeded:
        with tenant_context(institution):
            demo_catalogue.seed(institution)
    assert snapshot() == before


def test_thomas_more_has_the_eight_units_of_the_mentor_guide(seeded):
    _, thomasmore = seeded
    with tenant_context(thomasmore):
        programme = Programme.objects.get(name="Graduaat HR-support")
        units = {u.name: u for u in programme.wpl_units.prefetch_related("periods", "objectives")}
        assert set(units) == set(HR_UNITS)
        for name, (phase, days, periods) in HR_UNITS.items():
            unit = units[name]
            assert (unit.phase, unit.required_days) == (phase, days), name
            assert sorted(p.name for p in unit.periods.all()) == sorted(periods), name
        assert units["Expeditie HR"].rotation is True
        assert units["Digitaal vaardig"].group_size == 3
        expeditie = [o.text for o in units["Expeditie HR"].objectives.all()]
        assert len(expeditie) == 5
        assert expeditie[0].startswith("Observeert gericht aan de hand van vooraf vastgelegde richtlijnen")
        assert len(units["Instroom"].objectives.all()) == 8
        assert len(units["Payroll"].objectives.all()) == 6
        assert len(units["Welzijn"].objectives.all()) == 10
        permanentie = list(units["HR Permanentie"].objectives.all())
        assert {o.setting for o in permanentie} >= {"Rekrutering en selectie", "Payroll", "Welzijn"}
        roles = list(programme.roles.values_list("name", flat=True))
        assert roles == ["HR-operations officer", "Talent support officer", "21st century officer"]
        assert programme.periods.filter(kind="quarter").count() == 8
        assert programme.years == 2 and programme.form == "graduate" and not programme.paid


def test_odisee_social_work(seeded):
    odisee, _ = seeded
    with tenant_context(odisee):
        programme = Programme.objects.get(name="Graduaat Maatschappelijk Werk")
        assert (programme.form, programme.years, programme.paid) == ("graduate", 2, False)
        assert list(programme.roles.values_list("name", flat=True)) == [
            "Onthaal-bruggenbouwer",
            "Individuele begeleider",
            "Groepswerker",
            "Community builder",
        ]
        years = {y.year: y for y in programme.programme_years.all()}
        assert (years[1].wpl_weekdays, years[1].required_hours) == ("3,4,5", 500)
        assert (years[2].wpl_weekdays, years[2].required_hours) == ("1,2,3", 600)
        credits = {
            year: sum(programme.course_units.filter(year=year).values_list("credits", flat=True))
            for year in (1, 2)
        }
        assert credits == {1: 60, 2: 60}
        assert programme.course_units.get(name="Beroepsrollen 1").credits == 15
        calendar = AcademicCalendar.objects.get(academic_year="2026-2027")
        assert calendar.wpl_start.isoformat() == "2026-11-09" and calendar.wpl_end.isoformat() == "2027-06-30"


def test_other_institutions_get_nothing(db):
    other = InstitutionFactory(slug="elders")
    with tenant_context(other):
        demo_catalogue.seed(other)
    assert not Programme.all_tenants.exists()
