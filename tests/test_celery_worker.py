"""A Celery round trip through a real worker process on a real Redis broker.

The worker runs with the normal (non-eager) settings against the test database, so the
task really crosses the broker, runs in another process inside the tenant it was given,
reads that tenant's committed rows and sends its result back through Redis.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import InstitutionFactory, MembershipFactory
from tests.fixtures import BASE_DIR, database_url
from wpl.celery import app as celery_app
from wpl.models import Role
from wpl.tasks import MissingTenant, ping

pytestmark = pytest.mark.celery_worker

READY_TIMEOUT = 90
RESULT_TIMEOUT = 30


@pytest.fixture(scope="module")
def worker_queue(django_db_setup):
    """A `celery -A wpl worker` subprocess on the test database, consuming a queue unique
    to this test run (parallel runs share the Redis database but never each other's tasks)."""
    run_id = uuid.uuid4().hex[:12]
    queue = f"wpl-test-{run_id}"
    nodename = f"wpl-test-{run_id}@{os.uname().nodename}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wpl.settings",
        "REDIS_URL": settings.REDIS_TEST_URL,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    log = tempfile.NamedTemporaryFile(prefix="wpl-worker-", suffix=".log", delete=False)  # noqa: SIM115
    celery_bin = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(
        [
            str(celery_bin), "-A", "wpl", "worker", "--pool=solo", "--loglevel=INFO",
            "-Q", queue, "-n", nodename, "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip

    def worker_log() -> str:
        return Path(log.name).read_text(errors="replace")[-4000:]

    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"The worker exited with {process.returncode}:\n{worker_log()}")
            if celery_app.control.ping(destination=[nodename], timeout=1.0):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"The worker did not answer within {READY_TIMEOUT} s:\n{worker_log()}")
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
        Path(log.name).unlink(missing_ok=True)
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)


@pytest.fixture
def worker(worker_queue, transactional_db, eager_off) -> str:
    """The worker's queue, with committed test data the worker can see."""
    return worker_queue


def test_worker_runs_task_in_given_tenant(worker):
    alpha = InstitutionFactory(slug="alpha", name="Hogeschool Alpha")
    beta = InstitutionFactory(slug="beta", name="Hogeschool Beta")
    for role in (Role.COORDINATOR, Role.STUDENT, Role.MENTOR):
        MembershipFactory(institution=alpha, role=role)
    MembershipFactory(institution=beta, role=Role.STUDENT)

    result = ping.apply_async(kwargs={"institution_id": beta.pk}, queue=worker)
    assert result.get(timeout=RESULT_TIMEOUT) == {
        "active_institution_id": beta.pk,
        "institution": "beta",
        "members": 1,
    }
    result.forget()

    result = ping.apply_async(kwargs={"institution_id": alpha.pk}, queue=worker)
    answer = result.get(timeout=RESULT_TIMEOUT)
    assert answer == {"active_institution_id": alpha.pk, "institution": "alpha", "members": 3}
    assert result.status == "SUCCESS"
    result.forget()


def test_worker_refuses_task_without_tenant(worker):
    InstitutionFactory(slug="alpha")

    # Sent by name: the client-side argument check of `ping.delay()` would stop it earlier.
    result = celery_app.send_task("wpl.tasks.ping", kwargs={}, queue=worker)
    with pytest.raises(MissingTenant, match="needs institution_id"):
        result.get(timeout=RESULT_TIMEOUT)
    assert result.status == "FAILURE"
    result.forget()

    # A wrong type is refused as well, not coerced.
    result = ping.apply_async(kwargs={"institution_id": "1"}, queue=worker)
    with pytest.raises(MissingTenant):
        result.get(timeout=RESULT_TIMEOUT)
    result.forget()
