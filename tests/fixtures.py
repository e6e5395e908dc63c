"""Shared test helpers and worlds, imported by several test files (never from another test file)."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from hypothesis import strategies as st

from catalogue.models import ProfessionalRole
from matching.algorithms import (
    MatchingProblem,
    MatchingResult,
)
from matching.models import (
    MatchingRound,
    StudentPreference,
)
from students.models import Student
from tests.factories import (
    MatchingRoundFactory,
    MentorFactory,
    OrganisationFactory,
    PlacementOfferFactory,
    ProgrammeFactory,
    SiteFactory,
    StudentFactory,
    WorkplaceApprovalFactory,
    in_tenant,
)
from workplaces.models import (
    PlacementOffer,
)
from wpl.models import Membership, Role
from wpl.tenancy import tenant_context

# A start page's query budget (tests/test_home.py; evaluations' staff items must fit in it):
# session, user, memberships, heartbeat, role counts, figures, providers, unread count.
START_PAGE_MAX_QUERIES = 13

# --- moved from tests/test_matching_board.py ---------------------------------------------------


HX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class World:
    round: MatchingRound
    offers: list[PlacementOffer]
    students: list[Student]


@in_tenant
def make_world(institution, *, students=5, offers=3, places=2, prefs=3, approved=True, year=1) -> World:
    """A round with accepted, approved offers (with mentors) and students who ranked some."""
    programme = ProgrammeFactory(institution=institution)
    matching_round = MatchingRoundFactory(institution=institution, programme=programme, year=year)
    offer_rows = []
    for _ in range(offers):
        offer = PlacementOfferFactory(institution=institution, programme=programme, places=places, year=year)
        offer.mentor = MentorFactory(institution=institution, organisation=offer.organisation)
        PlacementOffer.all_tenants.filter(pk=offer.pk).update(mentor=offer.mentor)
        if approved:
            WorkplaceApprovalFactory(
                institution=institution, organisation=offer.organisation, programme=programme
            )
        offer_rows.append(offer)
    people = [
        StudentFactory(institution=institution, programme=programme, year=year) for _ in range(students)
    ]
    rows = []
    for i, student in enumerate(people):
        for rank in range(1, min(prefs, offers) + 1):
            offer = offer_rows[(i + rank - 1) % offers]
            rows.append(
                StudentPreference(
                    institution=institution, round=matching_round, student=student, offer=offer, rank=rank
                )
            )
    StudentPreference.all_tenants.bulk_create(rows)
    return World(matching_round, offer_rows, people)


def post_action(client, world, name, htmx=True, **data):
    return client.post(reverse(name, kwargs={"pk": world.round.pk}), data, **(HX if htmx else {}))


# --- moved from tests/test_workplaces.py ---------------------------------------------------


def make_workplace(institution, programme=None, *, name="Buurtwerk", mentors=1, roles=4, **facts):
    defaults = {
        "staff_fte": Decimal("3"),
        "permanent_staff": 3,
        "commits_years": 2,
        "learning_by_doing": True,
    }
    organisation = OrganisationFactory(institution=institution, name=name, **{**defaults, **facts})
    SiteFactory(
        institution=institution, organisation=organisation, municipality="Anderlecht", postcode="1070"
    )
    for i in range(mentors):
        MentorFactory(
            institution=institution,
            organisation=organisation,
            is_social_worker=True,
            years_at_organisation=Decimal("2"),
            years_in_sector=Decimal("5"),
            reachable_weekdays="3,4",
            last_name=f"Mentor{i}",
        )
    if programme is not None:
        with tenant_context(institution):
            organisation.roles.set(list(ProfessionalRole.all_tenants.filter(programme=programme)[:roles]))
    return organisation


def _current_year():
    from wpl.academic_years import current_academic_year

    return current_academic_year()


# --- moved from tests/test_preferences.py ---------------------------------------------------


AY = "2026-2027"


def approved_offer(institution, programme, *, name=None, region="brussels", languages="nl", **kwargs):
    organisation = OrganisationFactory(
        institution=institution, **({"name": name} if name else {}), languages=languages
    )
    site = SiteFactory(institution=institution, organisation=organisation, region=region)
    WorkplaceApprovalFactory(
        institution=institution, organisation=organisation, programme=programme, academic_year=AY
    )
    kwargs.setdefault("year", 1)
    kwargs.setdefault("academic_year", AY)
    return PlacementOfferFactory(
        institution=institution, organisation=organisation, site=site, programme=programme, **kwargs
    )


def post_ranking(client, matching_round, slots, **extra):
    data = {}
    for n, (offer, motivation) in enumerate(slots, start=1):
        data[f"offer_{n}"] = str(offer.pk) if offer else ""
        data[f"motivation_{n}"] = motivation
    data.update(extra)
    return client.post(reverse("preferences-ranking", args=[matching_round.pk]), data)


def saved_ranking(world):
    return list(
        StudentPreference.all_tenants.filter(round=world["round"], student=world["student"])
        .order_by("rank")
        .values_list("rank", "offer_id", "motivation")
    )


# --- moved from tests/test_matching_algorithm.py ---------------------------------------------------


SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def problems(draw, max_students: int = 6, max_offers: int = 4) -> MatchingProblem:
    """Small random problems with partial lists, ratings, forbidden pairs and locks."""
    students = list(range(1, draw(st.integers(1, max_students)) + 1))
    offers = list(range(101, 101 + draw(st.integers(1, max_offers))))
    capacities = {o: draw(st.integers(0, 2)) for o in offers}
    prefs = {}
    for student in students:
        ordered = draw(st.permutations(offers))
        prefs[student] = list(ordered[: draw(st.integers(0, len(offers)))])
    ratings = {o: draw(st.dictionaries(st.sampled_from(students), st.integers(1, 3))) for o in offers}
    pairs = st.tuples(st.sampled_from(students), st.sampled_from(offers))
    forbidden = draw(st.frozensets(pairs, max_size=4))
    locks = draw(st.dictionaries(st.sampled_from(students), st.sampled_from(offers), max_size=2))
    locks = {s: o for s, o in locks.items() if (s, o) not in forbidden}
    return MatchingProblem(prefs, capacities, ratings, forbidden, locks)


def remaining_places(problem: MatchingProblem) -> dict[int, int]:
    left = dict(problem.capacities)
    for offer in problem.locks.values():
        left[offer] = left.get(offer, 0) - 1
    return left


def free_students(problem: MatchingProblem) -> list[int]:
    return [s for s in problem.student_prefs if s not in problem.locks]


def placed_count(problem: MatchingProblem, result: MatchingResult) -> int:
    return sum(result.assignment[s] is not None for s in free_students(problem))


# --- moved from tests/test_auth.py ---------------------------------------------------


def current_totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def code_from_mail(message) -> str:
    codes = re.findall(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", message.body, re.MULTILINE)
    assert codes, message.body
    return codes[0]


# --- moved from tests/test_isolation_sweep.py ---------------------------------------------------


def url_for(route, obj=None) -> str:
    if route.kwargs is not None:
        return reverse(route.name, kwargs=route.kwargs(obj))
    if obj is not None:
        return reverse(route.name, kwargs={"pk": obj.pk})
    return reverse(route.name)


# --- browsers (moved from tests/test_browser_matching.py and tests/test_browser_logbook.py) ----
# The fixtures `browser` (desktop) and `phone` (375 px) are registered in tests/conftest.py.

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PASSWORD = "pw-123456"  # noqa: S105 - the factories' test password
WAIT = 20


def chrome(window_size: str = "1400,1000"):
    """A headless Chromium with a fresh profile (a generator: yields the driver, then quits)."""
    import os
    import shutil
    import tempfile

    import pytest

    if not os.path.exists(CHROMIUM) or not os.path.exists(CHROMEDRIVER):
        pytest.fail(
            f"Chromium or chromedriver is missing ({CHROMIUM}, {CHROMEDRIVER}); "
            "install them with scripts/system-deps.sh."
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="wpl-chrome-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={window_size}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def sign_in(driver, base: str, email: str) -> None:
    """Sign in through the real form with the factories' password."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + reverse("account_login"))
    driver.find_element(By.NAME, "login").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action*='login'] button[type=submit]").click()
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".role-badge, .switcher"))
    )


def sign_out(driver) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "form[action*='logout'] button").click()


# --- Celery workers (moved from tests/test_celery_worker.py) -----------------------------------
# The fixture `eager_off` is registered in tests/conftest.py.

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database this test process is connected to."""
    import pytest

    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(settings_dict["NAME"])
        assert name != ":memory:" and "mode=memory" not in name, "the worker needs a file database"
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{quote(settings_dict['NAME'], safe='')}"
    pytest.fail(f"No DATABASE_URL for engine {engine}")


def celery_eager_off():
    """Send the test's tasks to the broker instead of running them in-process (a generator)."""
    from wpl.celery import app as celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


# --- accessibility checks (moved from tests/test_browser_a11y.py) --------------------------------
_ROOT = Path(__file__).resolve().parent.parent
AXE = _ROOT / "tests" / "assets" / "axe.min.js"
VNU = _ROOT / ".tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# htmx's hx-* attributes are not in the HTML standard (htmx also reads data-hx-*); the
# checker reports each as an error, so those messages alone are filtered out.
VNU_FILTER = r".*Attribute “hx-[a-z-]+” not allowed on element.*"
PHONE_WIDTH = 375
SERIOUS = {"serious", "critical"}
# WCAG 2.2 A and AA plus axe's best practices (the experimental rules are left out).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def audit_chrome(width: int, height: int):
    """Headless Chromium with axe-core injected in every page; returns (driver, profile dir)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="wpl-a11y-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    if width == PHONE_WIDTH:  # the window size alone cannot go this narrow in every build
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
        )
    # axe-core is handed to the browser once and runs in every page it loads.
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AXE.read_text()})
    return driver, profile


def run_vnu(files: list[Path]) -> list[str]:
    """Errors of the Nu Html Checker over `files` (one JVM for all of them)."""
    result = subprocess.run(
        [
            "java",
            "-Xss2m",
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--exit-zero-always",
            "--filterpattern",
            VNU_FILTER,
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


# --- agreements (moved from tests/test_agreements.py) ------------------------------------------
def member(user, institution, role) -> Membership:
    """The membership of `user` in `role` at `institution`."""
    return Membership.all_tenants.get(user=user, institution=institution, role=role)


def parties(placement):
    """The three signing parties of a placement's agreement, as memberships."""
    inst = placement.institution
    return {
        "student": member(placement.student.user, inst, Role.STUDENT),
        "workplace": member(placement.mentor.user, inst, Role.MENTOR),
        "school": placement.supervisor,
    }


def draft(world, *, kind=None, **fields):
    """A draft agreement (or plan) of the world's placement with the usual fields filled in."""
    from agreements import services
    from agreements.models import Kind

    kind = kind or Kind.AGREEMENT
    agreement = services.get_or_create_agreement(
        actor=world["coordinator"], placement=world["placement"], kind=kind
    )
    values = {
        "hours_per_week": "16",
        "total_hours": "480",
        "insurer": "Ethias",
        "policy_number": "45.123.456",
    }
    values.update(fields)
    services.update_draft(actor=world["coordinator"], version=agreement.current, fields=values)
    return agreement


def sign_all(agreement, world, *, only=None):
    """Every party (or those in `only`) accepts the current version in the platform."""
    from agreements import services

    version = agreement.current
    for party, membership in parties(world["placement"]).items():
        if only and party not in only:
            continue
        services.accept(
            actor=membership,
            version=version,
            document_sha256=version.pdf_sha256,
            consented=True,
            auth_method="password",
        )
    version.refresh_from_db()
    return version


# --- reminders (moved from tests/test_reminders.py) ---------------------------------------------
@in_tenant
def add_due_placements(institution, *, programme, count: int) -> None:
    """`count` placements with one of everything due (as in bench/reminders_bench.py):
    even ones never logged, odd ones with an entry waiting for review for 20 days; each
    with a trialogue tomorrow (three participants), a meeting held 10 days ago without
    minutes, and an agreement sent 20 days ago that the mentor and school did not sign."""
    from datetime import timedelta

    from django.utils import timezone

    from agreements.models import Agreement, AgreementVersion, Signature
    from meetings.models import Meeting, Participant
    from tests.factories import LogbookEntryFactory, MembershipFactory, UserFactory, make_logbook_placement

    now = timezone.now()
    for i in range(count):
        supervisor = MembershipFactory(institution=institution, role=Role.SUPERVISOR)
        p = make_logbook_placement(
            institution,
            student_user=UserFactory(),
            mentor_user=UserFactory(),
            supervisor=supervisor,
            programme=programme,
        )
        if i % 2:
            LogbookEntryFactory(
                institution=institution,
                placement=p,
                date=timezone.localdate() - timedelta(days=1),
                submitted_at=now - timedelta(days=20),
            )
        people = [("student", p.student.user), ("workplace", p.mentor.user), ("school", supervisor.user)]
        tomorrow = now + timedelta(hours=20)
        meeting = Meeting.objects.create(
            placement=p,
            kind="trialogue",
            title="Trialoog",
            starts_at=tomorrow,
            ends_at=tomorrow + timedelta(hours=1),
        )
        Participant.objects.bulk_create(
            Participant(meeting=meeting, user=user, name=user.first_name, role=party)
            for party, user in people
        )
        held = now - timedelta(days=10)
        Meeting.objects.create(
            placement=p, kind="supervision", title="Supervisie", starts_at=held - timedelta(hours=1),
            ends_at=held, organiser=supervisor.user,
        )  # fmt: skip
        version = AgreementVersion.objects.create(
            agreement=Agreement.objects.create(placement=p), state="sent", sent_at=now - timedelta(days=20)
        )
        Signature.objects.bulk_create(
            Signature(version=version, party=party, order=order, signer=user, signer_name=user.first_name,
                      status="accepted" if party == "student" else "pending")
            for order, (party, user) in enumerate(people)
        )  # fmt: skip
