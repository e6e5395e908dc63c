"""Start page per role: the role's own template, and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import ROLES
from tests.factories import MembershipFactory
from tests.fixtures import START_PAGE_MAX_QUERIES
from wpl.models import Role
from wpl.permissions import SCHOOL_ROLES, STAFF_ROLES

# Session, user, memberships, role counts, heartbeat: a start page never needs more.
# + one per registered start-items provider (meetings, agreements, logbooks) and the unread
# notifications count in the header.
MAX_QUERIES = START_PAGE_MAX_QUERIES  # session, user, memberships, heartbeat, role counts, figures, ...
# These tests run inside a transaction that never commits, so the start page computes its
# figures on every request (wpl.freshness bypasses the cache for uncommitted writes). Seen
# again after a commit it needs 3 queries: tests/test_figures_cache.py asserts that.


def count_queries(client, path: str = "/") -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def add_memberships(institution, n: int = 50) -> None:
    roles = [r.value for r in Role]
    for i in range(n):
        MembershipFactory(institution=institution, role=roles[i % len(roles)])


@pytest.mark.parametrize("role", ROLES)
def test_start_page_uses_role_template(personas, client_for, role, django_assert_max_num_queries):
    client = client_for(personas("a", role))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    assert f"wpl/home_{role}.html" in [t.name for t in response.templates]
    assert response.context["role"] == role
    assert response.context["membership"] == personas("a", role)
    assert personas.a.name in response.content.decode()
    # School roles see who is in the institution; the others do not.
    assert ("role_counts" in response.context) == (role in SCHOOL_ROLES)
    assert ("institution_heartbeat" in response.context) == (role in STAFF_ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_start_page_queries_do_not_grow_with_memberships(personas, client_for, role):
    client = client_for(personas("a", role))
    client.get("/")  # warm up
    before = count_queries(client)
    assert before <= MAX_QUERIES

    add_memberships(personas.a, 50)

    after = count_queries(client)
    assert after == before, f"{role}: {before} queries with 13 memberships, {after} with 63"


def test_role_counts_are_scoped_to_the_institution(personas, client_for):
    add_memberships(personas.b, 12)  # another institution: must not be counted
    response = client_for(personas("a", Role.COORDINATOR)).get("/")
    counts = response.context["role_counts"]
    assert str(Role.COORDINATOR.label) in response.content.decode()  # a label, not the code
    assert "<dt>institution_admin</dt>" not in response.content.decode()
    # One persona per role, plus the shared mentor.
    assert counts == {role: (2 if role == Role.MENTOR else 1) for role in ROLES}

    add_memberships(personas.a, 12)
    counts = client_for(personas("a", Role.COORDINATOR)).get("/").context["role_counts"]
    assert counts == {role: (4 if role == Role.MENTOR else 3) for role in ROLES}


def test_start_page_for_person_in_two_institutions(personas, client_for):
    mentor_a, mentor_b = personas.shared_mentor
    client = client_for(mentor_b)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert len(queries) <= MAX_QUERIES
    assert response.context["membership"] == mentor_b
    content = response.content.decode()
    assert 'name="membership"' in content  # the switcher lists both roles
    assert f'value="{mentor_a.pk}"' in content and f'value="{mentor_b.pk}"' in content


def test_start_page_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
