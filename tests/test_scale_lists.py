"""Issue 14: the students list and search at scale - same answers, constant queries.

The search looks in one indexed expression (names, number, e-mail joined by newlines;
a trigram index on PostgreSQL) and counts in the page query; these tests pin the
behaviour that must not change with that (on SQLite and on PostgreSQL alike).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from students.models import Student
from students.selectors import student_list
from tests.factories import ProgrammeFactory, StudentFactory
from wpl.tenancy import tenant_context


@pytest.fixture
def programme(personas):
    return ProgrammeFactory(institution=personas.a, code="scale", years=2)


def make_students(personas, programme, count: int, start: int = 0) -> None:
    create_in_bulk = tenant_context(personas.a)
    with create_in_bulk:
        _make_students(personas, programme, count, start)


def _make_students(personas, programme, count: int, start: int = 0) -> None:
    Student.objects.bulk_create(
        [
            Student(
                institution=personas.a,
                programme=programme,
                student_number=f"S{i:05d}",
                first_name="Emma" if i % 2 else "Bram",
                last_name=f"Peeters {i}" if i % 3 == 0 else f"Maes {i}",
                email=f"scale{i}@students.test",
            )
            for i in range(start, start + count)
        ]
    )


def get_counting_queries(client, params: dict) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("student-list"), params)
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "peeters 1"}, {"q": "peeters", "page": "2"}])
def test_students_list_queries_do_not_grow_with_students(personas, programme, client_for, params):
    client = client_for(personas("a", "coordinator"))
    make_students(personas, programme, 160)  # page 2 of the "peeters" search exists already
    _, few = get_counting_queries(client, params)
    make_students(personas, programme, 240, start=160)
    _, many = get_counting_queries(client, params)
    assert few == many


def test_search_counts_in_the_page_query(personas, programme, client_for):
    """A search page runs its filter once: no separate COUNT query."""
    make_students(personas, programme, 200)
    client = client_for(personas("a", "coordinator"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("student-list"), {"q": "peeters"})
    assert not [q for q in queries if "COUNT(*) AS" in q["sql"] and "placements_student" in q["sql"]]
    expected = Student.all_tenants.filter(institution=personas.a, last_name__icontains="peeters").count()
    assert response.context["page_obj"].paginator.count == expected == 67
    assert response.context["page_obj"].paginator.num_pages == 2


def test_search_pages_and_out_of_range_page(personas, programme, client_for):
    make_students(personas, programme, 200)
    client = client_for(personas("a", "coordinator"))
    second = client.get(reverse("student-list"), {"q": "peeters", "page": "2"})
    assert len(second.context["students"]) == 17
    assert second.context["page_obj"].number == 2
    beyond = client.get(reverse("student-list"), {"q": "peeters", "page": "9"})
    assert beyond.context["page_obj"].number == 2  # past the end: the last page, as before
    assert [s.pk for s in beyond.context["students"]] == [s.pk for s in second.context["students"]]
    nothing = client.get(reverse("student-list"), {"q": "nobody-has-this"})
    assert nothing.context["page_obj"].paginator.count == 0
    assert list(nothing.context["students"]) == []
    assert client.get(reverse("student-list"), {"q": "peeters", "page": "x"}).context["page_obj"].number == 1


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("PEETERS 12", {"Peeters 12", "Peeters 120", "Peeters 123", "Peeters 126", "Peeters 129"}),
        ("s00012", {"Peeters 12"}),  # S00012 only: S00120 does not contain it
        ("scale7@", {"Maes 7"}),
        ("emma maes 1", None),  # every word must match some field
        ("emma\tbram", set()),  # first name is one or the other: words never span fields
        ("%", set()),  # LIKE wildcards are literal characters
        ("_", set()),
    ],
)
def test_search_matches_any_field_per_word(personas, programme, in_tenant, q, expected):
    make_students(personas, programme, 130)
    coordinator = personas("a", "coordinator")
    with in_tenant(personas.a):
        found = {s.last_name for s in student_list(membership=coordinator, q=q)}
    if expected is None:
        expected = {
            s.last_name
            for s in Student.all_tenants.filter(institution=personas.a, first_name="Emma")
            if "maes" in s.last_name.lower()
            and any("1" in f for f in (s.last_name, s.student_number, s.email))
        }
        assert expected
    assert found == expected


def test_search_never_crosses_institutions(personas, programme, in_tenant):
    make_students(personas, programme, 10)
    StudentFactory(institution=personas.b, last_name="Peeters elders")
    with in_tenant(personas.a):
        found = list(student_list(membership=personas("a", "coordinator"), q="peeters"))
    assert len(found) == 4
    assert {s.institution_id for s in found} == {personas.a.pk}
