"""Exports of the students and workplaces lists: CSV and XLSX, filters, visibility, round trip."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from imports import services
from students.models import Student
from tests.factories import OrganisationFactory, ProgrammeFactory, SiteFactory, StudentFactory
from wpl import exports


@pytest.fixture
def data(personas):
    programme = ProgrammeFactory(institution=personas.a, code="gmw", years=2)
    StudentFactory(institution=personas.a, programme=programme, last_name="Janssens", student_number="a1")
    StudentFactory(
        institution=personas.a, programme=programme, last_name="Peeters", student_number="a2", year=2
    )
    StudentFactory(institution=personas.b, last_name="Buitenhuis")
    SiteFactory(
        institution=personas.a,
        organisation=OrganisationFactory(
            institution=personas.a, name="De Link vzw", enterprise_number="0123.456.749"
        ),
        municipality="Brussel",
        region="brussels",
    )
    SiteFactory(
        institution=personas.a, organisation__name="Buurtwerk Gent", municipality="Gent", region="flanders"
    )
    SiteFactory(institution=personas.b, organisation__name="Andere School vzw")
    return programme


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def read_xlsx(response) -> list[list]:
    assert response["Content-Type"] == exports.XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_student_csv_export(personas, data, client_for):
    response = client_for(personas("a", "coordinator")).get(reverse("student-export"), {"format": "csv"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"Janssens", "Peeters"}


def test_student_xlsx_export_respects_filters(personas, data, client_for):
    client = client_for(personas("a", "supervisor"))
    rows = read_xlsx(client.get(reverse("student-export"), {"format": "xlsx", "year": "2"}))
    assert [r[2] for r in rows[1:]] == ["Peeters"]
    rows = read_xlsx(client.get(reverse("student-export"), {"format": "xlsx", "q": "janss"}))
    assert [r[2] for r in rows[1:]] == ["Janssens"]


def test_unknown_format_falls_back_to_csv(personas, data, client_for):
    response = client_for(personas("a", "coordinator")).get(reverse("student-export"), {"format": "exe"})
    assert response["Content-Type"].startswith("text/csv")


def test_export_needs_a_school_role(personas, data, client_for):
    for role in ("student", "mentor", "org_admin"):
        client = client_for(personas("a", role))
        assert client.get(reverse("student-export")).status_code == 403
        assert client.get(reverse("organisation-export")).status_code == 403


def test_export_can_be_imported_again_unchanged(personas, data, client_for, in_tenant, settings, tmp_path):
    response = client_for(personas("a", "coordinator")).get(reverse("student-export"), {"format": "xlsx"})
    with in_tenant(personas.a):
        outcome = services.run_import(actor=None, kind="students", data=response.content)
        assert (outcome.result.created, outcome.result.updated, outcome.result.unchanged) == (0, 0, 2)
        assert Student.objects.count() == 2
    csv_response = client_for(personas("a", "coordinator")).get(reverse("student-export"))
    with in_tenant(personas.a):
        outcome = services.run_import(actor=None, kind="students", data=csv_response.content)
        assert outcome.result.unchanged == 2


def test_formula_cells_are_neutralised(personas, data, client_for, in_tenant):
    with in_tenant(personas.a):
        Student.objects.filter(student_number="a1").update(first_name="=HYPERLINK(1)")
    client = client_for(personas("a", "coordinator"))
    assert read_csv(client.get(reverse("student-export")))[1][1] == "'=HYPERLINK(1)"
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("student-export"), {"format": "xlsx"}).content)
    )
    cell = workbook.worksheets[0]["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_organisation_export(personas, data, client_for):
    client = client_for(personas("a", "supervisor"))
    rows = read_csv(client.get(reverse("organisation-export")))
    assert [r[0] for r in rows[1:]] == ["Buurtwerk Gent", "De Link vzw"]
    link = rows[2]
    assert link[1] == "0123.456.749" and link[5] == "Brussel"
    rows = read_xlsx(client.get(reverse("organisation-export"), {"format": "xlsx", "q": "gent"}))
    assert [r[0] for r in rows[1:]] == ["Buurtwerk Gent"]
    rows = read_xlsx(client.get(reverse("organisation-export"), {"format": "xlsx", "region": "brussels"}))
    assert [r[0] for r in rows[1:]] == ["De Link vzw"]


def test_organisation_export_round_trip(personas, data, client_for, in_tenant):
    response = client_for(personas("a", "coordinator")).get(
        reverse("organisation-export"), {"format": "xlsx"}
    )
    with in_tenant(personas.a):
        outcome = services.run_import(actor=None, kind="workplaces", data=response.content)
    assert (outcome.result.created, outcome.result.updated, outcome.result.unchanged) == (0, 0, 2)


def test_export_queries_do_not_grow_with_rows(personas, data, client_for, django_assert_max_num_queries):
    client = client_for(personas("a", "coordinator"))
    for _ in range(30):
        SiteFactory(institution=personas.a)
    StudentFactory.create_batch(30, institution=personas.a, programme=data)
    with django_assert_max_num_queries(12):
        client.get(reverse("organisation-export"))
    with django_assert_max_num_queries(12):
        client.get(reverse("student-export"), {"format": "xlsx"})
