"""Benchmark of the coordinator's matching board on a large round.

1,000 students, 500 workplaces with one accepted, approved offer each (300 x 3 + 200 x 2 =
1,300 places), full correlated preference lists (500,000 rows), about 20 ratings per
offer, 20 locks and the deferred-acceptance result on the board. Built with bulk_create in
the demo institution "odisee" (bench/__main__.py migrated and seeded a fresh database).
The board page is fetched as the demo coordinator: `matching_board_p95_ms` over 20 timed
requests after a warm-up, and `matching_board_queries` for one request.
"""

from __future__ import annotations

import random
import statistics
import time

STUDENTS = 1000
OFFERS = 500
SAMPLES = 20
WARMUP = 3
SEED = 20240901


def _build(institution):
    from catalogue.models import Programme
    from matching.algorithms import deferred_acceptance
    from matching.models import Assignment, CandidateRating, MatchingRound, StudentPreference
    from matching.selectors import build_problem
    from students.models import Student
    from workplaces.models import Organisation, PlacementOffer, WorkplaceApproval

    rng = random.Random(SEED)
    inst = {"institution_id": institution.pk}
    programme = Programme.objects.create(
        code="bench-matching", name="Bench matching", form="graduate", years=2
    )
    year = "2030-2031"
    organisations = Organisation.objects.bulk_create(
        [Organisation(name=f"Bench werkplek {i:03d}", **inst) for i in range(OFFERS)]
    )
    WorkplaceApproval.objects.bulk_create(
        [
            WorkplaceApproval(
                organisation=o, programme=programme, academic_year=year, decision="approved", **inst
            )
            for o in organisations
        ]
    )
    offers = PlacementOffer.objects.bulk_create(
        [
            PlacementOffer(
                organisation=o,
                programme=programme,
                academic_year=year,
                year=1,
                places=3 if i < 300 else 2,
                weekdays="3,4,5",
                status="accepted",
                **inst,
            )
            for i, o in enumerate(organisations)
        ]
    )
    students = Student.objects.bulk_create(
        [
            Student(
                student_number=f"bench-{i:05d}",
                first_name=f"Voornaam{i}",
                last_name=f"Achternaam{i:05d}",
                email=f"bench{i}@student.example",
                programme=programme,
                year=1,
                **inst,
            )
            for i in range(STUDENTS)
        ]
    )
    matching_round = MatchingRound.objects.create(
        programme=programme, academic_year=year, year=1, name="Bench round"
    )
    popularity = {o.pk: rng.gauss(0.0, 1.0) for o in offers}
    prefs = []
    for s in students:
        noisy = sorted(offers, key=lambda o: popularity[o.pk] + rng.gauss(0.0, 0.3), reverse=True)
        prefs.extend(
            StudentPreference(round=matching_round, student=s, offer=o, rank=r, **inst)
            for r, o in enumerate(noisy, start=1)
        )
    StudentPreference.objects.bulk_create(prefs, batch_size=5000)
    ratings = [
        CandidateRating(
            round=matching_round,
            offer=o,
            student=s,
            verdict=rng.choice(["yes", "maybe", "maybe", "no"]),
            **inst,
        )
        for o in offers
        for s in rng.sample(students, 20)
    ]
    CandidateRating.objects.bulk_create(ratings, batch_size=5000, ignore_conflicts=True)
    locked = rng.sample(students, 20)
    Assignment.objects.bulk_create(
        [
            Assignment(round=matching_round, student=s, offer=offers[i * 7], locked=True, **inst)
            for i, s in enumerate(locked)
        ]
    )
    result = deferred_acceptance(build_problem(matching_round).problem, seed=7)
    locked_ids = {s.pk for s in locked}
    Assignment.objects.bulk_create(
        [
            Assignment(round=matching_round, student_id=s, offer_id=o, reason="bench", **inst)
            for s, o in result.assignment.items()
            if o is not None and s not in locked_ids
        ],
        batch_size=2000,
    )
    return matching_round


def run() -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from wpl.middleware import SESSION_KEY
    from wpl.models import Institution, Membership
    from wpl.tenancy import tenant_context

    institution = Institution.objects.get(slug="odisee")
    started = time.perf_counter()
    with tenant_context(institution):
        matching_round = _build(institution)
    build_s = time.perf_counter() - started
    coordinator = Membership.all_tenants.get(institution=institution, user__email="coordinator@odisee.demo")
    client = Client()
    client.force_login(coordinator.user)
    session = client.session
    session[SESSION_KEY] = coordinator.pk
    session.save()
    url = reverse("matching-board", kwargs={"pk": matching_round.pk})
    for _ in range(WARMUP):
        assert client.get(url).status_code == 200
    durations = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - start) * 1000.0)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(round(0.95 * len(durations))) - 1)]
    common = {"students": STUDENTS, "offers": OFFERS, "places": 1300, "preferences": STUDENTS * OFFERS}
    return [
        {
            "metric": "matching_board_p95_ms",
            "value": round(p95, 1),
            "unit": "ms",
            "n": SAMPLES,
            "median_ms": round(statistics.median(durations), 1),
            "build_s": round(build_s, 1),
            **common,
        },
        {
            "metric": "matching_board_queries",
            "value": len(ctx.captured_queries),
            "unit": "queries",
            "n": 1,
            **common,
        },
    ]
