"""Two coordinators writing the board at the same moment: exactly one wins (PostgreSQL).

Each thread has its own database connection and transaction; a barrier makes them
collide. The offer row lock (select_for_update) plus the capacity check, and the unique
constraint on (round, student), must let exactly one through; the other gets a conflict.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from matching import services
from matching.models import Assignment, AssignmentChange
from tests.factories import MembershipFactory, UserFactory, create_in_tenant
from tests.fixtures import make_world
from workplaces.models import PlacementOffer
from wpl.models import Role
from wpl.tenancy import tenant_context

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no real race to test")


def _race(institution, jobs):
    """Run each job in its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            with tenant_context(institution):
                barrier.wait(timeout=10)
                outcomes[index] = ("ok", job())
        except services.MatchingConflict as exc:
            outcomes[index] = ("conflict", exc.message)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[index] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _coordinators(institution):
    return [
        MembershipFactory(institution=institution, role=Role.COORDINATOR, user=UserFactory())
        for _ in range(2)
    ]


def test_two_coordinators_assign_the_last_place_and_the_same_student(personas):
    a = personas.a
    world = make_world(a, students=3, offers=1, places=2)
    offer = world.offers[0]
    create_in_tenant(Assignment, institution=a, round=world.round, student=world.students[2], offer=offer)
    student = world.students[0]
    first, second = _coordinators(a)

    def assign(actor):
        return lambda: (
            services.assign(
                round=world.round, student=student, offer_id=offer.pk, actor=actor, expected_offer_id=None
            ).pk
        )

    for _attempt in range(3):
        with tenant_context(a):
            Assignment.objects.filter(round=world.round, student=student).delete()
        outcomes = _race(a, [assign(first), assign(second)])
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["conflict", "ok"], outcomes
        assert Assignment.all_tenants.filter(round=world.round, offer=offer).count() == 2


def test_two_coordinators_fill_the_last_place_with_different_students(personas):
    a = personas.a
    world = make_world(a, students=3, offers=1, places=1)
    offer = world.offers[0]
    first, second = _coordinators(a)
    outcomes = _race(
        a,
        [
            lambda: (
                services.assign(
                    round=world.round, student=world.students[0], offer_id=offer.pk, actor=first
                ).pk
            ),
            lambda: (
                services.assign(
                    round=world.round, student=world.students[1], offer_id=offer.pk, actor=second
                ).pk
            ),
        ],
    )
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "ok"], outcomes
    assert Assignment.all_tenants.filter(round=world.round, offer=offer).count() == 1
    loser = next(message for kind, message in outcomes if kind == "conflict")
    assert "1" in loser  # "... no free place left (1 of 1 taken)."
    assert AssignmentChange.all_tenants.filter(round=world.round).count() == 1


def test_same_student_to_two_different_offers(personas):
    a = personas.a
    world = make_world(a, students=1, offers=2, places=3)
    student = world.students[0]
    first, second = _coordinators(a)
    outcomes = _race(
        a,
        [
            lambda: (
                services.assign(
                    round=world.round,
                    student=student,
                    offer_id=world.offers[0].pk,
                    actor=first,
                    expected_offer_id=None,
                ).pk
            ),
            lambda: (
                services.assign(
                    round=world.round,
                    student=student,
                    offer_id=world.offers[1].pk,
                    actor=second,
                    expected_offer_id=None,
                ).pk
            ),
        ],
    )
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "ok"], outcomes
    assert Assignment.all_tenants.filter(round=world.round, student=student).count() == 1


def test_publish_and_assign_do_not_lose_an_assignment(personas):
    a = personas.a
    world = make_world(a, students=3, offers=2, places=3)
    create_in_tenant(Assignment,
        institution=a, round=world.round, student=world.students[0], offer=world.offers[0]
    )
    first, second = _coordinators(a)
    outcomes = _race(
        a,
        [
            lambda: len(services.publish(round=world.round, actor=first, acknowledged={"unplaced"})),
            lambda: (
                services.assign(
                    round=world.round, student=world.students[1], offer_id=world.offers[1].pk, actor=second
                ).pk
            ),
        ],
    )
    assert all(kind in ("ok", "conflict") for kind, _ in outcomes), outcomes
    from placements.models import Placement

    placed = set(
        Placement.all_tenants.filter(student__in=world.students).values_list("student_id", flat=True)
    )
    assigned = set(Assignment.all_tenants.filter(round=world.round).values_list("student_id", flat=True))
    # Whatever the order, every assignment on the board of a published round has a placement.
    assert placed == assigned
    assert PlacementOffer.all_tenants.filter(pk=world.offers[0].pk).exists()
