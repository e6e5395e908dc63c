"""Approving a workplace that fails or has unknown criteria shows the checklist and needs a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import shown
from tests.factories import ProfessionalRoleFactory, ProgrammeFactory
from tests.fixtures import _current_year, make_workplace
from workplaces.models import WorkplaceApproval
from wpl.tenancy import tenant_context

REASON_NEEDED = (
    "This workplace does not meet every criterion, or some are unknown: give a reason for approving it."
)


@pytest.fixture
def criteria_programme(personas):
    """A programme with Odisee's criteria (as in the demo)."""
    from workplaces.demo import seed_criteria

    programme = ProgrammeFactory(institution=personas.a, name="Graduaat Maatschappelijk Werk", code="gmw")
    for order, name in enumerate(["Onthaal", "Begeleider", "Groepswerker", "Community builder"]):
        ProfessionalRoleFactory(institution=personas.a, programme=programme, name=name, order=order)
    with tenant_context(personas.a.pk):
        seed_criteria(programme)
    return programme


def _decide(client, organisation, programme, **data):
    return client.post(
        reverse("workplace-decide", args=[organisation.pk]),
        {"programme": programme.pk, "academic_year": _current_year(), "decision": "approved", **data},
    )


def test_failing_workplace_needs_a_reason_to_be_approved(personas, client_for, criteria_programme):
    programme = criteria_programme
    # Not committing for two years and one permanent staff member: required criteria fail.
    organisation = make_workplace(personas.a, programme, commits_years=1, permanent_staff=1)
    client = client_for(personas("a", "coordinator"))
    page = client.get(reverse("workplace-decide", args=[organisation.pk]), {"programme": programme.pk})
    body = page.content.decode()
    assert 'id="approval-checklist"' in body
    assert "check-fail" in body
    response = _decide(client, organisation, programme)
    assert response.status_code == 400
    assert shown(REASON_NEEDED) in response.content.decode()
    # What was typed is kept and the checklist still shows.
    assert 'id="approval-checklist"' in response.content.decode()
    assert not WorkplaceApproval.all_tenants.filter(organisation=organisation).exists()
    response = _decide(client, organisation, programme, reason="Engagement volgend jaar bevestigd")
    assert response.status_code == 302
    approval = WorkplaceApproval.all_tenants.get(organisation=organisation)
    assert approval.decision == "approved" and approval.reason == "Engagement volgend jaar bevestigd"


def test_unknown_criteria_also_need_a_reason(personas, client_for, criteria_programme):
    programme = criteria_programme
    organisation = make_workplace(personas.a, programme, learning_by_doing=None)
    client = client_for(personas("a", "coordinator"))
    assert _decide(client, organisation, programme).status_code == 400
    assert not WorkplaceApproval.all_tenants.filter(organisation=organisation).exists()


def test_workplace_meeting_every_criterion_is_approved_without_reason(
    personas,
    client_for,
    criteria_programme,
):
    programme = criteria_programme
    organisation = make_workplace(personas.a, programme)
    client = client_for(personas("a", "coordinator"))
    page = client.get(reverse("workplace-decide", args=[organisation.pk]), {"programme": programme.pk})
    assert "check-fail" not in page.content.decode()
    assert _decide(client, organisation, programme).status_code == 302
    assert WorkplaceApproval.all_tenants.get(organisation=organisation).decision == "approved"
