"""Accessibility and valid HTML on every page each role can reach, and a phone layout.

One walk in headless Chromium over the named GET routes of tests/access_matrix.py (with
the matrix's objects), signed in as each role of institution A. Each route is opened once,
by the first role in WALK_ORDER that may open it (phone roles first, so every page of a
student or mentor is seen at phone width); every role's start page is opened. Then:
- axe-core (tests/assets/axe.min.js, vendored from npm) must find no serious or critical
  violation on any page;
- the Nu Html Checker (vnu.jar from npm's vnu-jar, run once over all pages' HTML, one JVM)
  must report no error;
- students and mentors get a 375 px wide window: no page of theirs scrolls sideways.
Needs chromium, chromedriver and Java (scripts/system-deps.sh test installs them and vnu-jar).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.access_matrix import OBJECT_BUILDERS, ROUTES
from tests.conftest import login
from tests.fixtures import (
    AXE_TAGS,
    CHROMEDRIVER,
    CHROMIUM,
    PHONE_WIDTH,
    SERIOUS,
    VNU,
    audit_chrome,
    run_vnu,
    url_for,
)
from wpl.middleware import SESSION_KEY
from wpl.models import Role

pytestmark = [pytest.mark.browser]

PHONE_ROLES = {Role.STUDENT, Role.MENTOR}
WALK_ORDER = [
    Role.STUDENT,
    Role.MENTOR,
    Role.ORG_ADMIN,
    Role.SUPERVISOR,
    Role.COORDINATOR,
    Role.INSTITUTION_ADMIN,
]
MARKER = "ZQXALPHAMARKER"


def pages_for(role: str, objects: dict, seen: set[str]) -> list[tuple[str, str]]:
    """(route name, url) of the HTML pages `role` may open that no earlier role opened."""
    pages = []
    for route in ROUTES:
        if route.api or route.ok != 200 or role not in route.allowed or role in route.own_only:
            continue
        if route.name in seen and route.name != "home":
            continue
        seen.add(route.name)
        if route.name.endswith("-export") or route.name in {"health", "javascript-catalog", "api-docs"}:
            continue  # not HTML pages of ours
        pages.append((route.name, url_for(route, objects.get(route.obj))))
    return pages


def test_every_page_is_accessible_valid_and_fits_a_phone(transactional_db, personas, live_server, tmp_path):
    for path, what in ((CHROMIUM, "Chromium"), (CHROMEDRIVER, "chromedriver"), (VNU, "vnu.jar")):
        if not os.path.exists(path):
            pytest.fail(f"{what} is missing ({path}); run scripts/system-deps.sh test.")
    if shutil.which("java") is None:
        pytest.fail("Java is missing; run scripts/system-deps.sh test (default-jre-headless).")
    objects = {kind: build(personas.a, MARKER) for kind, build in OBJECT_BUILDERS.items()}
    html_files: list[Path] = []
    axe_problems: list[str] = []
    scroll_problems: list[str] = []
    layout_problems: list[str] = []
    started = time.monotonic()
    visited = 0
    seen: set[str] = set()
    for role in WALK_ORDER:
        membership = personas("a", role)
        client = login(membership)
        phone = role in PHONE_ROLES
        driver, profile = audit_chrome(PHONE_WIDTH if phone else 1366, 900)
        try:
            driver.get(live_server.url + "/health/")
            driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
            assert client.session[SESSION_KEY] == membership.pk
            for name, url in pages_for(role, objects, seen):
                response = client.get(url)
                if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                    continue
                html = tmp_path / f"{role}--{name}.html"
                html.write_bytes(response.content)
                html_files.append(html)
                driver.get(live_server.url + url)
                result = driver.execute_async_script(
                    f"const AXE_TAGS = {json.dumps(AXE_TAGS)};"
                    "const done = arguments[arguments.length - 1];"
                    "axe.run(document, {resultTypes: ['violations'],"
                    " runOnly: {type: 'tag', values: AXE_TAGS}})"
                    ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                    " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
                    ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"
                )
                visited += 1
                for v in result:
                    if v["impact"] in SERIOUS:
                        axe_problems.append(
                            f"{role} {name}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
                        )
                # Key figures never spill into their neighbours (the programme header did), and
                # the matching board's table, actions included, fits a 1366 px screen.
                overflowing = driver.execute_script(
                    "return [...document.querySelectorAll('.facts dd, .stats dd, #board')]"
                    ".filter(e => (e.id === 'board' ? e.parentElement : e).scrollWidth >"
                    " (e.id === 'board' ? e.parentElement : e).clientWidth + 1)"
                    ".map(e => e.id || e.textContent.trim().slice(0, 40));"
                )
                if overflowing:
                    layout_problems.append(f"{role} {name}: overflows {overflowing}")
                if phone:
                    widths = driver.execute_script(
                        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];"
                    )
                    if widths[0] > widths[1]:
                        scroll_problems.append(
                            f"{role} {name}: scrollWidth {widths[0]} > clientWidth {widths[1]}"
                        )
        finally:
            driver.quit()
            shutil.rmtree(profile, ignore_errors=True)
    assert visited >= 50, f"only {visited} pages walked: the walk is broken"
    walked = time.monotonic()
    vnu_errors = run_vnu(html_files)
    print(f"walked {visited} pages in {walked - started:.0f} s; vnu in {time.monotonic() - walked:.0f} s")
    assert not axe_problems, "axe-core, serious or critical:\n" + "\n".join(axe_problems)
    assert not vnu_errors, "Nu Html Checker errors:\n" + "\n".join(vnu_errors)
    assert not layout_problems, "Cut off or overlapping:\n" + "\n".join(layout_problems)
    assert not scroll_problems, "Horizontal scrolling at 375 px:\n" + "\n".join(scroll_problems)
