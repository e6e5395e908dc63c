"""Isolation sweep: every route x every role x same / other institution.

Fails when a URL pattern is not in the access matrix; asserts the expected status for
each role on its own institution's object, 404 for the other institution's object, and
that marker strings seeded into institution B never appear in A's responses (pages,
API, exports and PDFs alike).
"""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import EXEMPT, OBJECT_BUILDERS, ROUTE_INDEX, ROUTES
from tests.conftest import ROLES, login
from tests.fixtures import url_for

MARKER_B = "ZQXBETAMARKER"
MARKER_A = "ZQXALPHAMARKER"


def iter_patterns(resolver: URLResolver, namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from iter_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def all_route_names() -> set[str]:
    return {name for name, _ in iter_patterns(get_resolver())}


def is_exempt(name: str) -> bool:
    return any(name.startswith(e.prefix) for e in EXEMPT)


def test_every_route_is_in_the_access_matrix():
    missing = sorted(n for n in all_route_names() if n not in ROUTE_INDEX and not is_exempt(n))
    assert not missing, f"Routes missing from tests/access_matrix.py: {missing}"


def test_matrix_has_no_stale_routes():
    stale = sorted(set(ROUTE_INDEX) - all_route_names())
    assert not stale, f"Routes in the matrix that no longer exist: {stale}"


def response_text(response) -> str:
    """Everything a person could read in a response, including exports and PDFs."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in content_type:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in content_type:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(c) for c in row if c is not None)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
        )
    return body.decode("utf-8", errors="replace")


@pytest.fixture
def seeded(personas):
    """One object of every kind in each institution, marked so leaks are visible."""
    objects = {}
    for kind, build in OBJECT_BUILDERS.items():
        objects[("a", kind)] = build(personas.a, MARKER_A)
        objects[("b", kind)] = build(personas.b, MARKER_B)
    return objects


def fetch(client: Client, url: str, route):
    headers = {"HTTP_ACCEPT": "application/json"} if route.api else {}
    return client.get(url, **headers)


@pytest.mark.parametrize("role", ROLES)
def test_sweep_role(personas, seeded, role):
    """For one role of institution A, every route in the matrix."""
    client = login(personas("a", role))
    problems = []
    for route in ROUTES:
        own_obj = seeded[("a", route.obj)] if route.obj else None
        expected = route.ok if role in route.allowed else route.denied
        if role in route.own_only and own_obj is not None:
            expected = 404  # someone else's object in the same institution
        response = fetch(client, url_for(route, own_obj), route)
        if response.status_code != expected:
            problems.append(f"{route.name} own: {response.status_code} != {expected}")
        if MARKER_B in response_text(response):
            problems.append(f"{route.name}: institution B's marker leaked")
        if route.obj:
            other = fetch(client, url_for(route, seeded[("b", route.obj)]), route)
            allowed_statuses = {404} if role in route.allowed else {404, route.denied}
            if other.status_code not in allowed_statuses:
                problems.append(f"{route.name} other: {other.status_code} not in {allowed_statuses}")
            if MARKER_B in response_text(other):
                problems.append(f"{route.name} other: institution B's marker leaked")
    assert not problems, "\n".join(problems)


def test_sweep_anonymous(personas, seeded):
    client = Client()
    problems = []
    for route in ROUTES:
        obj = seeded[("a", route.obj)] if route.obj else None
        response = fetch(client, url_for(route, obj), route)
        if response.status_code != route.anonymous:
            problems.append(f"{route.name}: {response.status_code} != {route.anonymous}")
        text = response_text(response)
        if MARKER_A in text or MARKER_B in text:
            problems.append(f"{route.name}: marker visible to an anonymous visitor")
    assert not problems, "\n".join(problems)


def test_sweep_shared_mentor_sees_each_institution_separately(personas, seeded, client_for):
    """A person with roles in A and B sees only the active institution's data."""
    in_a, in_b = personas.shared_mentor
    for active, foreign_marker in ((in_a, MARKER_B), (in_b, MARKER_A)):
        client = client_for(active)
        for route in ROUTES:
            if route.obj:
                continue
            text = response_text(fetch(client, url_for(route), route))
            assert foreign_marker not in text, f"{route.name} leaks the other institution"


def test_markers_are_really_in_the_pages(personas, seeded, client_for):
    """Guard against a sweep that passes because nothing is shown at all."""
    client = client_for(personas("a", "coordinator"))
    body = client.get(reverse("people-list")).content.decode()
    assert MARKER_A in body
    assert re.search(MARKER_A, client.get(reverse("membership-list")).content.decode())
