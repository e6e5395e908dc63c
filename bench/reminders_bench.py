"""Benchmark of the reminder sweeps: about 100,000 due reminders over 300 institutions.

Every institution gets what each registered sweep chases (per institution, with the
defaults of `BENCH_REMINDER_PLACEMENTS=60` placements):
- `logbooks.not_logged`: 40 placements that never logged, long enough ago for every step
  (student, mentor, supervisor): 120 reminders;
- `logbooks.review_waiting`: 20 placements with an entry waiting for review for 20 days
  (mentor, then supervisor): 40;
- `meetings.tomorrow`: 30 trialogues starting tomorrow, 3 participants each: 90;
- `meetings.minutes`: 20 meetings held 10 days ago without minutes (organiser, then
  supervisor): 40;
- `agreements.unsigned`: 10 agreements sent 20 days ago, the mentor and the school still
  to sign (signers, supervisor, 2 coordinators): 50.
That is 340 per institution, 102,000 over 300. The rows are written with `bulk_create`
inside each institution's `tenant_context()` (writes outside a tenant are refused).

The sweep is what a worker runs for the fixed beat entry: `run_reminder_sweeps` per
institution with the tenant id passed explicitly (the task body, in this process). Delivery
tasks are only published to the broker (the embedded filesystem broker, and Redis when
REDIS_URL is set), not executed, so `reminder_sweep_s` is the sweep itself: finding what
is due and recording every reminder durably. Figures, one JSON line each:
- `reminder_sweep_s` per broker (target < 60 s; `cpu_s` is this process's CPU time, a
  hint on a busy machine) and `reminder_notifications_per_s`;
- `reminder_duplicates`: rows sharing a key plus rows an immediate second run created
  (must be 0); `reminder_crash_duplicates` / `reminder_crash_lost`: after a simulated
  crash in the middle of a batch in every institution (the batch's transaction is rolled
  back, the task fails) and the re-run that follows, keys found twice and keys missing
  compared with the clean run (both must be 0);
- `reminder_delivery_per_s`: e-mails sent per second by the delivery task (batches of
  `DELIVERY_BATCH`, one mail connection per batch, locmem backend) over a sample, and
  `reminder_delivery_duplicates` (mails sent for a row already sent; must be 0).

On PostgreSQL (DATABASE_URL=postgres://...) the benchmark creates a database of its own
on that server and drops it afterwards (as `make bench-scale` does); on SQLite it uses the
bench's fresh SQLite file. Scale: BENCH_REMINDER_INSTITUTIONS, BENCH_REMINDER_PLACEMENTS,
BENCH_REMINDER_DELIVERIES (sample size of the delivery figure).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta

INSTITUTIONS = int(os.environ.get("BENCH_REMINDER_INSTITUTIONS", "300"))
PLACEMENTS = int(os.environ.get("BENCH_REMINDER_PLACEMENTS", "60"))
DELIVERIES = int(os.environ.get("BENCH_REMINDER_DELIVERIES", "5000"))


def _log(message: str) -> None:
    print(f"# reminders: {message}", file=sys.stderr, flush=True)


# --- a database of its own on PostgreSQL ----------------------------------------------------


@contextlib.contextmanager
def _own_database():
    """On PostgreSQL: a fresh database next to the configured one, dropped afterwards."""
    from django.core.management import call_command
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        yield
        return
    from bench.scale import _admin, _server_url

    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    database = f"{original}_bench_reminders_{os.getpid()}"
    port = settings_dict.get("PORT") or 5432
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{settings_dict['USER']}:{password}@" if password else f"{settings_dict['USER']}@"
    url = f"postgres://{auth}{settings_dict.get('HOST') or 'localhost'}:{port}/{original}"
    _admin(url, f'CREATE DATABASE "{database}"')
    _log(f"database {database}")
    try:
        connections.close_all()
        settings_dict["NAME"] = database
        del _server_url
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        connections.close_all()
        settings_dict["NAME"] = original
        _admin(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# --- seeding ---------------------------------------------------------------------------------


def _shape(placements: int) -> dict[str, int]:
    """How many of each occasion an institution gets (scaled from 60 placements)."""
    gap = placements * 2 // 3
    return {
        "gap": gap,
        "review": placements - gap,
        "tomorrow": placements // 2,
        "minutes": placements // 3,
        "unsigned": max(1, placements // 6),
    }


def expected_per_institution(placements: int = PLACEMENTS) -> int:
    s = _shape(placements)
    return s["gap"] * 3 + s["review"] * 2 + s["tomorrow"] * 3 + s["minutes"] * 2 + s["unsigned"] * 5


def _seed_institution(i: int, today, now) -> int:
    """One institution's people, placements and everything due (see the module)."""
    from agreements.models import Agreement, AgreementVersion, Signature
    from catalogue.models import AcademicCalendar, Programme, ProgrammeYear
    from logbooks.models import Entry
    from meetings.models import Meeting, Participant
    from placements.models import Placement
    from students.models import Student
    from workplaces.models import Mentor, Organisation
    from wpl.models import Institution, Membership, Role, User
    from wpl.tenancy import tenant_context

    shape = _shape(PLACEMENTS)
    slug = f"bench-rem-{i}"
    institution = Institution.objects.create(slug=slug, name=f"Bench {i}")
    domain = f"{slug}.test"
    organisations_n = max(1, PLACEMENTS // 6)
    supervisors_n = max(1, PLACEMENTS // 12)

    def users(prefix: str, n: int) -> list:
        return User.objects.bulk_create(
            User(email=f"{prefix}{k}@{domain}", first_name=prefix.title(),
                 last_name=f"{k}", password="!")
            for k in range(n)
        )  # fmt: skip

    student_users = users("student", PLACEMENTS)
    mentor_users = users("mentor", organisations_n)
    supervisor_users = users("supervisor", supervisors_n)
    coordinator_users = users("coordinator", 2)
    first = today.year if today.month >= 9 else today.year - 1
    academic_year = f"{first}-{first + 1}"
    start, end = today - timedelta(days=60), today + timedelta(days=120)
    with tenant_context(institution):
        programme = Programme.objects.create(name="Graduaat Bench", code="bench", form="graduate", years=2)
        ProgrammeYear.objects.create(
            programme=programme, year=1, wpl_weekdays="1,2,3,4,5", hours_per_day="7.60"
        )
        AcademicCalendar.objects.create(academic_year=academic_year, wpl_start=start, wpl_end=end)
        supervisors = Membership.objects.bulk_create(
            Membership(user=u, role=Role.SUPERVISOR) for u in supervisor_users
        )
        Membership.objects.bulk_create(Membership(user=u, role=Role.COORDINATOR) for u in coordinator_users)
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Werkplek {k}", languages="nl") for k in range(organisations_n)
        )
        mentors = Mentor.objects.bulk_create(
            Mentor(organisation=o, user=u, first_name="Mentor", last_name=str(k), email=u.email)
            for k, (o, u) in enumerate(zip(organisations, mentor_users, strict=True))
        )
        students = Student.objects.bulk_create(
            Student(user=u, student_number=f"r{k:07d}", first_name="Student", last_name=str(k), email=u.email,
                    programme=programme, year=1)
            for k, u in enumerate(student_users)
        )  # fmt: skip
        placements = Placement.objects.bulk_create(
            Placement(student=s, organisation=organisations[k % organisations_n],
                      mentor=mentors[k % organisations_n], supervisor=supervisors[k % supervisors_n],
                      programme=programme, academic_year=academic_year, year=1, start_date=start,
                      end_date=end)
            for k, s in enumerate(students)
        )  # fmt: skip
        # Placements [0, gap) never logged; [gap, n) logged yesterday, waiting for review.
        submitted = now - timedelta(days=20)
        Entry.objects.bulk_create(
            Entry(placement=p, date=today - timedelta(days=1), hours="7.60", activities="Dag op de werkplek",
                  status=Entry.Status.SUBMITTED, submitted_at=submitted)
            for p in placements[shape["gap"]:]
        )  # fmt: skip
        tomorrow = now + timedelta(hours=20)
        held = now - timedelta(days=10)
        meetings = Meeting.objects.bulk_create(
            [
                Meeting(placement=placements[k % PLACEMENTS], kind="trialogue", title=f"Trialoog {k}",
                        starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=1))
                for k in range(shape["tomorrow"])
            ]
            + [
                Meeting(placement=placements[k % PLACEMENTS], kind="supervision", title=f"Supervisie {k}",
                        starts_at=held - timedelta(hours=1), ends_at=held,
                        organiser=supervisor_users[k % supervisors_n])
                for k in range(shape["minutes"])
            ]
        )  # fmt: skip
        participants = []
        for meeting in meetings[: shape["tomorrow"]]:
            p = meeting.placement
            for role, user in (
                ("student", p.student.user),
                ("mentor", p.mentor.user),
                ("supervisor", p.supervisor.user),
            ):
                participants.append(Participant(meeting=meeting, user=user, name=user.first_name, role=role))
        Participant.objects.bulk_create(participants)
        agreements = Agreement.objects.bulk_create(
            Agreement(placement=placements[k]) for k in range(shape["unsigned"])
        )
        versions = AgreementVersion.objects.bulk_create(
            AgreementVersion(agreement=a, state="sent", sent_at=submitted) for a in agreements
        )
        signatures = []
        for version, agreement in zip(versions, agreements, strict=True):
            p = agreement.placement
            for order, (party, user, status) in enumerate(
                (
                    ("student", p.student.user, Signature.Status.ACCEPTED),
                    ("workplace", p.mentor.user, Signature.Status.PENDING),
                    ("school", p.supervisor.user, Signature.Status.PENDING),
                )
            ):
                signatures.append(
                    Signature(version=version, party=party, order=order, signer=user,
                              signer_name=user.first_name, status=status)
                )  # fmt: skip
        Signature.objects.bulk_create(signatures)
    return institution.pk


def _seed() -> list[int]:
    from django.db import transaction
    from django.utils import timezone

    today, now = timezone.localdate(), timezone.now()
    t0 = time.perf_counter()
    ids = []
    for i in range(INSTITUTIONS):
        with transaction.atomic():
            ids.append(_seed_institution(i, today, now))
    _log(f"seeded {INSTITUTIONS} institutions in {time.perf_counter() - t0:.1f} s")
    return ids


# --- sweeping ----------------------------------------------------------------------------


def _sweep(ids: list[int]) -> Counter:
    from wpl.tasks import run_reminder_sweeps

    created: Counter = Counter()
    for institution_id in ids:
        created.update(run_reminder_sweeps.apply(kwargs={"institution_id": institution_id}).get())
    return created


def _reset_pools(app) -> None:
    """Publish through the broker just configured (Celery caches its connection pools, and
    kombu keeps producer pools per broker in a registry of its own)."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@contextlib.contextmanager
def _broker(broker: str, transport_options: dict):
    from wpl.celery import app

    queue = f"bench-reminders-{os.getpid()}"
    previous = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager,
                app.conf.task_default_queue)  # fmt: skip
    app.conf.broker_url, app.conf.broker_transport_options = broker, transport_options
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    _reset_pools(app)
    try:
        yield
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    finally:
        (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager,
         app.conf.task_default_queue) = previous  # fmt: skip
        _reset_pools(app)


def _clear(ids: list[int]) -> None:
    from wpl.models import Notification
    from wpl.tenancy import unscoped_writes

    with unscoped_writes():  # a clean start in every bench institution at once
        Notification.all_tenants.filter(institution_id__in=ids).delete()


def _keys(ids: list[int]) -> Counter:
    from wpl.models import Notification

    rows = Notification.all_tenants.filter(institution_id__in=ids).values_list("institution_id", "key")
    return Counter(rows.iterator())


def _one(ids: list[int], broker: str, transport_options: dict, *, crash: bool = False) -> list[dict]:
    from django.db import connection

    label = "redis" if broker.startswith("redis") else "embedded"
    _clear(ids)
    with _broker(broker, transport_options):
        t0, c0 = time.perf_counter(), time.process_time()
        created = _sweep(ids)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        again = _sweep(ids)  # a re-run (or an overlapping beat tick) must add nothing
        keys = _keys(ids)
        crashed = _crash_figures(ids, set(keys)) if crash else []
    dupes = sum(n - 1 for n in keys.values() if n > 1)
    total = sum(created.values())
    _log(f"{label}: {total} reminders in {elapsed:.1f} s ({dict(created)})")
    figures = [
        {"name": "reminder_sweep_s", "broker": label, "value": round(elapsed, 2), "unit": "s",
         "reminders": total, "institutions": len(ids), "db": connection.vendor, "target": "< 60",
         "cpu_s": round(cpu, 2),  # this process only (the database server's time on PostgreSQL not included)
         "per_kind": {k: v for k, v in sorted(created.items()) if v}},
        {"name": "reminder_notifications_per_s", "broker": label, "value": round(total / elapsed, 1),
         "unit": "notifications/s", "db": connection.vendor},
        {"name": "reminder_duplicates", "broker": label, "value": dupes + sum(again.values()),
         "unit": "count", "target": "0"},
    ]  # fmt: skip
    if len(keys) < len(ids) * expected_per_institution():
        _log(f"expected {len(ids) * expected_per_institution()} reminders, found {len(keys)}")
    return figures + crashed


class SimulatedCrash(RuntimeError):
    """Raised inside a batch's transaction, after its rows were inserted, before commit."""


@contextlib.contextmanager
def _crash_on_batch(number: int):
    """Make the `number`-th notification batch of every institution's run die mid-batch."""
    from wpl import notifications

    original = notifications._insert_batch
    calls = Counter()

    def crashing(rows, **kwargs):
        result = original(rows, **kwargs)
        institution_id = rows[0][0]  # (institution_id, recipient_id, ...)
        calls[institution_id] += 1
        if calls[institution_id] == number:
            raise SimulatedCrash(f"batch {number} of institution {institution_id}")
        return result

    notifications._insert_batch = crashing
    try:
        yield calls
    finally:
        notifications._insert_batch = original


def _crash_figures(ids: list[int], expected: set) -> list[dict]:
    from wpl.tasks import run_reminder_sweeps

    _clear(ids)
    crashed = 0
    with _crash_on_batch(2):
        for institution_id in ids:
            try:
                run_reminder_sweeps.apply(kwargs={"institution_id": institution_id}, throw=True).get()
            except SimulatedCrash:
                crashed += 1
    partial = sum(_keys(ids).values())
    _sweep(ids)  # the beat's next run after the worker came back
    again = _sweep(ids)
    keys = _keys(ids)
    dupes = sum(n - 1 for n in keys.values() if n > 1) + sum(again.values())
    lost = len(expected - set(keys))
    _log(f"crash: {crashed} institutions crashed mid-batch with {partial} rows; after the re-run "
         f"{sum(keys.values())} rows, {lost} lost, {dupes} duplicates")  # fmt: skip
    return [
        {"name": "reminder_crash_duplicates", "value": dupes, "unit": "count", "target": "0",
         "crashed_institutions": crashed, "rows_before_rerun": partial},
        {"name": "reminder_crash_lost", "value": lost, "unit": "count", "target": "0",
         "expected": len(expected)},
    ]  # fmt: skip


def _delivery_figures(ids: list[int]) -> list[dict]:
    """Send a sample of the reminders' e-mails through the delivery task (locmem backend)."""
    from django.core import mail
    from django.test import override_settings

    from wpl.models import Notification
    from wpl.notifications import DELIVERY_BATCH
    from wpl.tasks import deliver_notifications

    by_institution: dict[int, list[int]] = {}
    rows = (
        Notification.all_tenants.filter(institution_id__in=ids, email_sent_at__isnull=True)
        .order_by("institution_id", "id")
        .values_list("institution_id", "id")[:DELIVERIES]
    )
    for institution_id, pk in rows:
        by_institution.setdefault(institution_id, []).append(pk)
    total = sum(len(v) for v in by_institution.values())
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        t0 = time.perf_counter()
        sent = 0
        for institution_id, pks in by_institution.items():
            for start in range(0, len(pks), DELIVERY_BATCH):
                batch = pks[start : start + DELIVERY_BATCH]
                kwargs = {"institution_id": institution_id, "notification_ids": batch}
                sent += deliver_notifications.apply(kwargs=kwargs).get()
        elapsed = time.perf_counter() - t0
        # Delivering the same batches again (a redelivered task) must send nothing.
        for institution_id, pks in by_institution.items():
            kwargs = {"institution_id": institution_id, "notification_ids": pks}
            deliver_notifications.apply(kwargs=kwargs).get()
        mails = len(mail.outbox)
        mail.outbox = []
    _log(f"delivery: {sent} of {total} mails in {elapsed:.1f} s")
    return [
        {"name": "reminder_delivery_per_s", "value": round(sent / elapsed, 1) if elapsed else None,
         "unit": "e-mails/s", "sample": total, "sent": sent, "backend": "locmem"},
        {"name": "reminder_delivery_duplicates", "value": mails - total, "unit": "count", "target": "0"},
    ]  # fmt: skip


def run() -> list[dict]:
    figures: list[dict] = []
    with _own_database():
        ids = _seed()
        folder = tempfile.mkdtemp(prefix="wpl-bench-broker-")
        for sub in ("q", "p", "c"):
            os.makedirs(f"{folder}/{sub}", exist_ok=True)
        figures += _one(
            ids,
            "filesystem://localhost//",
            {
                "data_folder_in": f"{folder}/q",
                "data_folder_out": f"{folder}/q",
                "processed_folder": f"{folder}/p",
                "control_folder": f"{folder}/c",
            },  # fmt: skip
            crash=True,
        )
        redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
        if redis_url:
            figures += _one(ids, redis_url, {})
        figures += _delivery_figures(ids)
    return figures
