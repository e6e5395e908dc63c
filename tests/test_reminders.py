"""Reminder sweeps with escalation and catch-up: logbook gaps, reviews waiting, unsigned
agreements; the kinds a programme can tune; one run per institution with its id."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logbooks import reminders
from placements.reminders import ReminderRule
from placements.wpl_days import WplDayCalendar, nth_day_after
from tests.factories import (
    AbsenceFactory,
    LogbookEntryFactory,
    ProgrammeFactory,
    make_logbook_placement,
)
from tests.fixtures import add_due_placements
from wpl import registry
from wpl.models import Notification
from wpl.tasks import run_reminder_sweeps
from wpl.tenancy import tenant_context

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def _noon(day):
    return datetime.combine(day, time(12), tzinfo=BRUSSELS)


@pytest.fixture
def placement(personas):
    return make_logbook_placement(
        personas.a,
        student_user=personas("a", "student").user,
        mentor_user=personas("a", "mentor").user,
        supervisor=personas("a", "supervisor"),
    )


def _recipients(kind: str) -> list[str]:
    rows = Notification.all_tenants.filter(kind=kind).order_by("created_at", "id")
    return [r.recipient.email.split("@")[0] for r in rows]


def test_reminder_kinds_are_registered_with_their_roles():
    kinds = {k.kind: k for k in registry.reminder_kinds()}
    assert {"logbook.gap", "logbook.review", "agreements.unsigned", "meetings.minutes"} <= set(kinds)
    assert kinds["logbook.gap"].steps == ("student", "mentor", "supervisor")
    assert kinds["logbook.gap"].unit == "wpl_days"
    assert kinds["logbook.review"].steps == ("mentor", "supervisor")


def test_logbook_gap_escalates_student_mentor_supervisor_in_wpl_days(personas, placement):
    with tenant_context(personas.a):
        days = WplDayCalendar([placement]).days(placement)
        nth = lambda n: nth_day_after(days, None, n)  # noqa: E731  never logged: from the start
        # Default: 3 WPL days, then every 2 WPL days the next step. The third day is not
        # missed before it is over.
        assert reminders.remind_not_logged(_noon(nth(3))) == 0
        assert reminders.remind_not_logged(_noon(nth(3) + timedelta(days=1))) == 1
        assert _recipients("not_logged") == ["student"]
        assert reminders.remind_not_logged(_noon(nth(5) + timedelta(days=1))) == 1
        assert reminders.remind_not_logged(_noon(nth(7) + timedelta(days=1))) == 1
        assert _recipients("not_logged_staff") == ["mentor", "supervisor"]
        assert reminders.remind_not_logged(timezone.now()) == 0  # every step once
        # A new entry starts the count over (and the student is reminded again later).
        last = nth(8)
        LogbookEntryFactory(institution=personas.a, placement=placement, date=last)
        after = lambda n: nth_day_after(days, last, n)  # noqa: E731
        assert reminders.remind_not_logged(_noon(after(2) + timedelta(days=1))) == 0
        assert reminders.remind_not_logged(_noon(after(3) + timedelta(days=1))) == 1


def test_logbook_gap_catches_up_and_counts_without_absences(personas, placement):
    with tenant_context(personas.a):
        days = WplDayCalendar([placement]).days(placement)
        # A week's full-day absence right at the start is not a gap.
        AbsenceFactory(institution=personas.a, placement=placement, start_date=days[0], end_date=days[4])
        assert reminders.remind_not_logged(_noon(days[4] + timedelta(days=1))) == 0
        assert reminders.remind_not_logged(_noon(days[7] + timedelta(days=1))) == 1
        # The sweep was down for weeks: the mentor's and supervisor's steps come together.
        assert reminders.remind_not_logged(timezone.now()) == 2
        assert reminders.remind_not_logged(timezone.now()) == 0


def test_programme_rule_sets_n_and_the_steps(personas, placement):
    with tenant_context(personas.a):
        ReminderRule.objects.create(
            programme=placement.programme, kind="logbook.gap", days=10, escalation="student", step_days=1
        )
        days = WplDayCalendar([placement]).days(placement)
        assert reminders.remind_not_logged(_noon(days[8] + timedelta(days=1))) == 0
        assert reminders.remind_not_logged(timezone.now()) == 1  # the student only
    assert _recipients("not_logged") == ["student"] and _recipients("not_logged_staff") == []


def test_review_waiting_mentor_then_supervisor(personas, placement):
    now = timezone.now()
    LogbookEntryFactory(
        institution=personas.a,
        placement=placement,
        date=placement.start_date + timedelta(days=1),
        status="submitted",
        submitted_at=now - timedelta(days=8),
    )
    with tenant_context(personas.a):
        assert reminders.remind_review_waiting(now - timedelta(days=2)) == 0
        assert reminders.remind_review_waiting(now) == 1
        assert _recipients("review_waiting") == ["mentor"]
        assert reminders.remind_review_waiting(now + timedelta(hours=1)) == 0
        assert reminders.remind_review_waiting(now + timedelta(days=3)) == 1
        assert _recipients("review_waiting") == ["mentor", "supervisor"]


def _sent_version(personas, *, days_ago: int, sequential: bool = False):
    from agreements.models import Agreement, AgreementVersion, Signature, SigningPolicy
    from tests.factories import placement_for_agreement

    placement = placement_for_agreement(personas.a)
    with tenant_context(personas.a):
        if sequential:
            SigningPolicy.objects.create(
                programme=placement.programme, parties=["student", "workplace", "school"], sequential=True
            )
        agreement = Agreement.objects.create(placement=placement)
        version = AgreementVersion.objects.create(
            agreement=agreement, state="sent", sent_at=timezone.now() - timedelta(days=days_ago)
        )
        people = [
            ("student", placement.student.user),
            ("workplace", placement.mentor.user),
            ("school", placement.supervisor.user),
        ]
        for order, (party, user) in enumerate(people):
            Signature.objects.create(
                version=version,
                party=party,
                order=order,
                signer=user,
                signer_name=user.get_full_name(),
                status="accepted" if party == "student" else "pending",
            )
    return placement, version


def test_unsigned_agreement_reminds_signers_then_supervisor_then_coordinators(personas):
    from agreements.reminders import remind_unsigned

    placement, version = _sent_version(personas, days_ago=8)
    now = timezone.now()
    with tenant_context(personas.a):
        # Mentor and supervisor have not accepted yet: both are reminded (the student signed).
        assert remind_unsigned(now) == 2
        assert remind_unsigned(now) == 0
        # Five days later the supervisor (as the school's follow-up) is told, then coordinators.
        assert remind_unsigned(now + timedelta(days=5)) == 1
        assert remind_unsigned(now + timedelta(days=10)) == 1
    rows = list(Notification.all_tenants.filter(kind="unsigned").order_by("id"))
    assert rows[-1].recipient == personas("a", "coordinator").user
    assert all(f":{version.pk}:" in r.key for r in rows)


def test_unsigned_in_order_reminds_only_the_party_whose_turn_it_is(personas):
    from agreements.reminders import remind_unsigned

    placement, _ = _sent_version(personas, days_ago=8, sequential=True)
    with tenant_context(personas.a):
        assert remind_unsigned(timezone.now()) == 1
    assert Notification.all_tenants.get(kind="unsigned").recipient == placement.mentor.user


def test_one_run_per_institution_with_its_id(personas, placement, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    other = make_logbook_placement(personas.b, student_user=personas("b", "student").user)
    result = run_reminder_sweeps.apply(kwargs={"institution_id": personas.a.pk}).get()
    assert {
        "logbooks.not_logged",
        "logbooks.review_waiting",
        "agreements.unsigned",
        "meetings.minutes",
    } <= set(result)
    assert result["logbooks.not_logged"] >= 1
    assert Notification.all_tenants.filter(institution=personas.b).count() == 0
    assert not Notification.all_tenants.filter(key__startswith=f"logbooks.not_logged:{other.pk}:").exists()
    again = run_reminder_sweeps.apply(kwargs={"institution_id": personas.a.pk}).get()
    assert sum(again.values()) == 0


# --- the sweeps cost a fixed number of queries per batch ----------------------------------
SWEEPS = (
    "logbooks.not_logged",
    "logbooks.review_waiting",
    "meetings.tomorrow",
    "meetings.minutes",
    "agreements.unsigned",
)


def _run_counted(institution, name: str) -> tuple[int, int]:
    """(reminders created, queries) of one sweep over everything due."""
    sweep = registry.reminder_sweeps()[name]
    with tenant_context(institution), CaptureQueriesContext(connection) as queries:
        created = sweep(timezone.now())
    return created, len(queries.captured_queries)


def _clear(institution) -> None:
    with tenant_context(institution):
        Notification.objects.all().delete()


@pytest.mark.parametrize("name", SWEEPS)
def test_a_sweeps_query_count_does_not_grow_with_the_placements(
    personas, name, django_assert_max_num_queries
):
    programme = ProgrammeFactory(institution=personas.a)
    add_due_placements(personas.a, programme=programme, count=2)
    few, few_queries = _run_counted(personas.a, name)
    assert few > 0
    add_due_placements(personas.a, programme=programme, count=6)
    _clear(personas.a)
    with django_assert_max_num_queries(few_queries):
        many, many_queries = _run_counted(personas.a, name)
    assert many > few * 3  # four times the placements, four times the reminders
    assert many_queries == few_queries
    # A re-run finds everything sent: nothing new, and no more queries either.
    with django_assert_max_num_queries(few_queries):
        assert _run_counted(personas.a, name)[0] == 0


def test_every_kind_due_in_one_run_is_sent_once(personas):
    programme = ProgrammeFactory(institution=personas.a)
    add_due_placements(personas.a, programme=programme, count=4)
    result = run_reminder_sweeps.apply(kwargs={"institution_id": personas.a.pk}).get()
    # Per placement: gap 3 steps (half of them), review 2 (the other half), tomorrow 3,
    # minutes 2 (organiser, supervisor), unsigned 2 signers + supervisor + 1 coordinator.
    assert {k: result[k] for k in SWEEPS} == {
        "logbooks.not_logged": 2 * 3,
        "logbooks.review_waiting": 2 * 2,
        "meetings.tomorrow": 4 * 3,
        "meetings.minutes": 4 * 2,
        "agreements.unsigned": 4 * 4,
    }
    keys = list(Notification.all_tenants.filter(institution=personas.a).values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == sum(result[k] for k in SWEEPS)
    assert sum(run_reminder_sweeps.apply(kwargs={"institution_id": personas.a.pk}).get().values()) == 0
