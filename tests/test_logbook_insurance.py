"""Insurance details for work accidents: kept by staff, named in accident reports and new agreements."""

from __future__ import annotations

import pytest
from django.urls import reverse

from logbooks.models import InsuranceSetting
from tests.conftest import login, shown
from tests.factories import ProgrammeFactory, create_in_tenant, make_logbook_placement
from wpl import registry
from wpl.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def test_coordinator_adds_changes_and_removes_insurance(personas):
    programme = ProgrammeFactory(institution=personas.a, name="Graduaat HR")
    client = login(personas("a", "coordinator"))
    url = reverse("logbook-insurance")
    assert client.get(url).status_code == 200
    assert client.post(url, {"insurer": "Ethias", "policy_number": "45.1", "contact": ""}).status_code == 302
    assert (
        client.post(url, {"programme": programme.pk, "insurer": "KBC", "policy_number": "9"}).status_code
        == 302
    )
    own = InsuranceSetting.all_tenants.get(programme=programme)
    page = client.get(url).content.decode()
    assert "Ethias" in page and "KBC" in page and "Graduaat HR" in page
    edit = reverse("logbook-insurance-edit", args=[own.pk])
    assert (
        client.post(edit, {"programme": programme.pk, "insurer": "KBC", "policy_number": "10"}).status_code
        == 302
    )
    own.refresh_from_db()
    assert own.policy_number == "10"
    assert client.post(edit, {"op": "delete"}).status_code == 302
    assert not InsuranceSetting.all_tenants.filter(pk=own.pk).exists()


def test_bad_input_is_refused_with_a_reason_and_kept(personas):
    client = login(personas("a", "institution_admin"))
    url = reverse("logbook-insurance")
    client.post(url, {"insurer": "Ethias", "policy_number": "45.1"})
    twice = client.post(url, {"insurer": "AG Insurance", "policy_number": "77"})
    assert twice.status_code == 400
    body = twice.content.decode()
    assert shown("This programme already has insurance details; change those instead.") in body
    assert "AG Insurance" in body
    empty = client.post(url, {"insurer": "", "policy_number": ""})
    assert shown("Fill in the insurer and the policy number.") in empty.content.decode()
    assert InsuranceSetting.all_tenants.filter(institution=personas.a).count() == 1


def test_staff_only_and_other_institution_404(personas):
    b_row = create_in_tenant(InsuranceSetting, personas.b, insurer="Geheim B", policy_number="1")
    assert login(personas("a", "supervisor")).get(reverse("logbook-insurance")).status_code == 403
    client = login(personas("a", "coordinator"))
    assert client.get(reverse("logbook-insurance-edit", args=[b_row.pk])).status_code == 404
    assert "Geheim B" not in client.get(reverse("logbook-insurance")).content.decode()


def test_programme_insurance_reaches_agreements_and_accident_reports(personas):
    placement = make_logbook_placement(personas.a, student_user=personas("a", "student").user)
    from agreements.context import default_fields
    from logbooks import services
    from wpl.models import Notification

    with tenant_context(personas.a):
        assert registry.insurance_for(placement) == {}
        InsuranceSetting.objects.create(insurer="Ethias", policy_number="45.1")
        InsuranceSetting.objects.create(programme=placement.programme, insurer="KBC", policy_number="9")
        fields = default_fields(placement, language="nl")
        assert (fields["insurer"], fields["policy_number"]) == ("KBC", "9")
        services.report_incident(
            actor=personas("a", "student"), placement=placement, date=placement.start_date, description="Val"
        )
    note = Notification.all_tenants.filter(kind="incident").first()
    assert note is not None and "KBC" in note.body and "9" in note.body
