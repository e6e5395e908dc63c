"""Digests, address-only recipients, notify_many, WPL-day counting and reminder rules."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from placements import reminders, wpl_days
from tests.conftest import login, shown
from tests.factories import meetings_placement
from wpl import notifications, registry
from wpl.models import Notification
from wpl.tasks import send_institution_digests
from wpl.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def _notify(member, key, **kw):
    with tenant_context(member.institution_id):
        return notifications.notify(
            recipient=member.user,
            key=key,
            template="wpl/notifications/message",
            context={"subject": f"Onderwerp {key}", "body": "Tekst"},
            **kw,
        )


def test_daily_digest_sends_one_mail_per_person_and_marks_sent(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    student = personas("a", "student")
    mentor = personas("a", "mentor")
    notifications.set_digest(user=student.user, frequency="daily")
    notifications.set_digest(user=mentor.user, frequency="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(student, "d1")
        _notify(student, "d2")
        _notify(mentor, "w1")
    assert mail.outbox == []  # nobody on a digest gets an immediate mail
    assert send_institution_digests(institution_id=personas.a.pk, frequency="daily") == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [student.user.email]
    assert "Onderwerp d1" in digest.body and "Onderwerp d2" in digest.body
    assert "2" in digest.subject
    assert not Notification.all_tenants.filter(recipient=student.user, email_sent_at__isnull=True).exists()
    # Nothing waits any more: a second (or catching-up) run sends nothing.
    assert send_institution_digests(institution_id=personas.a.pk, frequency="daily") == 0
    assert send_institution_digests(institution_id=personas.a.pk, frequency="weekly") == 1
    assert [m.to for m in mail.outbox[1:]] == [[mentor.user.email]]
    # The in-app copy stays unread in the centre.
    page = login(student).get("/notifications/").content.decode()
    assert "Onderwerp d1" in page


def test_settings_page_changes_the_digest(personas):
    student = personas("a", "student")
    client = login(student)
    assert client.get(reverse("notification-settings")).status_code == 200
    response = client.post(reverse("notification-settings"), {"notification_digest": "weekly"})
    assert response.status_code == 302
    student.user.refresh_from_db()
    assert student.user.notification_digest == "weekly"
    bad = client.post(reverse("notification-settings"), {"notification_digest": "hourly"})
    assert bad.status_code == 400


def test_person_without_account_is_reached_by_address(personas, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with tenant_context(personas.a), django_capture_on_commit_callbacks(execute=True):
        first = notifications.notify(
            recipient=None, email_address="host@example.org", key="x:host@example.org",
            template="wpl/notifications/message", context={"subject": "S", "body": "B"},
        )  # fmt: skip
        again = notifications.notify(
            recipient=None, email_address="host@example.org", key="x:host@example.org",
            template="wpl/notifications/message", context={"subject": "S", "body": "B"},
        )  # fmt: skip
    assert first is not None and again is None
    assert [m.to for m in mail.outbox] == [["host@example.org"]]


def test_notify_many_skips_known_keys_and_delivers_in_batches(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    users = [personas("a", r).user for r in ("student", "mentor", "supervisor")]
    items = [{"key": f"many:{u.pk}", "recipient": u, "context": {"subject": "S", "body": "B"}} for u in users]
    with tenant_context(personas.a), django_capture_on_commit_callbacks(execute=True):
        assert len(notifications.notify_many(template="wpl/notifications/message", items=items[:1])) == 1
        assert len(notifications.notify_many(template="wpl/notifications/message", items=items)) == 2
        assert notifications.notify_many(template="wpl/notifications/message", items=items) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


def test_wpl_days_skip_weekends_holidays_and_absences(personas):
    placement = meetings_placement(personas.a, marker="W")

    def absent(placement_ids):
        return {placement.pk: {date(2026, 11, 18)}}

    with tenant_context(personas.a):
        days = wpl_days.placement_wpl_days(placement, absences=False)
        assert all(d.isoweekday() in (3, 4, 5) for d in days)
        assert date(2026, 11, 11) not in days  # Armistice Day
        # Wed 18 to Fri 27 November: 6 WPL days; Mon-Tue and the weekend do not count.
        assert wpl_days.count_between(days, date(2026, 11, 17), date(2026, 11, 27)) == 6
        registry.register_absence_provider(absent)
        try:
            assert wpl_days.wpl_days_between(placement, date(2026, 11, 17), date(2026, 11, 27)) == 5
        finally:
            registry._registry.absence_providers.remove(absent)
        assert wpl_days.nth_day_after(days, date(2026, 11, 17), 3) == date(2026, 11, 20)


def test_due_steps_escalate_and_catch_up(personas):
    placement = meetings_placement(personas.a, marker="R")
    default = reminders.Rule(days=3, steps=("student", "mentor", "supervisor"), step_days=2)
    with tenant_context(personas.a):
        from placements.reminders import ReminderRule

        rules = reminders.rules_for([placement.programme_id], "logbook.gap", default=default)
        assert rules[placement.programme_id] == default
        ReminderRule.objects.create(
            programme=placement.programme,
            kind="logbook.gap",
            days=2,
            escalation="student,mentor",
            step_days=1,
        )
        rule = reminders.rules_for([placement.programme_id], "logbook.gap", default=default)[
            placement.programme_id
        ]
        days = wpl_days.placement_wpl_days(placement)
    nth = lambda n: wpl_days.nth_day_after(days, None, n)  # noqa: E731  never logged: from the start
    assert reminders.due_steps(rule, nth_day=nth, today=nth(1)) == []
    # A sweep that only runs weeks later finds both steps due, with their own dates.
    steps = reminders.due_steps(rule, nth_day=nth, today=date(2027, 1, 31))
    assert [(s, role) for s, role, _ in steps] == [(0, "student"), (1, "mentor")]
    assert steps[0][2] == nth(2) and steps[1][2] == nth(3)
    assert shown("reminder rule")
