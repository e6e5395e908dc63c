"""The catalogue pages use the same number of queries with 5 and with 60 rows (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from tests.factories import (
    MentorFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
    StudentFactory,
)


def count_queries(client, url: str, params: dict | None = None) -> int:
    client.get(url, params or {})  # warm caches (session, content types) before counting
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(queries)


def url_or_skip(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        pytest.skip(f"route {name} does not exist yet")


def add_students(institution, programme, n: int):
    return StudentFactory.create_batch(n, institution=institution, programme=programme)


def add_workplaces(institution, n: int):
    organisations = []
    for _ in range(n):
        organisation = OrganisationFactory(institution=institution)
        SiteFactory(institution=institution, organisation=organisation)
        SiteFactory(institution=institution, organisation=organisation, name="Tweede locatie")
        MentorFactory(institution=institution, organisation=organisation)
        organisations.append(organisation)
    return organisations


@pytest.mark.parametrize("role", ["coordinator", "supervisor"])
def test_student_list_queries_do_not_grow(personas, client_for, role):
    programme = ProgrammeFactory(institution=personas.a)
    client = client_for(personas("a", role))
    url = reverse("student-list")
    add_students(personas.a, programme, 5)
    few = count_queries(client, url)
    few_search = count_queries(client, url, {"q": "a", "programme": programme.pk, "year": 1})
    add_students(personas.a, programme, 55)
    assert count_queries(client, url) == few
    assert count_queries(client, url, {"q": "a", "programme": programme.pk, "year": 1}) == few_search


def placed_student(institution, programme, placements: int):
    student = StudentFactory(institution=institution, programme=programme)
    for year in range(1, placements + 1):
        organisation = add_workplaces(institution, 1)[0]
        PlacementFactory(institution=institution, student=student, organisation=organisation, year=year)
    return student


def test_student_detail_queries_do_not_grow(personas, client_for):
    programme = ProgrammeFactory(institution=personas.a)
    client = client_for(personas("a", "coordinator"))
    few = count_queries(client, reverse("student-detail", args=[placed_student(personas.a, programme, 5).pk]))
    many = placed_student(personas.a, programme, 60)
    assert count_queries(client, reverse("student-detail", args=[many.pk])) == few


def test_workplace_list_queries_do_not_grow(personas, client_for):
    url = url_or_skip("organisation-list")
    client = client_for(personas("a", "coordinator"))
    add_workplaces(personas.a, 5)
    few = count_queries(client, url)
    few_search = count_queries(client, url, {"q": "Organisatie", "region": "brussels"})
    add_workplaces(personas.a, 55)
    assert count_queries(client, url) == few
    assert count_queries(client, url, {"q": "Organisatie", "region": "brussels"}) == few_search


def test_workplace_detail_queries_do_not_grow(personas, client_for):
    url_or_skip("organisation-list")
    client = client_for(personas("a", "coordinator"))
    small = add_workplaces(personas.a, 1)[0]
    for _ in range(4):
        SiteFactory(institution=personas.a, organisation=small)
        MentorFactory(institution=personas.a, organisation=small)
    few = count_queries(client, url_or_skip("organisation-detail", pk=small.pk))
    large = add_workplaces(personas.a, 1)[0]
    for _ in range(59):
        SiteFactory(institution=personas.a, organisation=large)
        MentorFactory(institution=personas.a, organisation=large)
    assert count_queries(client, url_or_skip("organisation-detail", pk=large.pk)) == few
