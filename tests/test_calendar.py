"""Academic calendars and planned WPL days: public holidays, school holidays, class days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import demo as demo_catalogue
from catalogue import selectors
from catalogue.models import AcademicCalendar, ClassDay, Programme, SchoolHoliday
from tests.conftest import shown
from tests.factories import (
    AcademicCalendarFactory,
    ClassDayFactory,
    ProgrammeFactory,
    ProgrammeYearFactory,
    SchoolHolidayFactory,
)
from wpl.tenancy import tenant_context

AY = "2026-2027"
WED, THU, FRI = 3, 4, 5


@pytest.fixture
def world(personas):
    """Programme in A: year 1 Wed-Thu-Fri, year 2 Mon-Tue-Wed; a bare 2026-2027 calendar."""
    a = personas.a
    programme = ProgrammeFactory(institution=a, name="Graduaat Sociaal Werk", years=2)
    ProgrammeYearFactory(
        institution=a, programme=programme, year=1, wpl_weekdays="3,4,5", hours_per_day="6.33"
    )
    ProgrammeYearFactory(
        institution=a, programme=programme, year=2, wpl_weekdays="1,2,3", hours_per_day="7.60"
    )
    calendar = AcademicCalendarFactory(
        institution=a, academic_year=AY, wpl_start=date(2026, 11, 9), wpl_end=date(2027, 6, 30)
    )
    return programme, calendar


def days(programme, year, **kw):
    with tenant_context(programme.institution_id):
        return selectors.planned_wpl_days(programme=programme, year=year, academic_year=AY, **kw)


def test_only_the_default_weekdays_between_start_and_end(world):
    programme, _ = world
    planned = days(programme, 1)
    assert planned
    assert {d.isoweekday() for d in planned} == {WED, THU, FRI}
    assert planned[0] >= date(2026, 11, 9) and planned[-1] <= date(2027, 6, 30)
    assert planned == sorted(planned)
    assert {d.isoweekday() for d in days(programme, 2)} == {1, 2, 3}


def test_public_holidays_are_excluded(world):
    programme, _ = world
    year1, year2 = set(days(programme, 1)), set(days(programme, 2))
    assert date(2026, 11, 11) not in year1  # Armistice Day, a Wednesday
    assert date(2026, 11, 12) in year1
    assert date(2027, 3, 29) not in year2  # Easter Monday 2027
    assert date(2027, 3, 30) in year2
    assert date(2027, 5, 6) not in year1  # Ascension Day, a Thursday
    assert date(2027, 5, 17) not in year2  # Whit Monday
    assert date(2027, 1, 1) not in year1  # New Year, a Friday


def test_school_holidays_and_class_days_are_excluded(world, personas):
    programme, calendar = world
    other = ProgrammeFactory(institution=personas.a)
    SchoolHolidayFactory(
        institution=personas.a, calendar=calendar, start=date(2026, 12, 21), end=date(2027, 1, 3)
    )
    ClassDayFactory(institution=personas.a, calendar=calendar, date=date(2026, 12, 2))  # every programme
    ClassDayFactory(
        institution=personas.a, calendar=calendar, date=date(2026, 12, 3), programme=programme, year=1
    )
    ClassDayFactory(
        institution=personas.a, calendar=calendar, date=date(2026, 12, 4), programme=programme, year=2
    )
    ClassDayFactory(institution=personas.a, calendar=calendar, date=date(2026, 12, 10), programme=other)

    year1 = days(programme, 1)
    assert not [d for d in year1 if date(2026, 12, 21) <= d <= date(2027, 1, 3)]
    assert date(2026, 12, 18) in year1 and date(2027, 1, 6) in year1
    assert date(2026, 12, 2) not in year1  # class day for all
    assert date(2026, 12, 3) not in year1  # class day of this programme year
    assert date(2026, 12, 4) in year1  # class day of year 2 only
    assert date(2026, 12, 10) in year1  # class day of another programme


def test_planned_hours_and_clipping(world):
    programme, _ = world
    planned = days(programme, 1)
    with tenant_context(programme.institution_id):
        hours = selectors.planned_wpl_hours(programme=programme, year=1, academic_year=AY)
    assert hours == Decimal("6.33") * len(planned)
    clipped = days(programme, 1, start=date(2027, 2, 1), end=date(2027, 2, 28))
    assert clipped == [d for d in planned if date(2027, 2, 1) <= d <= date(2027, 2, 28)]


def test_no_calendar_or_no_weekdays_means_no_days(world, personas):
    programme, _ = world
    with tenant_context(personas.a):
        assert selectors.planned_wpl_days(programme=programme, year=1, academic_year="2030-2031") == []
        bare = ProgrammeFactory(institution=personas.a)
        assert selectors.planned_wpl_days(programme=bare, year=1, academic_year=AY) == []


def test_planned_days_use_the_programmes_own_institution(world, personas):
    """B's calendar never feeds A's programme, even with B's calendar for the same year."""
    programme, _ = world
    AcademicCalendarFactory(
        institution=personas.b, academic_year=AY, wpl_start=date(2026, 9, 1), wpl_end=date(2026, 9, 30)
    )
    assert days(programme, 1)[0] >= date(2026, 11, 9)


def test_planned_days_query_count_is_constant(world):
    programme, calendar = world
    with tenant_context(programme.institution_id), CaptureQueriesContext(connection) as few:
        selectors.planned_wpl_days(programme=programme, year=1, academic_year=AY)
    for i in range(5):
        SchoolHolidayFactory(
            institution=programme.institution,
            calendar=calendar,
            start=date(2027, 2, i + 1),
            end=date(2027, 2, i + 1),
        )
        ClassDayFactory(institution=programme.institution, calendar=calendar, date=date(2027, 3, i + 1))
    with tenant_context(programme.institution_id), CaptureQueriesContext(connection) as many:
        selectors.planned_wpl_days(programme=programme, year=1, academic_year=AY)
    assert len(few) == len(many) == 4


def test_odisee_weekday_defaults(personas):
    odisee = personas.a
    odisee.slug = "odisee"
    odisee.save()
    with tenant_context(odisee):
        demo_catalogue.seed(odisee)
        programme = Programme.objects.get(code="graduaat-maatschappelijk-werk")
        years = {y.year: y for y in programme.programme_years.all()}
        assert years[1].weekdays == [WED, THU, FRI]
        assert years[2].weekdays == [1, 2, 3]
        assert (years[1].required_hours, years[2].required_hours) == (500, 600)
        year1 = selectors.planned_wpl_days(programme=programme, year=1, academic_year=AY)
    assert {d.isoweekday() for d in year1} == {WED, THU, FRI}
    assert year1[0] >= date(2026, 11, 9)  # after the autumn break
    assert year1[-1] <= date(2027, 6, 30)  # until the end of June
    assert date(2027, 2, 10) not in year1  # the seeded class day


# --- pages --------------------------------------------------------------------------------
def test_calendar_pages_show_plan_per_programme_year(world, personas, client_for):
    programme, calendar = world
    client = client_for(personas("a", "supervisor"))
    body = client.get(reverse("calendar-detail", args=[calendar.pk])).content.decode()
    assert "Graduaat Sociaal Werk" in body
    assert "Wapenstilstand" in body  # public holidays listed in Dutch
    plan_url = reverse("calendar-plan", kwargs={"pk": calendar.pk, "programme_pk": programme.pk, "year": 1})
    assert plan_url in body
    page = client.get(plan_url)
    assert page.status_code == 200
    assert 'datetime="2026-11-12"' in page.content.decode()
    assert 'datetime="2026-11-11"' not in page.content.decode()
    assert client.get(reverse("calendar-list")).status_code == 200


def test_calendar_detail_query_count_is_constant(world, personas, client_for):
    programme, calendar = world
    client = client_for(personas("a", "coordinator"))
    url = reverse("calendar-detail", args=[calendar.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(3):
        extra = ProgrammeFactory(institution=personas.a, years=2)
        ProgrammeYearFactory(institution=personas.a, programme=extra, year=1)
        SchoolHolidayFactory(
            institution=personas.a,
            calendar=calendar,
            name=f"Vakantie {i}",
            start=date(2027, 4, 20 + i),
            end=date(2027, 4, 20 + i),
        )
        ClassDayFactory(
            institution=personas.a, calendar=calendar, date=date(2027, 5, 10 + i), programme=extra
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)


def test_calendar_list_query_count_is_constant(personas, client_for):
    client = client_for(personas("a", "coordinator"))
    AcademicCalendarFactory(
        institution=personas.a,
        academic_year="2025-2026",
        wpl_start=date(2025, 11, 10),
        wpl_end=date(2026, 6, 30),
    )
    client.get(reverse("calendar-list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("calendar-list"))
    for year in (2026, 2027, 2028):
        AcademicCalendarFactory(
            institution=personas.a,
            academic_year=f"{year}-{year + 1}",
            wpl_start=date(year, 11, 10),
            wpl_end=date(year + 1, 6, 30),
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("calendar-list")).content.decode()
    assert "2028-2029" in body
    assert len(few) == len(many)


def test_create_calendar_and_add_days(personas, client_for):
    client = client_for(personas("a", "institution_admin"))
    response = client.post(
        reverse("calendar-create"),
        {"academic_year": AY, "wpl_start": "2026-11-09", "wpl_end": "2027-06-30", "notes": ""},
    )
    assert response.status_code == 302
    calendar = AcademicCalendar.all_tenants.get(institution=personas.a, academic_year=AY)
    response = client.post(
        reverse("holiday-create", args=[calendar.pk]),
        {"name": "Kerstvakantie", "start": "2026-12-21", "end": "2027-01-03"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("classday-create", args=[calendar.pk]), {"date": "2026-12-02", "description": "Terugkomdag"}
    )
    assert response.status_code == 302
    class_day = ClassDay.all_tenants.get(calendar=calendar)
    assert class_day.programme is None
    # Delete asks first (GET), deletes on POST.
    assert client.get(reverse("classday-delete", args=[class_day.pk])).status_code == 200
    assert client.post(reverse("classday-delete", args=[class_day.pk])).status_code == 302
    assert not ClassDay.all_tenants.filter(calendar=calendar).exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"academic_year": AY, "wpl_start": "2027-06-30", "wpl_end": "2026-11-09"},
            "The end date is before the start date.",
        ),
        ({"academic_year": "2026-2028", "wpl_start": "2026-11-09", "wpl_end": "2027-06-30"}, "2026-2027"),
        (
            {"academic_year": AY, "wpl_start": "31-02-2027", "wpl_end": "2027-06-30"},
            "Voer een geldige datum in.",
        ),
        ({"academic_year": AY, "wpl_start": "2026-11-09", "wpl_end": ""}, "This field is required."),
    ],
)
def test_bad_calendar_input_is_shown_and_nothing_saved(personas, client_for, data, expected):
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("calendar-create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert shown(expected) in body
    assert data["academic_year"] in body  # what the user typed is kept
    assert not AcademicCalendar.all_tenants.exists()


def test_bad_holiday_and_class_day_input(world, personas, client_for):
    _, calendar = world
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("holiday-create", args=[calendar.pk]),
        {"name": "Krokusvakantie", "start": "2027-02-21", "end": "2027-02-15"},
    )
    assert response.status_code == 200
    assert shown("The last day is before the first day.") in response.content.decode()
    response = client.post(reverse("classday-create", args=[calendar.pk]), {"date": "2027-08-15"})
    outside = shown("The date falls outside the WPL period (%(start)s - %(end)s).").split(" (")[0]
    assert outside in response.content.decode()
    assert not SchoolHoliday.all_tenants.exists() and not ClassDay.all_tenants.exists()


def test_duplicate_calendar_year_is_a_form_error(world, personas, client_for):
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("calendar-create"), {"academic_year": AY, "wpl_start": "2026-09-21", "wpl_end": "2027-06-30"}
    )
    assert response.status_code == 200
    assert shown("There already is a calendar for this academic year.") in response.content.decode()
    assert AcademicCalendar.all_tenants.filter(institution=personas.a).count() == 1


@pytest.mark.parametrize("role", ["supervisor", "mentor", "org_admin", "student"])
def test_only_staff_edit_calendars(world, personas, client_for, role):
    _, calendar = world
    client = client_for(personas("a", role))
    assert client.get(reverse("calendar-edit", args=[calendar.pk])).status_code == 403
    assert client.post(reverse("holiday-create", args=[calendar.pk]), {"name": "x"}).status_code == 403
    expected = 200 if role == "supervisor" else 403
    assert client.get(reverse("calendar-detail", args=[calendar.pk])).status_code == expected


def test_other_institutions_calendar_is_404(world, personas, client_for):
    _, calendar = world
    client = client_for(personas("b", "coordinator"))
    assert client.get(reverse("calendar-detail", args=[calendar.pk])).status_code == 404
    assert client.get(reverse("holiday-create", args=[calendar.pk])).status_code == 404


def test_calendar_api(world, personas, client_for):
    programme, calendar = world
    client = client_for(personas("a", "student"))
    detail = client.get(reverse("api-calendar-detail", args=[calendar.pk])).json()
    assert {"date": "2026-11-11", "name": "Wapenstilstand"} in detail["public_holidays"]
    plan = client.get(reverse("api-calendar-plan", args=[calendar.pk])).json()
    row = next(r for r in plan if r["programme"] == programme.pk and r["year"] == 1)
    assert row["days"] == len(days(programme, 1))
    assert "2026-11-11" not in row["dates"]
    assert client.post(reverse("api-calendar-list"), {}, content_type="application/json").status_code == 403
    staff = client_for(personas("a", "coordinator"))
    bad = staff.post(
        reverse("api-calendar-list"),
        {"academic_year": "2027-2028", "wpl_start": "2028-06-30", "wpl_end": "2027-11-09"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "wpl_end" in bad.json()
