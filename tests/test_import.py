"""Imports of students and workplaces: upload checks, row report, confirm, upsert, speed."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from imports import services
from students.models import Student
from tests.factories import OrganisationFactory, ProgrammeFactory, SiteFactory, StudentFactory
from workplaces.models import Organisation, Site
from wpl import importers

HEADER = "Studentnummer;Voornaam;Achternaam;E-mail;Opleiding;Jaar;Werkstudent\n"
BAD_ROWS = {
    # file row number -> (what is wrong, the column it is reported on)
    101: ("missing", "First name"),
    502: ("email", "E-mail"),
    1003: ("programme", "Programme code"),
    1504: ("year", "Programme year"),
    1999: ("duplicate", "Student number"),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"
    return tmp_path / "media"


@pytest.fixture
def programme(personas):
    return ProgrammeFactory(institution=personas.a, code="gmw", years=2)


def student_line(i: int) -> list[str]:
    return [
        f"s{i:06d}",
        f"Voornaam{i}",
        f"Achternaam{i}",
        f"student{i}@example.test",
        "gmw",
        str(1 + i % 2),
        "nee",
    ]


def big_csv(rows: int = 2000, bad: bool = True) -> bytes:
    """`rows` data rows; file row n holds student n - 1 (the header is row 1)."""
    lines = []
    for n in range(2, rows + 2):
        cells = student_line(n - 1)
        kind = BAD_ROWS.get(n, (None,))[0] if bad else None
        if kind == "missing":
            cells[1] = ""
        elif kind == "email":
            cells[3] = "not-an-email"
        elif kind == "programme":
            cells[4] = "unknown"
        elif kind == "year":
            cells[5] = "7"
        elif kind == "duplicate":
            cells[0] = "s000010"  # the number of file row 11
        lines.append(";".join(cells))
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8")


def upload(client, data: bytes, name: str = "students.csv", kind: str = "students"):
    return client.post(reverse("import-upload", args=[kind]), {"file": SimpleUploadedFile(name, data)})


def confirm(client, location: str, only_valid: bool = False):
    return client.post(location, {"only_valid": "on"} if only_valid else {})


def last_message(client) -> str:
    return str(list(client.get(reverse("student-list")).context["messages"])[-1])


def student_count(in_tenant, institution) -> int:
    with in_tenant(institution):
        return Student.objects.count()


def test_2000_rows_with_5_bad_rows(personas, programme, client_for, in_tenant):
    client = client_for(personas("a", "coordinator"))
    response = upload(client, big_csv())
    assert response.status_code == 302
    location = response["Location"]
    preview = client.get(location)
    assert preview.status_code == 200
    errors = preview.context["errors"]
    assert {e.row for e in errors} == set(BAD_ROWS)
    assert {(e.row, e.column) for e in errors} == {(row, column) for row, (_k, column) in BAD_ROWS.items()}
    body = preview.content.decode()
    assert "Duplicate within the file: the same value as row 11." in body
    assert preview.context["valid_count"] == 1995

    # Not clean and not asked to skip: nothing is imported.
    refused = confirm(client, location)
    assert refused.status_code == 400
    assert student_count(in_tenant, personas.a) == 0

    done = confirm(client, location, only_valid=True)
    assert done.status_code == 302
    assert student_count(in_tenant, personas.a) == 1995
    message = last_message(client)
    assert "1995 created, 0 updated, 0 unchanged, 5 rows with errors skipped" in message

    # The same file again changes nothing.
    with in_tenant(personas.a):
        before = list(Student.objects.order_by("pk").values())
    again = upload(client, big_csv())
    done = confirm(client, again["Location"], only_valid=True)
    assert done.status_code == 302
    message = last_message(client)
    assert "0 created, 0 updated, 1995 unchanged" in message
    with in_tenant(personas.a):
        assert list(Student.objects.order_by("pk").values()) == before


def test_import_uses_a_fixed_number_of_queries(personas, programme, in_tenant):
    data = big_csv(bad=False)
    with in_tenant(personas.a), CaptureQueriesContext(connection) as queries:
        outcome = services.run_import(actor=None, kind="students", data=data)
    assert outcome.result.created == 2000
    # Lookups in chunks of 500 and bulk inserts (SQLite: ~110 rows per INSERT): never one per row.
    assert len(queries) < 50


def test_clean_file_imports_everything_and_updates_changes(personas, programme, client_for, in_tenant):
    StudentFactory(institution=personas.a, programme=programme, student_number="s000001", first_name="Oud")
    StudentFactory(institution=personas.b, student_number="s000002")  # other institution: untouched
    client = client_for(personas("a", "coordinator"))
    response = upload(client, big_csv(rows=3, bad=False))
    assert client.get(response["Location"]).context["errors"] == []
    assert confirm(client, response["Location"]).status_code == 302
    with in_tenant(personas.a):
        assert Student.objects.count() == 3
        assert Student.objects.get(student_number="s000001").first_name == "Voornaam1"
    with in_tenant(personas.b):
        assert Student.objects.count() == 1


def test_bom_comma_and_quoted_cells(personas, programme, client_for, in_tenant):
    data = (
        "\ufeffstudent_number,first_name,last_name,email,programme\r\n"
        's1,"Anne, Marie",Dubois,anne@example.test,GMW\r\n'
        's2,Jan,"Van\nDamme",jan@example.test,gmw\r\n'
        "s3,,Peeters,bad,gmw\r\n"
    ).encode()
    client = client_for(personas("a", "coordinator"))
    preview = client.get(upload(client, data)["Location"])
    # The quoted line break makes the third record start on line 5 of the file.
    assert {e.row for e in preview.context["errors"]} == {5}
    assert {e.column for e in preview.context["errors"]} == {"First name", "E-mail"}
    confirm(client, preview.request["PATH_INFO"], only_valid=True)
    with in_tenant(personas.a):
        assert Student.objects.get(student_number="s1").first_name == "Anne, Marie"


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_import(personas, programme, client_for, in_tenant):
    data = xlsx(
        [
            ["Student number", "First name", "Last name", "E-mail", "Programme code", "Programme year"],
            ["s1", "Anne", "Dubois", "anne@example.test", "gmw", 2],
            [None, None, None, None, None, None],
            ["s2", "Jan", "Peeters", "jan@example", "gmw", 1],
        ]
    )
    client = client_for(personas("a", "coordinator"))
    response = upload(client, data, name="lijst.xlsx")
    preview = client.get(response["Location"])
    assert [(e.row, e.column) for e in preview.context["errors"]] == [(4, "E-mail")]
    confirm(client, response["Location"], only_valid=True)
    with in_tenant(personas.a):
        assert Student.objects.get(student_number="s1").year == 2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("students.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("students.xlsx", b"just text", "not a valid Excel"),
        ("students.csv", b"PK\x03\x04binary", "not a text (CSV) file"),
        ("students.csv", "naam;e-mail\n".encode("utf-16"), "not a text (CSV) file"),
        ("students.csv", "studentnummer;voornaam\nré;x\n".encode("latin-1"), "not UTF-8"),
        ("students.csv", b"student_number;first_name\ns1;Jan\n", "Required columns are missing"),
        ("students.csv", HEADER.encode(), "no rows"),
    ],
)
def test_bad_files_are_refused_with_a_message(personas, programme, client_for, media, name, data, message):
    client = client_for(personas("a", "coordinator"))
    response = upload(client, data, name=name)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert not (media / "imports").exists() or not any((media / "imports").rglob("*"))


def test_zip_without_content_types_is_not_xlsx(personas, programme, client_for):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    response = upload(client_for(personas("a", "coordinator")), buffer.getvalue(), name="x.xlsx")
    assert response.status_code == 400


def test_too_large(personas, programme, client_for, settings):
    settings.WPL_MAX_UPLOAD_BYTES = 100
    response = upload(client_for(personas("a", "coordinator")), big_csv(rows=10, bad=False))
    assert response.status_code == 400
    assert "too large" in " ".join(response.context["form"].errors["file"])


def test_upload_is_kept_in_storage_per_institution(personas, programme, client_for):
    client = client_for(personas("a", "coordinator"))
    location = upload(client, big_csv(rows=2, bad=False))["Location"]
    token = location.rstrip("/").rsplit("/", 1)[-1]
    assert default_storage.exists(f"imports/{personas.a.pk}/{token}")
    # Another institution's coordinator cannot open or confirm it.
    other = client_for(personas("b", "coordinator"))
    assert other.get(location).status_code == 404
    assert other.post(location, {"only_valid": "on"}).status_code == 404
    # After the import the stored file is gone.
    confirm(client, location)
    assert not default_storage.exists(f"imports/{personas.a.pk}/{token}")
    assert client.get(location).status_code == 404


def test_cancel_discards_the_file(personas, programme, client_for, in_tenant):
    client = client_for(personas("a", "coordinator"))
    location = upload(client, big_csv(rows=2, bad=False))["Location"]
    assert client.post(location, {"cancel": "1"}).status_code == 302
    assert client.get(location).status_code == 404
    assert student_count(in_tenant, personas.a) == 0


def test_only_staff_import(personas, programme, client_for):
    for role in ("supervisor", "student", "mentor"):
        client = client_for(personas("a", role))
        assert upload(client, big_csv(rows=2, bad=False)).status_code == 403
    assert (
        client_for(personas("a", "coordinator")).get(reverse("import-upload", args=["nope"])).status_code
        == 404
    )


def test_email_of_another_existing_student(personas, programme, client_for, in_tenant):
    StudentFactory(
        institution=personas.a, programme=programme, student_number="old", email="taken@example.test"
    )
    data = (HEADER + "new;Jan;Peeters;Taken@example.test;gmw;1;nee\n").encode()
    client = client_for(personas("a", "coordinator"))
    preview = client.get(upload(client, data)["Location"])
    [error] = preview.context["errors"]
    assert (error.row, error.column) == (2, "E-mail")
    assert "old" in error.message


# --- workplaces -------------------------------------------------------------------------

WORKPLACE_HEADER = (
    "Naam;Ondernemingsnummer;Sector;Straat;Postcode;Gemeente;Regio;Contactpersoon;E-mail contactpersoon\n"
)


def test_workplace_import_upsert(personas, client_for, in_tenant):
    rows = [
        "De Link vzw;0123.456.749;Welzijn;Kerkstraat 1;1000;Brussel;Brussel;An Peeters;an@delink.test",
        "Buurtwerk;BE0403170701;Buurtwerk;Lange Lane 2;1800;Vilvoorde;Vlaanderen;;",
        "Foute vzw;0123.456.789;Welzijn;;1000;Brussel;brussels;;",
        "Zonder nummer;;;;1000;Brussel;Mars;;",
    ]
    data = (WORKPLACE_HEADER + "\n".join(rows) + "\n").encode()
    client = client_for(personas("a", "coordinator"))
    response = upload(client, data, kind="workplaces")
    preview = client.get(response["Location"])
    assert {(e.row, e.column) for e in preview.context["errors"]} == {(4, "Enterprise number"), (5, "Region")}
    assert confirm(client, response["Location"], only_valid=True).status_code == 302
    with in_tenant(personas.a):
        link = Organisation.objects.get(name="De Link vzw")
        assert link.enterprise_number == "0123.456.749"
        site = Site.objects.get(organisation=link)
        assert (site.municipality, site.region, site.postcode) == ("Brussel", "brussels", "1000")
        assert Site.objects.get(organisation__name="Buurtwerk").region == "flanders"
        assert Organisation.objects.count() == 2
    # Same file again: unchanged. One changed cell: one update.
    again = upload(client, data, kind="workplaces")
    confirm(client, again["Location"], only_valid=True)
    message = last_message(client)
    assert "0 created, 0 updated, 2 unchanged, 2 rows with errors skipped" in message
    changed = data.replace(b"Kerkstraat 1", b"Kerkstraat 3")
    confirm(client, upload(client, changed, kind="workplaces")["Location"], only_valid=True)
    message = last_message(client)
    assert "0 created, 1 updated, 1 unchanged" in message
    with in_tenant(personas.a):
        assert Organisation.objects.count() == 2
        assert Site.objects.get(organisation__name="De Link vzw").street == "Kerkstraat 3"


def test_workplace_enterprise_number_of_another_organisation(personas, client_for):
    SiteFactory(
        institution=personas.a,
        organisation=OrganisationFactory(
            institution=personas.a, name="Bestaand", enterprise_number="0123.456.749"
        ),
    )
    data = (WORKPLACE_HEADER + "Nieuw;0123456749;;;;Gent;Vlaanderen;;\n").encode()
    client = client_for(personas("a", "coordinator"))
    preview = client.get(upload(client, data, kind="workplaces")["Location"])
    [error] = preview.context["errors"]
    assert error.column == "Enterprise number" and "Bestaand" in error.message


def test_header_names_are_forgiving():
    assert importers.normalise_header(" E-mail ") == importers.normalise_header("email")
    assert re.fullmatch(r"[a-z0-9]*", importers.normalise_header("Opleidingsjaar (1-3)"))
