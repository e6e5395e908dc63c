"""Django admin: superusers only, tenant-owned rows of the active institution only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory
from wpl.models import Membership, Role

CHANGELIST = "/admin/wpl/membership/"


@pytest.fixture
def admin_in_a(personas):
    user = UserFactory(email="root@platform.test", is_superuser=True, is_staff=True)
    membership = MembershipFactory(institution=personas.a, user=user, role=Role.INSTITUTION_ADMIN)
    return login(membership)


def test_membership_changelist_shows_only_the_active_institution(personas, admin_in_a):
    response = admin_in_a.get(CHANGELIST)
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    expected = Membership.all_tenants.filter(institution=personas.a)
    assert {m.pk for m in shown} == set(expected.values_list("pk", flat=True))
    assert {m.institution_id for m in shown} == {personas.a.pk}
    body = response.content.decode()
    assert "coordinator@alpha.test" in body
    assert "coordinator@beta.test" not in body


def test_other_institutions_membership_cannot_be_opened_in_admin(personas, admin_in_a):
    other = personas("b", "coordinator")
    response = admin_in_a.get(f"{CHANGELIST}{other.pk}/change/")
    assert response.status_code == 302  # "does not exist" -> back to the admin index
    assert response["Location"] == reverse("admin:index")
    response = admin_in_a.post(f"{CHANGELIST}{other.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Membership.all_tenants.filter(pk=other.pk).exists()


def test_admin_adds_membership_in_the_active_institution(personas, admin_in_a):
    person = UserFactory(email="new.person@example.org")
    response = admin_in_a.post(
        f"{CHANGELIST}add/", {"user": person.pk, "role": Role.SUPERVISOR, "is_active": "on"}
    )
    assert response.status_code == 302
    created = Membership.all_tenants.get(user=person)
    assert created.institution_id == personas.a.pk


def test_non_staff_user_is_sent_to_admin_login(personas, client_for):
    client = client_for(personas("a", "institution_admin"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    # ... where a signed-in person without staff rights is refused outright.
    assert client.get(response["Location"]).status_code == 403
    assert client.get(CHANGELIST).status_code == 302


def test_anonymous_admin_login_goes_to_the_sign_in_page(db):
    response = Client().get("/admin/")
    assert response.status_code == 302
    response = Client().get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_superuser_without_membership_gets_403_not_500(db):
    user = UserFactory(email="root@platform.test", is_superuser=True, is_staff=True)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    # Global (not tenant-owned) models stay available.
    assert client.get("/admin/wpl/institution/").status_code == 200
    assert client.get("/admin/wpl/user/").status_code == 200
    for url in (CHANGELIST, f"{CHANGELIST}add/", f"{CHANGELIST}1/change/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "No active institution" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/logbooks/logbooksettings/",
        "/admin/logbooks/insurancesetting/",
        "/admin/meetings/meetingtype/",
        "/admin/placements/reminderrule/",
    ],
)
def test_programme_settings_are_in_the_admin_scoped_to_the_institution(personas, admin_in_a, path):
    from logbooks.models import InsuranceSetting
    from tests.factories import create_in_tenant

    create_in_tenant(InsuranceSetting, personas.a, insurer="Ethias A", policy_number="1")
    create_in_tenant(InsuranceSetting, personas.b, insurer="Geheim B", policy_number="2")
    response = admin_in_a.get(path)
    assert response.status_code == 200
    assert "Geheim B" not in response.content.decode()
    if "insurance" in path:
        assert "Ethias A" in response.content.decode()
    assert admin_in_a.get(f"{path}add/").status_code == 200
