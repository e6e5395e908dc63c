"""Absences and work accidents: who is told, sick notes for the coordinator only, every opening recorded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from logbooks import selectors
from logbooks.models import Absence, InsuranceSetting, SickNote, SickNoteOpening
from tests.conftest import login, shown
from tests.factories import make_logbook_placement
from wpl.models import Notification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def placement(personas):
    return make_logbook_placement(
        personas.a,
        student_user=personas("a", "student").user,
        mentor_user=personas("a", "mentor").user,
        supervisor=personas("a", "supervisor"),
    )


def report(client, placement, **extra):
    today = timezone.localdate()
    data = {
        "kind": "sick",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=2)).isoformat(),
    }
    data.update(extra)
    return client.post(reverse("logbook-absence-new", kwargs={"pk": placement.pk}), data)


def test_sickness_is_reported_to_mentor_and_coordinator_without_a_diagnosis(personas, placement, in_tenant):
    client = login(personas("a", "student"))
    response = report(client, placement, reason="griep", sick_note=SimpleUploadedFile("a.pdf", PDF))
    assert response.status_code == 302
    with in_tenant(personas.a):
        absence = Absence.objects.get()
        assert absence.reason == ""  # never a diagnosis for sickness
        assert absence.attest_received
        told = set(Notification.objects.filter(kind="absence").values_list("recipient__email", flat=True))
        assert {"mentor@alpha.test", "coordinator@alpha.test", "supervisor@alpha.test"} <= told


def test_sick_note_must_really_be_a_pdf_jpeg_or_png(personas, placement):
    client = login(personas("a", "student"))
    fake = SimpleUploadedFile("attest.pdf", b"MZ this is an executable", content_type="application/pdf")
    response = report(client, placement, sick_note=fake)
    assert response.status_code == 400
    assert (
        shown("Only a PDF, JPEG or PNG file can be added (checked from its content).")
        in response.content.decode()
    )
    assert not Absence.all_tenants.exists()


def test_sick_note_larger_than_5_mb_is_refused(personas, placement):
    client = login(personas("a", "student"))
    big = SimpleUploadedFile("attest.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    response = report(client, placement, sick_note=big)
    assert response.status_code == 400
    assert shown("The file is larger than 5 MB.") in response.content.decode()


def test_only_the_coordinator_opens_the_sick_note_and_each_opening_is_recorded(
    personas, placement, in_tenant
):
    report(login(personas("a", "student")), placement, sick_note=SimpleUploadedFile("a.png", PNG))
    absence = Absence.all_tenants.get()
    url = reverse("logbook-sick-note", kwargs={"pk": absence.pk})
    mentor = login(personas("a", "mentor"))
    assert mentor.get(url).status_code == 403
    detail = mentor.get(reverse("logbook-absence", kwargs={"pk": absence.pk})).content.decode()
    assert url not in detail
    assert shown("Sick") in detail
    coordinator = login(personas("a", "coordinator"))
    opened = coordinator.get(url)
    assert opened.status_code == 200 and opened["Content-Type"] == "image/png"
    assert opened.content == PNG
    assert (
        SickNoteOpening.all_tenants.filter(
            note__absence=absence, user=personas("a", "coordinator").user
        ).count()
        == 1
    )
    page = coordinator.get(reverse("logbook-absence", kwargs={"pk": absence.pk})).content.decode()
    assert "coordinator@alpha.test" in page or str(personas("a", "coordinator").user) in page
    assert SickNote.all_tenants.filter(absence=absence).values_list("data", flat=True).first() is not None


def test_absence_reduces_planned_hours(personas, placement, in_tenant):
    with in_tenant(personas.a):
        before = selectors.logbook(placement).progress
        planned_day = next(d for d in selectors.plan_context(placement).days if d > timezone.localdate())
        Absence.objects.create(placement=placement, start_date=planned_day, end_date=planned_day)
        after = selectors.logbook(placement).progress
        assert after.planned_hours == before.planned_hours - Decimal("7.60")
        assert after.absent_hours == Decimal("7.60")


def test_work_accident_goes_to_the_coordinator_with_the_insurance(personas, placement, in_tenant):
    with in_tenant(personas.a):
        InsuranceSetting.objects.create(insurer="Ethias", policy_number="45.123.456")
    client = login(personas("a", "student"))
    response = client.post(
        reverse("logbook-incident-new", kwargs={"pk": placement.pk}),
        {"date": timezone.localdate().isoformat(), "description": "Gesneden aan de hand"},
    )
    assert response.status_code == 302
    with in_tenant(personas.a):
        note = Notification.objects.get(kind="incident", recipient=personas("a", "coordinator").user)
        assert "Ethias" in note.body and "45.123.456" in note.body
        assert not Notification.objects.filter(
            kind="incident", recipient=personas("a", "mentor").user
        ).exists()


def test_bad_absence_dates_are_explained(personas, placement):
    client = login(personas("a", "student"))
    today = timezone.localdate()
    response = report(
        client, placement, start_date=today.isoformat(), end_date=(today - timedelta(days=2)).isoformat()
    )
    assert response.status_code == 400
    assert shown("The last day cannot be before the first day.") in response.content.decode()
