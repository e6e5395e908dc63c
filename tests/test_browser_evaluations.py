"""End to end in headless Chromium on a phone viewport: the mentor fills the rubric (autosaved
per criterion), the student self-evaluates, the meeting records the agreed version, the
supervisor scores and publishes, the student reflects and downloads the competence overview.
Every page visited is checked with axe-core and the Nu Html Checker."""

from __future__ import annotations

import json
import shutil

import pytest
from django.urls import reverse

from evaluations.models import CriterionScore, Evaluation
from tests.factories import (
    LogbookEntryFactory,
    MembershipFactory,
    UserFactory,
    evaluation_for,
    meetings_placement,
)
from tests.fixtures import AXE_TAGS, PHONE_WIDTH, SERIOUS, WAIT, run_vnu, sign_in
from tests.fixtures import audit_chrome as chrome
from wpl.models import Role

pytestmark = [pytest.mark.browser]


def _check_page(driver, name: str, problems: list[str], pages: list) -> None:
    violations = driver.execute_async_script(
        f"const AXE_TAGS = {json.dumps(AXE_TAGS)};"
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: AXE_TAGS}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"
    )
    problems += [f"{name}: {v['id']} {v['help']} {v['nodes']}" for v in violations if v["impact"] in SERIOUS]
    widths = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];"
    )
    if widths[0] > widths[1]:
        problems.append(f"{name}: scrolls sideways on a phone ({widths[0]} > {widths[1]})")
    # The page as the server sent it (the DOM has htmx's changes and no doctype).
    html = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(location.href).then(r => r.text()).then(done).catch(e => done(String(e)));"
    )
    pages.append((name, html))


def test_mentor_student_meeting_score_reflection_on_a_phone(
    live_server, transactional_db, tmp_path, settings
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.factories import InstitutionFactory

    settings.CELERY_TASK_ALWAYS_EAGER = True
    institution = InstitutionFactory(slug="browsereval", name="Hogeschool Evaluatie")
    supervisor = MembershipFactory(
        institution=institution, role=Role.SUPERVISOR, user=UserFactory(email="sup@ev.test")
    )
    student = MembershipFactory(
        institution=institution, role=Role.STUDENT, user=UserFactory(email="stu@ev.test")
    )
    mentor = MembershipFactory(
        institution=institution, role=Role.MENTOR, user=UserFactory(email="men@ev.test")
    )
    placement = meetings_placement(
        institution,
        student_user=student.user,
        mentor_user=mentor.user,
        supervisor=supervisor,
        marker="Browser",
    )
    entry = LogbookEntryFactory(
        institution=institution, placement=placement, date="2026-10-07", activities="Loonfiches nagekeken"
    )
    evaluation = evaluation_for(placement)
    base = live_server.url
    problems: list[str] = []
    pages: list[tuple[str, str]] = []
    driver, profile = chrome(PHONE_WIDTH, 812)
    wait = WebDriverWait(driver, WAIT)
    try:

        def fill(comment: str, level_index: int, *, with_evidence: bool = False) -> None:
            driver.get(base + reverse("evaluation-fill", args=[evaluation.pk]))
            cards = driver.find_elements(By.CSS_SELECTOR, "form.criterion-card")
            assert len(cards) == 3
            for card in cards:
                radios = card.find_elements(By.CSS_SELECTOR, "input[type=radio]")
                driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", radios[level_index])
                radios[level_index].click()
                wait.until(lambda d, c=card: c.find_element(By.CSS_SELECTOR, ".save-status .muted").text)
                box = card.find_element(By.TAG_NAME, "textarea")
                box.send_keys(comment)
                wait.until(
                    lambda d, c=card: CriterionScore.all_tenants.filter(
                        evaluation=evaluation,
                        comment=comment,
                        criterion_id=int(c.get_attribute("id").split("-")[1]),
                    ).exists()
                )
            if with_evidence:
                card = cards[0]
                card.find_element(By.TAG_NAME, "summary").click()
                card.find_element(By.CSS_SELECTOR, f"input[value='logbook:{entry.pk}']").click()
                wait.until(
                    lambda d: any(
                        s.evidence == [f"logbook:{entry.pk}"]
                        for s in CriterionScore.all_tenants.filter(evaluation=evaluation)
                    )
                )
            _check_page(driver, f"fill-{comment}", problems, pages)
            submit = driver.find_element(By.ID, "submit-assessment")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", submit)
            submit.click()
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "dl.facts")))

        # 1. The mentor fills the rubric on a phone (autosaved per criterion), links evidence, submits.
        sign_in(driver, base, mentor.user.email)
        driver.get(base + "/")
        to_do = "main a[href$='/evaluations/?todo=fill_mentor']"
        assert driver.find_elements(By.CSS_SELECTOR, to_do)  # the start page's to-do item
        fill("Sterk", 3, with_evidence=True)
        evaluation.refresh_from_db()
        assert evaluation.mentor_submitted_at is not None
        driver.delete_all_cookies()

        # 2. The student fills the self-evaluation; the mentor's rubric is not shown yet.
        sign_in(driver, base, student.user.email)
        fill("Twijfel", 1)
        evaluation.refresh_from_db()
        assert evaluation.student_submitted_at is not None
        assert "Sterk" not in driver.find_element(By.TAG_NAME, "main").text
        driver.delete_all_cookies()

        # 3. The supervisor records the meeting: both side by side, the mentor's level preselected.
        sign_in(driver, base, supervisor.user.email)
        driver.get(base + reverse("evaluation-meeting", args=[evaluation.pk]))
        main = driver.find_element(By.TAG_NAME, "main").text
        assert "Sterk" in main and "Twijfel" in main
        _check_page(driver, "meeting", problems, pages)
        first_card = driver.find_elements(By.CSS_SELECTOR, "section.criterion-card")[0]
        radio = first_card.find_elements(By.CSS_SELECTOR, "input[type=radio]")[2]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", radio)
        radio.click()
        button = driver.find_element(By.ID, "record-meeting")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
        button.click()
        wait.until(ec.presence_of_element_located((By.ID, "meeting-heading")))
        evaluation.refresh_from_db()
        assert evaluation.status == "met"
        levels = sorted(
            CriterionScore.all_tenants.filter(evaluation=evaluation, party="agreed").values_list(
                "level__order", flat=True
            )
        )
        assert levels == [2, 3, 3]  # agreed separately: 2 changed, 2 as the mentor had it
        _check_page(driver, "detail-supervisor", problems, pages)

        # 4. Score and publish.
        driver.get(base + reverse("evaluation-score", args=[evaluation.pk]))
        field = driver.find_element(By.NAME, "component_guidance")
        field.clear()
        field.send_keys("100")
        driver.find_element(By.ID, "compute-score").click()
        wait.until(ec.presence_of_element_located((By.ID, "computed-score")))
        _check_page(driver, "score", problems, pages)
        driver.find_element(By.ID, "publish-score").click()
        wait.until(ec.presence_of_element_located((By.ID, "final-score")))
        evaluation.refresh_from_db()
        assert evaluation.status == "published" and evaluation.final_score is not None
        driver.delete_all_cookies()

        # 5. The student reflects and downloads the competence overview.
        sign_in(driver, base, student.user.email)
        driver.get(base + reverse("evaluation-reflection", args=[evaluation.pk]))
        _check_page(driver, "reflection", problems, pages)
        driver.find_element(By.NAME, "reflection").send_keys(
            "Ik leerde loonfiches controleren; volgende keer plan ik mijn week beter."
        )
        driver.find_element(By.ID, "save-reflection").click()
        wait.until(ec.presence_of_element_located((By.ID, "reflection-heading")))
        assert Evaluation.all_tenants.get(pk=evaluation.pk).status == "closed"
        driver.get(base + reverse("evaluation-overview", args=[placement.student_id]))
        assert "Criterion 1" in driver.find_element(By.TAG_NAME, "main").text  # English browser
        _check_page(driver, "overview", problems, pages)
        href = driver.find_element(By.ID, "download-overview").get_attribute("href")
        kind = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(r => r.arrayBuffer().then(b => done([r.headers.get('content-type'),"
            " String.fromCharCode(...new Uint8Array(b.slice(0, 4)))])));",
            href,
        )
        assert kind == ["application/pdf", "%PDF"]
        driver.get(base + reverse("evaluation-list"))
        _check_page(driver, "list-student", problems, pages)
        driver.delete_all_cookies()

        # 6. The coordinator's pages (desktop width): rubrics, rules, opening a moment.
        coordinator = MembershipFactory(
            institution=institution, role=Role.COORDINATOR, user=UserFactory(email="coo@ev.test")
        )
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(1366, 900)
        sign_in(driver, base, coordinator.user.email)
        rubric = evaluation.version.rubric
        for name, url in (
            ("list", reverse("evaluation-list")),
            ("open", reverse("evaluation-open")),
            ("placement", reverse("evaluation-placement", args=[placement.pk])),
            ("rubrics", reverse("rubric-list")),
            ("rubric-create", reverse("rubric-create")),
            ("rubric", reverse("rubric-detail", args=[rubric.pk])),
            ("rubric-preview", reverse("rubric-preview", args=[rubric.pk])),
            ("settings", reverse("evaluation-settings", args=[placement.programme_id])),
            ("detail-coordinator", reverse("evaluation-detail", args=[evaluation.pk])),
        ):
            driver.get(base + url)
            _check_page(driver, name, problems, pages)
        driver.get(base + reverse("rubric-detail", args=[rubric.pk]))
        driver.find_element(By.CSS_SELECTOR, "form input[value=edit] + button").click()
        wait.until(ec.presence_of_element_located((By.NAME, "document")))
        _check_page(driver, "rubric-edit", problems, pages)
        driver.get(base + reverse("rubric-criterion", args=[rubric.pk, 1]))
        _check_page(driver, "rubric-criterion", problems, pages)
        driver.get(base + reverse("rubric-detail", args=[rubric.pk]))
        _check_page(driver, "rubric-with-draft", problems, pages)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    files = []
    for name, html in pages:
        path = tmp_path / f"{name}.html"
        path.write_text(html)
        files.append(path)
    problems += run_vnu(files)
    assert not problems, "\n".join(problems)
