"""Progress and forecast, the coordinator's overview, the reminder sweep, exports and the API."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from logbooks import rules, selectors, services
from tests.conftest import login
from tests.factories import LogbookEntryFactory, make_logbook_placement
from wpl.models import Notification
from wpl.tenancy import tenant_context


def weekdays_back(n: int):
    day = timezone.localdate() - timedelta(days=1)
    days = []
    while len(days) < n:
        if day.isoweekday() <= 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


def test_forecast_walks_the_planned_days_then_the_weekdays():
    days = [date(2026, 12, 2), date(2026, 12, 3)]
    end = rules.forecast_end(
        done_hours=Decimal(0),
        required_hours=Decimal(16),
        hours_per_planned_day=Decimal(8),
        future_days=days,
        weekdays={3},
    )
    assert end == date(2026, 12, 3)
    later = rules.forecast_end(
        done_hours=Decimal(0),
        required_hours=Decimal(24),
        hours_per_planned_day=Decimal(8),
        future_days=days,
        weekdays={3},
    )
    assert later == date(2026, 12, 9)  # the next Wednesday after the plan
    assert (
        rules.forecast_end(
            done_hours=Decimal(0),
            required_hours=Decimal(8),
            hours_per_planned_day=Decimal(0),
            future_days=days,
            weekdays={3},
        )
        is None
    )


def test_progress_counts_approved_and_pending_against_required(personas, in_tenant):
    placement = make_logbook_placement(personas.a, required_hours=40)
    days = weekdays_back(4)
    LogbookEntryFactory(
        institution=personas.a, placement=placement, date=days[0], hours="9", status="approved"
    )
    LogbookEntryFactory(institution=personas.a, placement=placement, date=days[1], hours="7.5")
    with in_tenant(personas.a):
        p = selectors.logbook(placement).progress
    assert p.approved_hours == Decimal("8.00")  # capped at the maximum
    assert p.pending_hours == Decimal("7.50")
    assert p.required_hours == Decimal(40)
    assert p.approved_days == Decimal("1.00")
    assert p.forecast is not None and p.forecast > timezone.localdate()
    assert p.chart and p.chart[-1]["actual"] == Decimal("15.50")


def test_wpl_unit_required_days(personas, in_tenant):
    from tests.factories import WplUnitFactory

    placement = make_logbook_placement(personas.a)
    unit = WplUnitFactory(institution=personas.a, programme=placement.programme, required_days=14)
    with tenant_context(personas.a):
        type(placement).all_tenants.filter(pk=placement.pk).update(wpl_unit=unit)
    placement.refresh_from_db()
    with in_tenant(personas.a):
        p = selectors.logbook(placement).progress
    assert p.required_days == 14
    assert p.required_hours == Decimal("7.60") * 14


def test_progress_page_has_the_chart_and_the_same_figures_as_a_table(personas):
    placement = make_logbook_placement(personas.a, student_user=personas("a", "student").user)
    LogbookEntryFactory(institution=personas.a, placement=placement, date=weekdays_back(1)[0], hours="7.5")
    page = login(personas("a", "student")).get(reverse("logbook-progress", kwargs={"pk": placement.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert "vendor/chart.umd.min.js" in body and 'id="chart-table"' in body and "<caption>" in body


def test_overview_lists_students_behind_never_logged_and_mentor_backlog(personas, in_tenant):
    never = make_logbook_placement(personas.a)
    fine = make_logbook_placement(personas.a, programme=never.programme)
    for d in weekdays_back(45):
        if d >= fine.start_date:
            LogbookEntryFactory(institution=personas.a, placement=fine, date=d, hours="8", status="approved")
    old = timezone.now() - timedelta(days=20)
    LogbookEntryFactory(institution=personas.a, placement=never, date=weekdays_back(1)[0], submitted_at=old)
    with in_tenant(personas.a):
        rows, backlog = selectors.overview(membership=personas("a", "coordinator"))
    flagged = {r.placement.pk: r for r in rows}
    assert never.pk in flagged and fine.pk not in flagged
    assert flagged[never.pk].behind
    assert backlog and backlog[0].waiting == 1
    page = login(personas("a", "coordinator")).get(reverse("logbook-overview"))
    # Names are HTML-escaped on the page (a generated name may hold an apostrophe).
    assert page.status_code == 200 and escape(str(never.student)) in page.content.decode()


def test_missed_days_count_wpl_days_not_calendar_days():
    planned = [date(2026, 11, 4), date(2026, 11, 5), date(2026, 11, 11), date(2026, 11, 12)]
    assert selectors.missed_wpl_days(planned, date(2026, 11, 4), date(2026, 11, 13)) == 3
    assert selectors.missed_wpl_days(planned, None, date(2026, 11, 6)) == 2


def test_reminder_sweep_reminds_once_per_step(personas, in_tenant):
    placement = make_logbook_placement(personas.a, student_user=personas("a", "student").user)
    with in_tenant(personas.a):
        first = services.remind_students_not_logging(timezone.now())
        again = services.remind_students_not_logging(timezone.now())
        assert first == 1 and again == 0
        note = Notification.objects.get(kind="not_logged")
        assert note.recipient == personas("a", "student").user
        assert f":{placement.pk}:never:" in note.key
        LogbookEntryFactory(institution=personas.a, placement=placement, date=weekdays_back(1)[0])
        assert services.remind_students_not_logging(timezone.now()) == 0  # just logged


def test_exports_pdf_and_csv(personas):
    placement = make_logbook_placement(personas.a, student_user=personas("a", "student").user)
    LogbookEntryFactory(
        institution=personas.a, placement=placement, date=weekdays_back(1)[0], activities="Teamoverleg"
    )
    client = login(personas("a", "student"))
    csv_response = client.get(reverse("logbook-export", kwargs={"pk": placement.pk, "fmt": "csv"}))
    assert csv_response.status_code == 200 and "Teamoverleg" in csv_response.content.decode()
    pdf = client.get(reverse("logbook-export", kwargs={"pk": placement.pk, "fmt": "pdf"}))
    assert pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Teamoverleg" in text


def test_api_is_scoped_like_the_pages(personas):
    mine = make_logbook_placement(personas.a, student_user=personas("a", "student").user)
    other = make_logbook_placement(personas.a)
    LogbookEntryFactory(
        institution=personas.a, placement=mine, date=weekdays_back(1)[0], activities="Mijn dag"
    )
    LogbookEntryFactory(
        institution=personas.a, placement=other, date=weekdays_back(1)[0], activities="Andermans dag"
    )
    data = login(personas("a", "student")).get("/api/logbook-entries/", HTTP_ACCEPT="application/json").json()
    texts = [row["activities"] for row in data.get("results", data)]
    assert texts == ["Mijn dag"]
    staff = (
        login(personas("a", "coordinator"))
        .get("/api/logbook-entries/", HTTP_ACCEPT="application/json")
        .json()
    )
    assert len(staff.get("results", staff)) == 2


@pytest.mark.parametrize("fmt", ["xml"])
def test_unknown_export_format_is_404_or_csv(personas, fmt):
    placement = make_logbook_placement(personas.a, student_user=personas("a", "student").user)
    response = login(personas("a", "student")).get(
        reverse("logbook-export", kwargs={"pk": placement.pk, "fmt": fmt})
    )
    assert response.status_code == 404
