"""End to end in headless Chromium: a coordinator matches and publishes, the student sees it.

Needs /usr/bin/chromium and /usr/bin/chromedriver (CI installs them with
scripts/system-deps.sh). Runs against pytest-django's live server.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Assignment
from placements.models import Placement
from tests.factories import MembershipFactory, UserFactory
from tests.fixtures import WAIT, make_world, sign_in, sign_out
from wpl.models import Role
from wpl.tenancy import tenant_context

pytestmark = [pytest.mark.browser]


def test_coordinator_matches_and_publishes_student_sees_placement(live_server, transactional_db, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from tests.factories import InstitutionFactory

    institution = InstitutionFactory(slug="browser", name="Hogeschool Browser")
    coordinator = MembershipFactory(
        institution=institution, role=Role.COORDINATOR, user=UserFactory(email="coord@browser.test")
    )
    student_membership = MembershipFactory(
        institution=institution, role=Role.STUDENT, user=UserFactory(email="stud@browser.test")
    )
    world = make_world(institution, students=3, offers=3, places=2, prefs=3)
    me = world.students[0]
    with tenant_context(institution):
        me.user = student_membership.user
        me.save()
    base = live_server.url
    from selenium.common.exceptions import StaleElementReferenceException

    # HTMX swaps rows in place: a row found just before the swap goes stale; look again.
    wait = WebDriverWait(browser, WAIT, ignored_exceptions=(StaleElementReferenceException,))

    # 1. The coordinator signs in through the real form and opens the board.
    sign_in(browser, base, coordinator.user.email)
    browser.get(base + reverse("matching-board", kwargs={"pk": world.round.pk}))
    assert browser.find_element(By.ID, f"student-{me.pk}")

    # 2. Propose (deferred acceptance) and apply.
    browser.find_element(By.ID, "propose-link").click()
    wait.until(ec.element_to_be_clickable((By.ID, "run-proposal"))).click()
    wait.until(ec.element_to_be_clickable((By.ID, "apply-proposal"))).click()
    wait.until(ec.presence_of_element_located((By.ID, "board")))
    assert Assignment.all_tenants.filter(round=world.round).count() == 3

    # 3. Reassign one student by hand with HTMX: the row changes, the page does not reload.
    current = Assignment.all_tenants.get(round=world.round, student=me).offer
    target = next(o for o in world.offers if o.pk != current.pk)
    browser.execute_script("window.__noReload = 'still here';")
    row = browser.find_element(By.ID, f"student-{me.pk}")
    Select(row.find_element(By.NAME, "offer")).select_by_value(str(target.pk))
    row.find_element(By.CSS_SELECTOR, "form.assign-form button[type=submit]").click()
    wait.until(
        lambda d: (
            target.organisation.name
            in d.find_element(By.CSS_SELECTOR, f"#student-{me.pk} .assigned-offer").text
        )
    )
    assert browser.execute_script("return window.__noReload;") == "still here"
    assert Assignment.all_tenants.get(round=world.round, student=me).offer_id == target.pk

    # 4. Publish.
    browser.get(base + reverse("matching-publish", kwargs={"pk": world.round.pk}))
    wait.until(ec.element_to_be_clickable((By.ID, "publish-round"))).click()
    wait.until(ec.presence_of_element_located((By.ID, "supervisor-load")))
    assert Placement.all_tenants.filter(student=me, organisation=target.organisation).exists()
    sign_out(browser)

    # 5. The student signs in and sees the placement.
    sign_in(browser, base, student_membership.user.email)
    browser.get(base + reverse("my-placement"))
    body = browser.find_element(By.TAG_NAME, "main").text
    assert target.organisation.name in body
