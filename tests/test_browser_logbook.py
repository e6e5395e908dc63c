"""End to end on a phone viewport: a student logs a day offline, comes back online, the entry
is sent exactly once, and the mentor approves the week.

Offline is simulated with the Chrome DevTools protocol (Network.emulateNetworkConditions),
which also fires the page's `offline` / `online` events.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from logbooks.models import Entry
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory, make_logbook_placement
from tests.fixtures import WAIT, sign_in, sign_out
from wpl.models import Role

pytestmark = [pytest.mark.browser]


def set_offline(driver, offline: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_student_logs_offline_then_mentor_approves_the_week(live_server, transactional_db, phone):
    from datetime import timedelta

    from django.utils import timezone
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    institution = InstitutionFactory(slug="browser-logbook")
    student = MembershipFactory(
        institution=institution, role=Role.STUDENT, user=UserFactory(email="stud@logbook.test")
    )
    mentor = MembershipFactory(
        institution=institution, role=Role.MENTOR, user=UserFactory(email="mentor@logbook.test")
    )
    placement = make_logbook_placement(institution, student_user=student.user, mentor_user=mentor.user)
    day = timezone.localdate() - timedelta(days=1)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    base = live_server.url
    driver = phone
    sign_in(driver, base, "stud@logbook.test")
    driver.get(base + reverse("logbook"))
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return !!window.WPL_LOGBOOK_API"))

    set_offline(driver, True)
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return navigator.onLine === false"))
    form = driver.find_element(By.ID, "entry-form")
    date_input = form.find_element(By.NAME, "date")
    driver.execute_script("arguments[0].value = arguments[1]", date_input, day.isoformat())
    form.find_element(By.NAME, "hours").send_keys("7.5")
    form.find_element(By.NAME, "activities").send_keys("Offline getypt op de werkvloer")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return window.WPL_LOGBOOK_API.pending().then(r => r.length)") == 1
    )
    assert not Entry.all_tenants.filter(placement=placement).exists()

    set_offline(driver, False)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return window.WPL_LOGBOOK_API.pending().then(r => r.length)") == 0
    )
    # A second flush (e.g. a reload) sends nothing twice.
    driver.execute_script("return window.WPL_LOGBOOK_API.flush()")
    entries = Entry.all_tenants.filter(placement=placement)
    assert entries.count() == 1
    assert entries.get().activities == "Offline getypt op de werkvloer"

    sign_out(driver)
    sign_in(driver, base, "mentor@logbook.test")
    driver.get(base + reverse("logbook-review"))
    driver.find_element(By.CSS_SELECTOR, "button[name=week]").click()
    WebDriverWait(driver, WAIT).until(lambda d: "logbook/review" in d.current_url)
    WebDriverWait(driver, WAIT).until(
        lambda d: Entry.all_tenants.get(placement=placement).status == "approved"
    )
