"""A worker killed in the middle of a reminder sweep loses nothing and sends nothing twice.

A real `celery worker` on Redis and PostgreSQL runs the meetings-tomorrow sweep over a few
hundred meetings; it is SIGKILLed while the sweep is half way, restarted, and the beat's
next run (the same sweep, then the delivery retry) is sent again. Every expected
notification row exists exactly once and every e-mail was written exactly once by the
file-based mail backend.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from email import message_from_string
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from meetings.models import Meeting, Participant
from tests.factories import InstitutionFactory, UserFactory
from tests.fixtures import BASE_DIR, database_url
from wpl.celery import app as celery_app
from wpl.models import Notification
from wpl.tasks import deliver_pending_notifications, run_reminder_sweeps
from wpl.tenancy import tenant_context

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]

# Enough that the set-based sweep (one INSERT per batch) is still running when it is killed.
MEETINGS = 1500
PARTICIPANTS = 3
EXPECTED = MEETINGS * PARTICIPANTS


class Worker:
    def __init__(self, queue: str, mail_dir: str) -> None:
        self.queue, self.mail_dir = queue, mail_dir
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="wpl-kill-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self) -> None:
        nodename = f"kill-{uuid.uuid4().hex[:8]}@{os.uname().nodename}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wpl.settings",
            "REDIS_URL": settings.REDIS_TEST_URL,
            "DATABASE_URL": database_url(connection.settings_dict),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": self.mail_dir,
            "WPL_NOTIFICATION_RETRY_SECONDS": "0",
            "WPL_SWEEP_BATCH": "10",  # many small batches, so the kill lands mid-sweep
            "PYTHONUNBUFFERED": "1",
        }
        celery_bin = Path(sys.executable).with_name("celery")
        self.process = subprocess.Popen(
            [str(celery_bin), "-A", "wpl", "worker", "--pool=solo", "--loglevel=INFO", "-Q", self.queue,
             "-n", nodename, "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while not celery_app.control.ping(destination=[nodename], timeout=1.0):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker did not start:\n{Path(self.log.name).read_text()[-3000:]}")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _mails(mail_dir: str) -> Counter:
    """(to, subject) of every message the file backend wrote."""
    found: Counter = Counter()
    for path in Path(mail_dir).glob("*.log"):
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if "Subject:" in chunk:
                msg = message_from_string(chunk.strip())
                found[(msg["To"], msg["Subject"])] += 1
    return found


def _state() -> str:
    rows = Notification.all_tenants.filter(kind="tomorrow")
    return f"{rows.count()} rows, {rows.filter(email_sent_at__isnull=True).count()} unsent"


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}: {_state()}")
        time.sleep(0.05)


def test_killed_worker_mid_sweep_loses_nothing_and_sends_nothing_twice(transactional_db, eager_off):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    institution = InstitutionFactory(slug="kill")
    users = [UserFactory(email=f"p{i}@kill.test") for i in range(PARTICIPANTS * 20)]
    start = timezone.now() + timedelta(hours=12)
    with tenant_context(institution):
        end = start + timedelta(hours=1)
        meetings = Meeting.objects.bulk_create(
            Meeting(kind="trialogue", title=f"Trialoog {i}", starts_at=start, ends_at=end)
            for i in range(MEETINGS)
        )
        Participant.objects.bulk_create(
            Participant(meeting=m, user=users[(i * PARTICIPANTS + j) % len(users)], name="x", email="",
                        role="student")
            for i, m in enumerate(meetings)
            for j in range(PARTICIPANTS)
        )  # fmt: skip
    queue = f"wpl-kill-{uuid.uuid4().hex[:10]}"
    mail_dir = tempfile.mkdtemp(prefix="wpl-mail-")
    worker = Worker(queue, mail_dir)
    rows = Notification.all_tenants.filter(institution=institution, kind="tomorrow")
    try:
        worker.start()
        run_reminder_sweeps.apply_async(kwargs={"institution_id": institution.pk}, queue=queue)
        _wait(lambda: rows.count() >= EXPECTED // 10, 120, "the sweep to be under way")
        worker.kill()
        killed_at = rows.count()
        assert killed_at < EXPECTED, "the sweep finished before the kill; raise MEETINGS"

        worker.start()
        # The beat's next run: the same sweep, then the retry of unsent mail.
        run_reminder_sweeps.apply_async(kwargs={"institution_id": institution.pk}, queue=queue)
        _wait(lambda: rows.count() >= EXPECTED, 300, "the sweep to catch up")

        last_retry = [0.0]

        def all_sent() -> bool:
            if not rows.filter(email_sent_at__isnull=True).exists():
                return True
            if time.monotonic() - last_retry[0] > 30:  # the beat's retry, not a flood
                last_retry[0] = time.monotonic()
                kwargs = {"institution_id": institution.pk}
                deliver_pending_notifications.apply_async(kwargs=kwargs, queue=queue)
            return False

        _wait(all_sent, 900, "every mail to be delivered")
        _wait(lambda: sum(_mails(mail_dir).values()) >= EXPECTED, 60, "the mail files")
        time.sleep(2)  # anything still queued would show up as a duplicate now
    finally:
        worker.stop()
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    assert rows.count() == EXPECTED
    keys = list(rows.values_list("key", flat=True))
    assert len(set(keys)) == EXPECTED
    expected_keys = {
        f"meetings.tomorrow:{p.meeting_id}:0:u{p.user_id}"
        for p in Participant.all_tenants.filter(institution=institution)
    }
    assert set(keys) == expected_keys
    sent = _mails(mail_dir)
    assert len(sent) == EXPECTED, "a reminder e-mail is missing"
    assert max(sent.values()) == 1, f"sent twice: {[k for k, n in sent.items() if n > 1][:5]}"
    assert 0 < killed_at < EXPECTED
