"""Benchmark of the catalogue pages and the student import at realistic volumes.

In the demo institution "odisee" (seeded by bench/__main__.py) it bulk-creates 5,000
students and 2,000 workplaces (an organisation with one site and one mentor each), then,
signed in as the demo coordinator, times GETs of the students list (first page and a
search), the workplaces list and one workplace detail page: 3 warm-up requests, then
n=30, reporting the 95th percentile in ms (target: under 150 ms) and the page's query
count. Finally it times the import service on a generated 2,000-row CSV of new students.

Run with `bash scripts/bench.sh catalogue`; one JSON object per line on stdout.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

STUDENTS = 5000
WORKPLACES = 2000
IMPORT_ROWS = 2000
WARMUP = 3
SAMPLES = 30
TARGET_MS = 150
SURNAMES = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "Dubois",
]
FIRST_NAMES = ["Amira", "Bram", "Chloé", "Dries", "Emma", "Fatima", "Gilles", "Hanne", "Ilias", "Julie"]
MUNICIPALITIES = [
    ("Brussel", "1000", "brussels"),
    ("Vilvoorde", "1800", "flanders"),
    ("Gent", "9000", "flanders"),
]


def _p95(durations: list[float]) -> float:
    ordered = sorted(durations)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _seed(institution) -> None:
    from catalogue.models import Programme
    from students.models import Student
    from workplaces.models import Mentor, Organisation, Site

    programme, _ = Programme.objects.get_or_create(
        code="bench-gmw",
        defaults={"name": "Bench Graduaat Maatschappelijk Werk", "form": "graduate", "years": 2},
    )
    Student.objects.bulk_create(
        [
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
        ],
        batch_size=500,
    )
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                institution=institution, name=f"Werkplek {i:05d} vzw", sector="Welzijn", languages="nl"
            )
            for i in range(WORKPLACES)
        ],
        batch_size=500,
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
    Site.objects.bulk_create(sites, batch_size=500)
    Mentor.objects.bulk_create(mentors, batch_size=500)
    return programme, organisations[WORKPLACES // 2]


def _client(membership):
    from django.test import Client

    from wpl.middleware import SESSION_KEY

    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return client


def _time_page(client, url: str, params: dict | None = None) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url, params or {})
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params or {})
    # Read the count now: the next request resets the connection's query log.
    query_count = len(queries)
    durations = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        client.get(url, params or {})
        durations.append((time.perf_counter() - start) * 1000.0)
    return durations, query_count


def _page_figures(name: str, measure: Callable[[], tuple[list[float], int]]) -> list[dict]:
    durations, queries = measure()
    return [
        {
            "metric": f"{name}_p95_ms",
            "value": round(_p95(durations), 2),
            "unit": "ms",
            "n": len(durations),
            "median_ms": round(sorted(durations)[len(durations) // 2], 2),
            "target": f"< {TARGET_MS} ms",
            "students": STUDENTS,
            "workplaces": WORKPLACES,
        },
        {"metric": f"{name}_queries", "value": queries, "unit": "queries", "n": 1},
    ]


def _import_csv(programme_code: str) -> bytes:
    lines = ["Studentnummer;Voornaam;Achternaam;E-mail;Opleiding;Jaar;Werkstudent"]
    for i in range(IMPORT_ROWS):
        email = f"import{i}@student.odisee.test"
        lines.append(f"I{i:06d};{FIRST_NAMES[i % 10]};Import {i};{email};{programme_code};{1 + i % 2};nee")
    return ("\n".join(lines) + "\n").encode("utf-8")


def run() -> list[dict]:
    from django.urls import NoReverseMatch, reverse

    from imports import services
    from wpl.models import Institution, Membership, Role
    from wpl.tenancy import tenant_context

    institution = Institution.objects.get(slug="odisee")
    coordinator = Membership.all_tenants.select_related("user").get(
        institution=institution, role=Role.COORDINATOR, user__email="coordinator@odisee.demo"
    )
    with tenant_context(institution):
        programme, workplace = _seed(institution)
    client = _client(coordinator)
    figures: list[dict] = []
    students_url = reverse("student-list")
    figures += _page_figures("students_list", lambda: _time_page(client, students_url))
    figures += _page_figures("students_search", lambda: _time_page(client, students_url, {"q": "peeters 12"}))
    for name, route, kwargs in (
        ("workplaces_list", "organisation-list", None),
        ("workplace_detail", "organisation-detail", {"pk": workplace.pk}),
    ):
        try:
            url = reverse(route, kwargs=kwargs)
        except NoReverseMatch:
            print(f"catalogue_bench: route {route} does not exist; {name} skipped", file=sys.stderr)
            continue
        figures += _page_figures(name, lambda url=url: _time_page(client, url))

    data = _import_csv(programme.code)
    with tenant_context(institution):
        start = time.perf_counter()
        outcome = services.run_import(actor=None, kind="students", data=data)
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = services.run_import(actor=None, kind="students", data=data)
        second = time.perf_counter() - start
    assert outcome.result.created == IMPORT_ROWS, outcome.result
    assert again.result.unchanged == IMPORT_ROWS, again.result
    figures.append(
        {"metric": "import_2000_rows_s", "value": round(first, 3), "unit": "s", "n": 1, "target": "< 10 s"}
    )
    figures.append(
        {"metric": "reimport_2000_rows_unchanged_s", "value": round(second, 3), "unit": "s", "n": 1}
    )
    return figures
