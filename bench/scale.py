"""Scale benchmark: the catalogue pages at 50,000 students and matching at 1k-10k students.

Run with `make bench-scale` (PostgreSQL only). It creates a database of its own next to
the one `DATABASE_URL` names (same server, name derived from it plus the process id),
migrates it, seeds the demo data plus 50,000 students and 20,000 workplaces, runs
`VACUUM ANALYZE` so the planner has statistics as in production, then times the students list,
a students search and the workplaces list as the demo coordinator (in-process test
client, 3 warm-up requests, n=30, 95th percentile). It drops the database at the end,
also after an error. Then it times both matching algorithms on rounds of 1,000, 3,000
and 10,000 students with full preference lists and with lists of 20 choices (500
offers, 1,300 places, correlated lists as in `bench/matching_bench.py`).

One JSON object per line on stdout; progress on stderr. Not part of `make bench` (the
module name does not end in `_bench`): it takes minutes.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import numpy as np

STUDENTS = 50_000
WORKPLACES = 20_000
ROUND_SIZES = (1_000, 3_000, 10_000)
LIST_LENGTHS = ("full", 20)
OFFERS = 500
MATCH_SEED = 7


# --- database of its own ------------------------------------------------------------------


def _server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


# --- catalogue pages ------------------------------------------------------------------------


def _seed_catalogue(institution) -> None:
    from bench.catalogue_bench import FIRST_NAMES, MUNICIPALITIES, SURNAMES
    from catalogue.models import Programme
    from students.models import Student
    from workplaces.models import Mentor, Organisation, Site

    programme, _ = Programme.objects.get_or_create(
        code="bench-gmw",
        defaults={"name": "Bench Graduaat Maatschappelijk Werk", "form": "graduate", "years": 2},
    )
    Student.objects.bulk_create(
        (
            Student(
                institution=institution,
                student_number=f"B{i:06d}",
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                last_name=f"{SURNAMES[i % len(SURNAMES)]} {i}",
                email=f"bench.student{i}@student.odisee.test",
                programme=programme,
                year=1 + i % 2,
            )
            for i in range(STUDENTS)
        ),
        batch_size=2000,
    )
    organisations = Organisation.objects.bulk_create(
        (
            Organisation(
                institution=institution, name=f"Werkplek {i:05d} vzw", sector="Welzijn", languages="nl"
            )
            for i in range(WORKPLACES)
        ),
        batch_size=2000,
    )
    sites, mentors = [], []
    for i, organisation in enumerate(organisations):
        municipality, postcode, region = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        sites.append(
            Site(
                institution=institution,
                organisation=organisation,
                name="Hoofdzetel",
                street=f"Kerkstraat {i}",
                postcode=postcode,
                municipality=municipality,
                region=region,
            )
        )
        mentors.append(
            Mentor(
                institution=institution,
                organisation=organisation,
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                last_name=SURNAMES[i % len(SURNAMES)],
                email=f"mentor{i}@werkplek.test",
            )
        )
    Site.objects.bulk_create(sites, batch_size=2000)
    Mentor.objects.bulk_create(mentors, batch_size=2000)


def seed_scale_data() -> None:
    """Add 50,000 students and 20,000 workplaces to the demo institution, then VACUUM ANALYZE.

    ANALYZE gives the planner statistics; VACUUM sets the visibility map that autovacuum
    keeps set in production, without which counting cannot use an index-only scan.
    """
    from django.db import connection

    from wpl.models import Institution
    from wpl.tenancy import tenant_context

    institution = Institution.objects.get(slug="odisee")
    with tenant_context(institution):
        _seed_catalogue(institution)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def page_figures() -> list[dict]:
    from django.urls import reverse

    from bench.catalogue_bench import _client, _p95, _time_page
    from wpl.models import Membership, Role

    coordinator = Membership.all_tenants.select_related("user").get(
        institution__slug="odisee", role=Role.COORDINATOR, user__email="coordinator@odisee.demo"
    )
    client = _client(coordinator)
    figures = []
    for name, url, params in (
        ("students_list", reverse("student-list"), None),
        ("students_search", reverse("student-list"), {"q": "peeters 12"}),
        ("workplaces_list", reverse("organisation-list"), None),
    ):
        durations, queries = _time_page(client, url, params)
        figures.append(
            {
                "metric": f"{name}_p95_ms",
                "value": round(_p95(durations), 2),
                "unit": "ms",
                "n": len(durations),
                "median_ms": round(statistics.median(durations), 2),
                "queries": queries,
                "students": STUDENTS,
                "workplaces": WORKPLACES,
            }
        )
        print(json.dumps(figures[-1]), file=sys.stderr)
    return figures


# --- matching ------------------------------------------------------------------------------


def build_round(students: int, list_length: int | str, seed: int = 20240901):
    """A round like bench/matching_bench.py's, with ``students`` students (numpy, fast).

    500 offers (300 x 3 and 200 x 2 places = 1,300), lists correlated between students
    (common popularity plus individual noise), 20 rated students per offer, forbidden
    pairs (2 per student) and 20 locks. ``list_length`` "full" ranks every offer.
    """
    from matching.algorithms import MatchingProblem

    rng = np.random.default_rng(seed)
    picker = random.Random(seed)
    offers = np.arange(1, OFFERS + 1)
    capacities = {int(o): (3 if i < 300 else 2) for i, o in enumerate(offers)}
    popularity = rng.normal(size=OFFERS)
    ids = list(range(10_001, 10_001 + students))
    keep = OFFERS if list_length == "full" else int(list_length)
    prefs: dict[int, list[int]] = {}
    for start in range(0, students, 1000):
        chunk = ids[start : start + 1000]
        noisy = popularity + rng.normal(scale=0.3, size=(len(chunk), OFFERS))
        ordered = offers[np.argsort(-noisy, axis=1)[:, :keep]]
        prefs.update(zip(chunk, ordered.tolist(), strict=True))
    ratings = {int(o): {s: picker.randint(1, 3) for s in picker.sample(ids, 20)} for o in offers}
    forbidden = frozenset((picker.choice(ids), int(picker.choice(offers))) for _ in range(2 * students))
    locks = {s: int(offers[i * 7]) for i, s in enumerate(picker.sample(ids, 20))}
    return MatchingProblem(prefs, capacities, ratings, forbidden, locks)


def matching_figures() -> list[dict]:
    from matching.algorithms import deferred_acceptance, min_total_rank

    figures = []
    for students in ROUND_SIZES:
        for list_length in LIST_LENGTHS:
            problem = build_round(students, list_length)
            for metric, solve in (
                ("matching_da_ms", deferred_acceptance),
                ("matching_min_rank_ms", min_total_rank),
            ):
                samples = 3 if students <= 1000 or metric == "matching_da_ms" else 1
                durations = []
                for _ in range(samples):
                    start = time.perf_counter()
                    solve(problem, seed=MATCH_SEED)
                    durations.append((time.perf_counter() - start) * 1000.0)
                figures.append(
                    {
                        "metric": metric,
                        "value": round(statistics.median(durations), 2),
                        "unit": "ms",
                        "n": samples,
                        "students": students,
                        "list_length": list_length,
                        "offers": OFFERS,
                        "places": 1300,
                    }
                )
                print(json.dumps(figures[-1]), file=sys.stderr)
    return figures


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench-scale needs DATABASE_URL=postgres://... (a PostgreSQL server)", file=sys.stderr)
        return 2
    base = urlsplit(url).path.lstrip("/") or "wpl"
    database = f"{base}_bench_scale_{os.getpid()}"
    out = sys.stdout
    sys.stdout = sys.stderr
    _admin(url, f'CREATE DATABASE "{database}"')
    try:
        os.environ["DATABASE_URL"] = _server_url(url, database)
        from bench.__main__ import setup_django

        print(f"# bench-scale: database {database}", file=sys.stderr)
        setup_django()
        start = time.perf_counter()
        seed_scale_data()
        print(f"# seeded in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        for figure in page_figures():
            print(json.dumps(figure), file=out, flush=True)
        from django.db import connections

        connections.close_all()
    finally:
        _admin(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        sys.stdout = out
    if os.environ.get("BENCH_SCALE_SKIP_MATCHING") != "1":
        for figure in matching_figures():
            print(json.dumps(figure), file=out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
