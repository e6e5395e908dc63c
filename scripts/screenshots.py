# ruff: noqa: S603 - runs our own manage.py with fixed arguments
"""Screenshots for the README: each demo role's start page and the matching board.

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--keep]
Builds the `make run` demo in a scratch directory (SQLite, seed_demo), starts the web app
on a free local port, signs in as each demo role in headless Chromium and saves PNGs.
Needs /usr/bin/chromium and /usr/bin/chromedriver (scripts/system-deps.sh test).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "wpl-demo"  # noqa: S105 - the published demo password
# (file name, demo login, path, window width, window height)
SHOTS = [
    ("start-coordinator", "coordinator@odisee.demo", "/", 1366, 900),
    ("start-institution-admin", "admin@odisee.demo", "/", 1366, 900),
    ("start-supervisor", "supervisor@odisee.demo", "/", 1366, 900),
    ("start-org-admin", "orgadmin@odisee.demo", "/", 1366, 900),
    ("start-mentor", "mentor@odisee.demo", "/", 375, 812),
    ("start-student", "student@odisee.demo", "/", 375, 812),
    ("matching-board", "coordinator@odisee.demo", "BOARD", 1366, 1000),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def driver_for(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    return driver


def sign_in(driver, base: str, email: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + "/accounts/login/")
    driver.find_element(By.NAME, "login").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action*='login'] button[type=submit]").click()


def board_path(env: dict) -> str:
    code = (
        "from wpl.models import Institution; from wpl.tenancy import tenant_context;"
        "from placements.models import MatchingRound;"
        "i = Institution.objects.get(slug='odisee');\n"
        "with tenant_context(i): print(MatchingRound.objects.order_by('pk').first().pk)"
    )
    pk = subprocess.check_output([PY, "manage.py", "shell", "-c", code], env=env, cwd=ROOT, text=True).strip()
    return f"/matching/{pk.splitlines()[-1]}/"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="wpl-shots-"))
    env = {
        **os.environ,
        "WPL_VAR_DIR": str(scratch),
        "DJANGO_SETTINGS_MODULE": "wpl.settings",
        "DATABASE_URL": f"sqlite:///{scratch / 'wpl.sqlite3'}",
        "LANGUAGE_CODE": "nl",
    }
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable", "-v0"], ["seed_demo"]):
        subprocess.run([PY, "manage.py", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    # The admin's start page shows the worker's status line: record one heartbeat.
    heartbeat = (
        "from wpl import services; from wpl.models import Institution;"
        "services.record_heartbeat(name=f'institution:{Institution.objects.get(slug=\"odisee\").pk}')"
    )
    subprocess.run([PY, "manage.py", "shell", "-c", heartbeat], env=env, cwd=ROOT, check=True)  # noqa: S603
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [PY, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180  # a busy machine can take a while to start Django
        while True:
            try:
                urllib.request.urlopen(base + "/health/", timeout=5)  # noqa: S310 - local server
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("The demo web server did not start.") from None
                time.sleep(0.5)
        board = board_path(env)
        for name, email, path, width, height in SHOTS:
            driver = driver_for(width, height)
            try:
                sign_in(driver, base, email)
                driver.get(base + (board if path == "BOARD" else path))
                time.sleep(0.3)
                driver.save_screenshot(str(out / f"{name}.png"))
                print(f"{out / name}.png")
            finally:
                driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
