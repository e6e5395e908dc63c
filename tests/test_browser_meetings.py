"""End to end in headless Chromium: a supervisor plans a trialogue, the mentor accepts by
the link in the invitation (without signing in, on a phone), the student sees it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from meetings.models import Participant
from tests.factories import MembershipFactory, UserFactory, meetings_placement
from tests.fixtures import WAIT, sign_in, sign_out
from wpl.models import Notification, Role

pytestmark = [pytest.mark.browser]


def test_supervisor_plans_trialogue_mentor_accepts_by_link_student_sees_it(
    live_server,
    transactional_db,
    browser,
    settings,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from tests.factories import InstitutionFactory

    settings.CELERY_TASK_ALWAYS_EAGER = True
    institution = InstitutionFactory(slug="browsermeet", name="Hogeschool Overleg")
    supervisor = MembershipFactory(
        institution=institution, role=Role.SUPERVISOR, user=UserFactory(email="sup@meet.test")
    )
    student = MembershipFactory(
        institution=institution, role=Role.STUDENT, user=UserFactory(email="stu@meet.test")
    )
    mentor_user = UserFactory(email="men@meet.test")
    placement = meetings_placement(
        institution,
        student_user=student.user,
        mentor_user=mentor_user,
        supervisor=supervisor,
        marker="Browser",
    )
    base = live_server.url
    wait = WebDriverWait(browser, WAIT)

    # 1. The supervisor plans a trialogue through the form.
    sign_in(browser, base, supervisor.user.email)
    browser.get(base + reverse("meetings-placement", args=[placement.pk]))
    Select(browser.find_element(By.NAME, "kind")).select_by_value("trialogue")
    browser.execute_script("document.querySelector('[name=starts_at]').value = '2027-02-03T10:00';")
    browser.find_element(By.NAME, "location").send_keys("Werkplek Browser")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "tr.participant")))
    sign_out(browser)

    # 2. The mentor opens the link from the invitation on a phone and accepts.
    invitation = Notification.all_tenants.get(recipient=mentor_user, kind="invitation")
    link = re.search(r"https?://\S+/meetings/respond/\S+/", invitation.body).group(0)
    path = link.split("/meetings/", 1)[1]
    browser.delete_all_cookies()
    browser.set_window_size(375, 812)
    browser.get(f"{base}/meetings/{path}")
    browser.find_element(By.CSS_SELECTOR, "input[name=response][value=accepted]").click()
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
    assert Participant.all_tenants.get(user=mentor_user).response == "accepted"

    # 3. The student signs in on a phone and sees the trialogue with the mentor's answer.
    sign_in(browser, base, student.user.email)
    browser.get(base + reverse("meetings-list"))
    row = browser.find_element(By.CSS_SELECTOR, "tr.meeting a")
    assert "Student Browser" in row.text
    row.click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "td.response-accepted")))
    assert "Werkplek Browser" in browser.find_element(By.TAG_NAME, "main").text
