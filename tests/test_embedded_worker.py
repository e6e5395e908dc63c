"""The demo's background work: `celery -A wpl worker --beat` on the embedded broker.

Started as scripts/run.sh starts it (no REDIS_URL, so kombu's filesystem transport in the
var folder), on a freshly migrated and seeded SQLite file. The beat entry
`wpl.tasks.sweep_institutions` must fire and fan out `record_institution_heartbeat` to
every institution, which leaves one Heartbeat row per institution in the database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))
WAIT_SECONDS = 90  # worker start-up on a busy machine plus a few 2-second beats


def read_rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:]


@pytest.fixture
def demo_env(tmp_path) -> dict[str, str]:
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update(
        DJANGO_SETTINGS_MODULE="wpl.settings",
        WPL_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        WPL_SWEEP_SECONDS="2",
        PYTHONUNBUFFERED="1",
    )
    # One process for both steps: Django starts once.
    setup = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', interactive=False, verbosity=0); call_command('seed_demo')"
    )
    done = subprocess.run([PYTHON, "-c", setup], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "student@odisee.demo" in done.stdout
    return env


def test_beat_sweep_fans_out_heartbeats_on_embedded_broker(demo_env, tmp_path):
    db = tmp_path / "demo.sqlite3"
    var = Path(demo_env["WPL_VAR_DIR"])
    institutions = {pk for (pk,) in read_rows(db, "SELECT id FROM wpl_institution WHERE is_active")}
    assert len(institutions) == 2
    wanted = {f"institution:{pk}" for pk in institutions} | {"sweep"}
    assert not read_rows(db, "SELECT name FROM wpl_heartbeat")

    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                CELERY, "-A", "wpl", "worker", "--beat", "--loglevel=INFO", "--concurrency=1",
                "--schedule", str(var / "celerybeat-schedule"),
            ],
            cwd=BASE_DIR,
            env=demo_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        names: set[str] = set()
        while not wanted <= names:
            if worker.poll() is not None:
                pytest.fail(f"The worker exited with {worker.returncode}:\n{tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"Heartbeats {sorted(names)} after {WAIT_SECONDS} s:\n{tail(log_path)}")
            time.sleep(1)
            names = {name for (name,) in read_rows(db, "SELECT name FROM wpl_heartbeat")}
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=5)

    log = log_path.read_text()
    assert "Scheduler: Sending due task sweep-institutions (wpl.tasks.sweep_institutions)" in log
    assert "Task wpl.tasks.sweep_institutions[" in log and "succeeded" in log
    assert "Task wpl.tasks.record_institution_heartbeat[" in log
    assert "No hostname was supplied" not in log
    # The embedded broker lives in the given var folder, not in the working directory.
    assert (var / "broker" / "queue").is_dir() and (var / "broker" / "control").is_dir()
    assert not (BASE_DIR / "control").exists()
