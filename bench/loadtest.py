"""Load test (issue 14): gunicorn with 2 sync workers on PostgreSQL under bounded load.

Run with `make loadtest` (needs DATABASE_URL=postgres://... and the `wrk` load tool,
which scripts/loadtest.sh installs from Debian when it is missing). Steps:

1. create a database of its own on the server `DATABASE_URL` names (name derived from it
   plus the process id), migrate, seed the demo data plus 50,000 students and 20,000
   workplaces, VACUUM ANALYZE;
2. sign the demo coordinator in (a session row; its cookie goes into every request);
3. start gunicorn (2 sync workers, production settings, loopback only) and check that
   both pages answer 200 to the signed-in coordinator;
4. run wrk for 30 s with 8 connections against `/`, then against `/students/`;
5. stop gunicorn and drop the database, also after an error.

Prints `start_page_rps`, `start_page_p95_ms`, `students_list_rps`, `students_list_p95_ms`
as JSON lines on stdout; progress on stderr. Traffic goes to 127.0.0.1 only and every
run is bounded by its duration.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DURATION_S = int(os.environ.get("LOADTEST_SECONDS", "30"))
CLIENTS = int(os.environ.get("LOADTEST_CLIENTS", "8"))
WORKERS = 2
TARGETS = (("start_page", "/"), ("students_list", "/students/"))
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p95_us": %d, "p50_us": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(95), latency:percentile(50),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sign_in_coordinator() -> str:
    """Return the Cookie header of a signed-in demo coordinator session."""
    from django.test import Client

    from wpl.middleware import SESSION_KEY
    from wpl.models import Membership, Role

    membership = Membership.all_tenants.select_related("user").get(
        institution__slug="odisee", role=Role.COORDINATOR, user__email="coordinator@odisee.demo"
    )
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return f"sessionid={session.session_key}"


def _wait_until_up(base: str, cookie: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=180):  # noqa: S310 - loopback
                break
        except OSError:
            time.sleep(0.5)
    else:
        raise RuntimeError("gunicorn did not answer within 300 s")
    for _name, path in TARGETS:
        request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=180) as response:  # noqa: S310 - loopback
            if response.status != 200 or response.url != f"{base}{path}":
                raise RuntimeError(f"GET {path} as the coordinator answered {response.status} {response.url}")


def _wrk(base: str, path: str, cookie: str, script: str) -> dict:
    command = [
        "wrk",
        f"--threads={min(2, CLIENTS)}",
        f"--connections={CLIENTS}",
        f"--duration={DURATION_S}s",
        "--timeout=10s",
        f"--script={script}",
        f"--header=Cookie: {cookie}",
        f"{base}{path}",
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=DURATION_S + 60)  # noqa: S603
    print(output.stdout, file=sys.stderr)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("loadtest needs DATABASE_URL=postgres://... (a PostgreSQL server)", file=sys.stderr)
        return 2
    from bench.scale import _admin, _server_url

    base_name = urlsplit(url).path.lstrip("/") or "wpl"
    database = f"{base_name}_loadtest_{os.getpid()}"
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": _server_url(url, database),
            "DJANGO_SETTINGS_MODULE": "wpl.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "WPL_REQUIRE_MFA_FOR_STAFF": "0",
            # The demo seeder sends invitation mails: keep them in memory, never on the wire.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    os.environ.update(env)
    out = sys.stdout
    sys.stdout = sys.stderr
    server = None
    figures = []
    _admin(url, f'CREATE DATABASE "{database}"')
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from bench.scale import seed_scale_data
        from wpl.demo import seed_demo

        print(f"# loadtest: database {database}", file=sys.stderr)
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        seed_demo()
        seed_scale_data()
        cookie = _sign_in_coordinator()
        connections.close_all()

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "wpl.wsgi",
                f"--workers={WORKERS}",
                f"--bind=127.0.0.1:{port}",
                # Load the app before forking, and give a slow first request (imports on a
                # busy machine) time instead of killing the worker.
                "--preload",
                "--timeout=120",
            ],
            cwd=ROOT,
            env=env,
            stdout=sys.stderr,
            stderr=sys.stderr,
        )
        _wait_until_up(base, cookie, server)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_REPORT)
        try:
            for name, path in TARGETS:
                report = _wrk(base, path, cookie, script.name)
                common = {"clients": CLIENTS, "duration_s": DURATION_S, "workers": WORKERS, "students": 50000}
                rps = report["requests"] / (report["duration_us"] / 1e6)
                figures.append(
                    {
                        "metric": f"{name}_rps",
                        "value": round(rps, 1),
                        "unit": "req/s",
                        "errors": report["errors"],
                        **common,
                    }
                )
                figures.append(
                    {
                        "metric": f"{name}_p95_ms",
                        "value": round(report["p95_us"] / 1000, 1),
                        "unit": "ms",
                        "median_ms": round(report["p50_us"] / 1000, 1),
                        **common,
                    }
                )
                for figure in figures[-2:]:
                    print(json.dumps(figure), file=out, flush=True)
        finally:
            os.unlink(script.name)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        _admin(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        sys.stdout = out
    return 0


if __name__ == "__main__":
    sys.exit(main())
