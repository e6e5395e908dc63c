"""Benchmark of the reminder sweep: 100,000 due reminders over 300 institutions.

Each institution gets meetings starting tomorrow with three participants; the sweep is
what a worker runs for the fixed beat entry: `run_reminder_sweeps` per institution, with
the tenant id passed explicitly. Delivery tasks are only published to the broker (the
embedded filesystem broker, and Redis when REDIS_URL is set), not executed, so the figure
is the sweep itself: finding what is due and recording every reminder durably.
Figures: `reminder_sweep_s` per broker, and `reminder_duplicates` (rows with the same key,
plus rows a second, immediate re-run of the sweep created; must be 0).
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta

from django.db import connection
from django.db.models import Count
from django.utils import timezone

INSTITUTIONS = int(os.environ.get("BENCH_REMINDER_INSTITUTIONS", "300"))
MEETINGS = int(os.environ.get("BENCH_REMINDER_MEETINGS", "112"))  # x 3 participants x 300 = 100,800
PARTICIPANTS = 3


def _seed() -> list[int]:
    from meetings.models import Meeting, Participant
    from wpl.models import Institution, User
    from wpl.tenancy import tenant_context

    start = timezone.now() + timedelta(hours=20)
    ids = []
    for i in range(INSTITUTIONS):
        slug = f"bench-rem-{i}"
        institution, _ = Institution.objects.get_or_create(slug=slug, defaults={"name": f"Bench {i}"})
        ids.append(institution.pk)
        if Meeting.all_tenants.filter(institution=institution).exists():
            continue
        users = [
            User.objects.get_or_create(email=f"p{j}@bench-rem-{i}.test", defaults={"first_name": "P"})[0]
            for j in range(PARTICIPANTS)
        ]
        with tenant_context(institution):
            meetings = Meeting.objects.bulk_create(
                Meeting(kind="trialogue", title=f"Trialoog {k}", starts_at=start,
                        ends_at=start + timedelta(hours=1))
                for k in range(MEETINGS)
            )  # fmt: skip
            Participant.objects.bulk_create(
                Participant(meeting=m, user=u, name="P", role="student") for m in meetings for u in users
            )
    return ids


def _sweep(ids: list[int]) -> int:
    from wpl.tasks import run_reminder_sweeps

    created = 0
    for institution_id in ids:
        result = run_reminder_sweeps.apply(kwargs={"institution_id": institution_id}).get()
        created += result.get("meetings.tomorrow", 0)
    return created


def _reset_pools(app) -> None:
    """Publish through the broker just configured (Celery caches its connection pools)."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def _one(ids: list[int], broker: str, transport_options: dict) -> list[dict]:
    from django.conf import settings

    from wpl.celery import app
    from wpl.models import Notification
    from wpl.tenancy import unscoped_writes

    with unscoped_writes():  # a clean start in every bench institution at once
        Notification.all_tenants.filter(institution_id__in=ids).delete()
    queue = f"bench-reminders-{os.getpid()}"
    previous = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager,
                app.conf.task_default_queue)  # fmt: skip
    app.conf.broker_url, app.conf.broker_transport_options = broker, transport_options
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    _reset_pools(app)
    try:
        t0 = time.perf_counter()
        created = _sweep(ids)
        elapsed = time.perf_counter() - t0
        again = _sweep(ids)  # a re-run (or an overlapping beat tick) must add nothing
        dupes = (
            Notification.all_tenants.filter(institution_id__in=ids)
            .values("institution_id", "key")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager, app.conf.task_default_queue = previous  # noqa: E501
        _reset_pools(app)
    label = "redis" if broker.startswith("redis") else "embedded"
    del settings
    return [
        {"name": "reminder_sweep_s", "broker": label, "value": round(elapsed, 2), "unit": "s",
         "reminders": created, "institutions": len(ids), "db": connection.vendor, "target": "< 60"},
        {"name": "reminder_duplicates", "broker": label, "value": dupes + again, "unit": "count",
         "target": "0"},
    ]  # fmt: skip


def run() -> list[dict]:
    ids = _seed()
    folder = tempfile.mkdtemp(prefix="wpl-bench-broker-")
    os.makedirs(f"{folder}/q", exist_ok=True)
    os.makedirs(f"{folder}/p", exist_ok=True)
    os.makedirs(f"{folder}/c", exist_ok=True)
    figures = _one(
        ids,
        "filesystem://localhost//",
        {"data_folder_in": f"{folder}/q", "data_folder_out": f"{folder}/q",
         "processed_folder": f"{folder}/p", "control_folder": f"{folder}/c"},  # fmt: skip
    )
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    if redis_url:
        figures += _one(ids, redis_url, {})
    return figures
