"""Programme settings pages: meetings per school year (MeetingType) and reminder rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import selectors
from meetings.models import MeetingType
from placements.reminders import ReminderRule, rules_for
from tests.conftest import login, shown
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_meeting_types_saved_and_used_for_required_counts(personas):
    programme = ProgrammeFactory(institution=personas.a)
    client = login(personas("a", "coordinator"))
    url = reverse("meetings-types", args=[programme.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="trialogue_required" value="4"' in page.content.decode()
    data = {
        "start_required": 1, "start_duration": 90, "trialogue_required": 5, "trialogue_duration": 60,
        "supervision_required": 4, "supervision_duration": 45, "visit_required": 2, "visit_duration": 120,
        "evaluation_required": 1, "evaluation_duration": 60,
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    rows = {t.kind: t for t in MeetingType.all_tenants.filter(programme=programme)}
    assert rows["trialogue"].required_per_year == 5 and rows["visit"].duration_minutes == 120
    from wpl.tenancy import tenant_context

    with tenant_context(personas.a):
        assert selectors.required_counts(programme.pk)["trialogue"] == 5


def test_meeting_types_bad_input_translated_and_kept(personas):
    programme = ProgrammeFactory(institution=personas.a)
    client = login(personas("a", "institution_admin"))
    url = reverse("meetings-types", args=[programme.pk])
    bad = {f"{k}_required": 0 for k in ("start", "trialogue", "supervision", "visit", "evaluation")}
    bad.update({f"{k}_duration": 60 for k in ("start", "trialogue", "supervision", "visit", "evaluation")})
    bad["visit_duration"] = "5"
    response = client.post(url, bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert shown("Give a duration from 15 to 600 minutes.") in body
    assert shown("A programme needs at least one meeting per school year.") in body
    assert 'name="visit_duration" value="5"' in body
    assert not MeetingType.all_tenants.filter(programme=programme).exists()


def test_reminder_rules_page_saves_escalation_and_resets(personas):
    programme = ProgrammeFactory(institution=personas.a)
    client = login(personas("a", "coordinator"))
    url = reverse("reminder-rules", args=[programme.pk])
    page = client.get(url).content.decode()
    assert shown("No logbook entry for N WPL days") in page
    response = client.post(
        url,
        {"kind": "logbook.gap", "op": "save", "logbook.gap-days": 4, "logbook.gap-step_days": 1,
         "logbook.gap-step_0": "student", "logbook.gap-step_1": "supervisor"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = ReminderRule.all_tenants.get(programme=programme, kind="logbook.gap")
    assert rule.days == 4 and rule.steps == ["student", "supervisor"]
    from wpl.tenancy import tenant_context

    with tenant_context(personas.a):
        assert rules_for([programme.pk], "logbook.gap")[programme.pk].steps == ("student", "supervisor")
    client.post(url, {"kind": "logbook.gap", "op": "reset"})
    assert not ReminderRule.all_tenants.filter(programme=programme).exists()


def test_reminder_rules_refuse_bad_steps_with_translated_errors(personas):
    programme = ProgrammeFactory(institution=personas.a)
    client = login(personas("a", "coordinator"))
    url = reverse("reminder-rules", args=[programme.pk])
    twice = {"kind": "logbook.review", "op": "save", "logbook.review-days": 5, "logbook.review-step_days": 2,
             "logbook.review-step_0": "mentor", "logbook.review-step_1": "mentor"}  # fmt: skip
    response = client.post(url, twice)
    assert response.status_code == 400
    assert shown("Each person can be told at one step only.") in response.content.decode()
    unknown = {**twice, "logbook.review-step_1": "student", "logbook.review-days": "0"}
    body = client.post(url, unknown).content.decode()
    assert shown("Give a number of days between 1 and 365.") in body
    gap = {**twice, "logbook.review-step_0": "", "logbook.review-step_1": "supervisor"}
    assert shown("Choose who is told first.") in client.post(url, gap).content.decode()
    assert not ReminderRule.all_tenants.filter(programme=programme).exists()


def test_settings_pages_staff_only_and_other_institution_404(personas):
    programme = ProgrammeFactory(institution=personas.a)
    b_programme = ProgrammeFactory(institution=personas.b)
    for name in ("meetings-types", "reminder-rules"):
        assert login(personas("a", "supervisor")).get(reverse(name, args=[programme.pk])).status_code == 403
        assert (
            login(personas("a", "coordinator")).get(reverse(name, args=[b_programme.pk])).status_code == 404
        )
