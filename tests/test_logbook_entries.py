"""The student's logbook: rules on entries, one per day, revisions, the idempotent offline write."""

from __future__ import annotations

import json
import uuid
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from logbooks import rules, selectors, services
from logbooks.models import ClientWrite, Entry, EntryRevision, LogbookSettings
from tests.conftest import login, shown
from tests.factories import make_logbook_placement


@pytest.fixture
def world(personas, in_tenant):
    a = personas.a
    placement = make_logbook_placement(
        a,
        student_user=personas("a", "student").user,
        mentor_user=personas("a", "mentor").user,
        supervisor=personas("a", "supervisor"),
    )
    return placement


def last_weekday(before=None):
    day = before or timezone.localdate() - timedelta(days=1)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


def save(personas, placement, **kw):
    kw.setdefault("date", last_weekday())
    kw.setdefault("activities", "Intake gesprekken voorbereid")
    kw.setdefault("hours", "7.5")
    return services.save_entry(actor=personas("a", "student"), placement=placement, **kw)


def test_second_entry_on_a_day_edits_the_first_and_keeps_a_revision(personas, world, in_tenant):
    with in_tenant(personas.a):
        first = save(personas, world)
        second = save(personas, world, activities="Verslag geschreven", hours="6")
        assert first.created and not second.created
        assert first.entry.pk == second.entry.pk
        entry = Entry.objects.get(pk=first.entry.pk)
        assert entry.activities == "Verslag geschreven" and entry.hours == Decimal("6.00")
        revision = EntryRevision.objects.get(entry=entry)
        assert revision.snapshot["activities"] == "Intake gesprekken voorbereid"
        assert entry.revision == 2


def test_future_and_outside_the_placement_are_refused_with_a_reason(personas, world, in_tenant):
    with in_tenant(personas.a):
        tomorrow = timezone.localdate() + timedelta(days=1)
        with pytest.raises(services.EntryRejected) as exc:
            save(personas, world, date=tomorrow)
        assert exc.value.message_dict["date"] == [shown("You cannot log a day in the future.")]
        with pytest.raises(services.EntryRejected) as exc:
            save(personas, world, date=world.start_date - timedelta(days=3))
        assert "date" in exc.value.message_dict
        assert not Entry.objects.exists()


def test_hours_from_start_end_and_break(personas, world, in_tenant):
    with in_tenant(personas.a):
        result = save(
            personas, world, hours=None, start_time=time(8, 30), end_time=time(17, 0), break_minutes=30
        )
        assert result.entry.hours == Decimal("8.00")
        with pytest.raises(services.EntryRejected) as exc:
            save(personas, world, hours=None, start_time=time(17, 0), end_time=time(8, 0))
        assert exc.value.message_dict["end_time"] == [
            shown("The end must come after the start (minus the break).")
        ]


def test_counting_rules_cap_the_day_and_flag_odd_days():
    r = rules.Rules()
    assert rules.counted_hours(Decimal("10"), r) == Decimal("8.00")  # kept, not counted
    assert rules.counted_hours(Decimal("6"), r, special_day=True) == Decimal("6.00")  # single
    assert rules.counted_day(Decimal("7.5"), r) == Decimal("1.00")
    assert rules.counted_day(Decimal("3.75"), r) == Decimal("0.50")
    from datetime import date

    sunday = date(2026, 11, 15)
    flags = rules.flags_for(sunday, weekdays={3, 4, 5}, school_holidays=set(), public_holidays=set(), rules=r)
    assert flags == ["outside_weekdays", "sunday"]


def test_a_day_outside_the_weekdays_is_saved_and_flagged(personas, world, in_tenant):
    with in_tenant(personas.a):
        day = timezone.localdate() - timedelta(days=1)
        while day.isoweekday() != 6:
            day -= timedelta(days=1)
        entry = save(personas, world, date=day, hours="10").entry
        assert "outside_weekdays" in entry.flags
        book = selectors.logbook(world)
        assert book.progress.pending_hours == Decimal("8.00")
        assert book.progress.logged_hours == Decimal("10.00")


def test_programme_settings_change_the_rules(personas, world, in_tenant):
    with in_tenant(personas.a):
        LogbookSettings.objects.create(
            programme=world.programme, allow_future=True, day_max_hours=Decimal("9")
        )
        future = timezone.localdate() + timedelta(days=2)
        entry = save(personas, world, date=future, hours="10").entry
        assert selectors.logbook(world).progress.pending_hours == Decimal("9.00")
        assert entry.pk


def test_client_key_makes_the_write_idempotent(personas, world, in_tenant):
    key = uuid.uuid4()
    with in_tenant(personas.a):
        first = save(personas, world, client_key=key)
        replay = save(personas, world, client_key=key, activities="anders")
        assert replay.replayed and replay.entry.pk == first.entry.pk
        assert Entry.objects.get().activities == "Intake gesprekken voorbereid"
        assert not EntryRevision.objects.exists()
        assert ClientWrite.objects.count() == 1


def test_only_the_student_writes(personas, world, in_tenant):
    from django.core.exceptions import PermissionDenied

    with in_tenant(personas.a), pytest.raises(PermissionDenied):
        services.save_entry(
            actor=personas("a", "mentor"), placement=world, date=last_weekday(), activities="x", hours="1"
        )


def test_approved_entry_is_locked_until_the_mentor_reopens_it(personas, world, in_tenant):
    with in_tenant(personas.a):
        entry = save(personas, world).entry
        assert services.approve_entries(actor=personas("a", "mentor"), entry_ids=[entry.pk]) == 1
        with pytest.raises(services.EntryRejected) as exc:
            save(personas, world, activities="gecorrigeerd")
        assert "date" in exc.value.message_dict
        entry.refresh_from_db()
        services.reopen_entry(actor=personas("a", "mentor"), entry=entry, comment="Uren kloppen niet")
        corrected = save(personas, world, hours="6").entry
        assert corrected.status == Entry.Status.SUBMITTED
        revision = EntryRevision.objects.get(entry=corrected)
        assert revision.snapshot["status"] == "returned"
        assert [r.action for r in corrected.reviews.all()] == ["approve", "reopen"]


# --- the pages ------------------------------------------------------------------------------------
def test_student_logs_today_on_the_page(personas, world):
    client = login(personas("a", "student"))
    page = client.get(reverse("logbook"))
    assert page.status_code == 200
    assert shown("Log a day") in page.content.decode()
    day = last_weekday()
    response = client.post(
        reverse("logbook"),
        {"date": day.isoformat(), "hours": "7,5", "activities": "Huisbezoek", "reflection_kind": "free"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Entry.all_tenants.get(placement=world).hours == Decimal("7.50")


def test_refused_save_keeps_the_typed_text(personas, world):
    client = login(personas("a", "student"))
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("logbook"),
        {
            "date": future,
            "hours": "7",
            "activities": "Mijn lange tekst die niet verloren mag gaan",
            "reflection_kind": "free",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Mijn lange tekst die niet verloren mag gaan" in body
    assert shown("You cannot log a day in the future.") in body


def test_sync_endpoint_is_idempotent_and_explains_refusals(personas, world):
    client = login(personas("a", "student"))
    url = reverse("logbook-sync", kwargs={"pk": world.pk})
    payload = {
        "client_key": str(uuid.uuid4()),
        "date": last_weekday().isoformat(),
        "hours": "7.5",
        "activities": "Offline getypt",
    }
    first = client.post(url, json.dumps(payload), content_type="application/json")
    again = client.post(url, json.dumps(payload), content_type="application/json")
    assert first.status_code == 200 and first.json()["status"] == "saved"
    assert again.status_code == 200 and again.json()["status"] == "replayed"
    assert Entry.all_tenants.filter(placement=world).count() == 1
    bad = dict(payload, client_key=str(uuid.uuid4()), activities="  ")
    refused = client.post(url, json.dumps(bad), content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["activities"] == [shown("Write briefly what you did today.")]


def test_other_students_logbook_is_404(personas, world, in_tenant):
    other = make_logbook_placement(personas.a)
    client = login(personas("a", "student"))
    assert client.get(reverse("logbook-placement", kwargs={"pk": other.pk})).status_code == 404
    url = reverse("logbook-sync", kwargs={"pk": other.pk})
    assert client.post(url, "{}", content_type="application/json").status_code == 404


def test_calendar_shows_day_states(personas, world, in_tenant):
    with in_tenant(personas.a):
        day = last_weekday()
        save(personas, world, date=day)
        book = selectors.logbook(world)
        states = {d.date: d.state for d in book.days}
        assert states[day] == "logged"
        assert "missed" in states.values()
        assert "planned" in states.values()


def test_manifest_and_service_worker_are_served_from_the_root(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"].startswith("application/manifest+json")
    assert manifest.json()["start_url"] == reverse("logbook")
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Service-Worker-Allowed"] == "/"
    assert "addEventListener" in sw.content.decode()
