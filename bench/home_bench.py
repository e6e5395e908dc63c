"""Benchmark of the start page ("/") for every role, on the demo data.

For each role one demo login (`<role>@odisee.demo`) is signed in with Django's test client,
the page is warmed up, then N requests are timed. Figures per role: the 95th percentile
response time in milliseconds and the number of database queries per request.
Run through the harness: `make bench` or `python -m bench home` (it migrates and seeds a
fresh SQLite database first).
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wpl.demo import ROLE_LOGINS, demo_email
from wpl.middleware import SESSION_KEY
from wpl.models import Membership

N = 50
WARMUP = 5
INSTITUTION = "odisee"


def signed_in_client(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return client


def get_ok(client: Client, path: str = "/") -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}, expected 200")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def bench_role(role: str, local: str) -> list[dict]:
    membership = Membership.all_tenants.select_related("user").get(
        user__email=demo_email(local, INSTITUTION), institution__slug=INSTITUTION, role=role
    )
    client = signed_in_client(membership)
    for _ in range(WARMUP):
        get_ok(client)

    with CaptureQueriesContext(connection) as queries:
        get_ok(client)
    # Read now: every request clears the connection's query log (request_started).
    n_queries = len(queries)

    samples = []
    for _ in range(N):
        start = time.perf_counter()
        get_ok(client)
        samples.append((time.perf_counter() - start) * 1000)

    return [
        {"metric": "home_p95_ms", "value": round(p95(samples), 2), "unit": "ms", "n": N, "role": role},
        {"metric": "home_queries", "value": n_queries, "unit": "queries", "n": 1, "role": role},
    ]


def run() -> list[dict]:
    figures: list[dict] = []
    for role, local in ROLE_LOGINS:
        figures.extend(bench_role(str(role), local))
    return figures
