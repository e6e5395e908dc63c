"""Switching the active institution / role, and the X-Institution header for token clients."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import MembershipFactory
from wpl.middleware import SESSION_KEY
from wpl.models import Membership, Role
from wpl.tenancy import tenant_context

REFUSED = "You do not hold that role in that institution."


def switch(client: Client, membership_id, **extra):
    return client.post(
        reverse("switch-membership"), {"membership": membership_id, **extra}, HTTP_ACCEPT_LANGUAGE="en"
    )


def active_institution_name(client: Client) -> str:
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.context["institution"].name


def test_shared_mentor_switches_institution_and_pages_follow(personas, client_for):
    in_a, in_b = personas.shared_mentor
    client = client_for(in_a)
    home = client.get(reverse("home"))
    assert '<span class="institution-name">Hogeschool Alpha</span>' in home.content.decode()
    assert client.get(reverse("api-me")).json()["active_membership"]["id"] == in_a.pk

    response = switch(client, in_b.pk, next=reverse("people-list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("people-list")
    assert client.session[SESSION_KEY] == in_b.pk

    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    body = home.content.decode()
    assert '<span class="institution-name">Hogeschool Beta</span>' in body
    assert "You now work as Mentor at Hogeschool Beta." in body
    me = client.get(reverse("api-me")).json()
    assert me["active_membership"]["institution"]["slug"] == "beta"
    # The API lists only what the active membership may see: here, the mentor's own row in B.
    listed = client.get(reverse("membership-list")).json()["results"]
    assert [m["id"] for m in listed] == [in_b.pk]

    assert switch(client, in_a.pk).status_code == 302
    assert active_institution_name(client) == "Hogeschool Alpha"


def test_switch_between_two_roles_in_one_institution(personas, client_for):
    student = personas("a", "student")
    supervisor_role = MembershipFactory(institution=personas.a, user=student.user, role=Role.SUPERVISOR)
    client = client_for(student)
    assert client.get(reverse("people-list")).status_code == 403
    assert switch(client, supervisor_role.pk).status_code == 302
    assert client.get(reverse("people-list")).status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "other-user",
        "nonexistent",
        "inactive-own",
        "abc",
        "",
        "1.5",
        "-1",
        "1; DROP TABLE wpl_membership",
        "99999999999999999999999999",
        "²",
        "0x10",
    ],
)
def test_switch_refused_keeps_the_active_membership(personas, client_for, value):
    in_a, in_b = personas.shared_mentor
    if value == "other-user":
        value = personas("b", "coordinator").pk
    elif value == "nonexistent":
        value = Membership.all_tenants.order_by("-pk").first().pk + 1000
    elif value == "inactive-own":
        with tenant_context(personas.b):
            Membership.all_tenants.filter(pk=in_b.pk).update(is_active=False)
        value = in_b.pk
    client = client_for(in_a)
    response = switch(client, value)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert client.session[SESSION_KEY] == in_a.pk
    assert active_institution_name(client) == "Hogeschool Alpha"


def test_switch_refusal_message_is_translatable(personas, client_for):
    response = switch(client_for(personas("a", "student")), "garbage")
    assert response.status_code == 400
    assert "wpl/switch_refused.html" in [t.name for t in response.templates]
    with open(response.templates[0].origin.name, encoding="utf-8") as source:
        template_source = source.read()
    assert '{% translate "You do not hold that role in that institution." %}' in template_source


def test_switch_does_not_redirect_off_site(personas, client_for):
    in_a, in_b = personas.shared_mentor
    response = switch(client_for(in_a), in_b.pk, next="https://evil.example.org/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switch_needs_post_and_a_signed_in_person(personas, client_for):
    in_a, in_b = personas.shared_mentor
    assert client_for(in_a).get(reverse("switch-membership")).status_code == 405
    response = Client().post(reverse("switch-membership"), {"membership": in_b.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- token clients: X-Institution -------------------------------------------------------------
def token_client(user) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")


def test_token_client_gets_the_named_institution(personas):
    in_a, in_b = personas.shared_mentor
    client = token_client(in_a.user)

    default = client.get(reverse("api-me")).json()
    assert default["active_membership"]["id"] == in_a.pk  # first by institution name

    for membership, slug in ((in_a, "alpha"), (in_b, "beta")):
        me = client.get(reverse("api-me"), HTTP_X_INSTITUTION=slug)
        assert me.status_code == 200
        assert me.json()["active_membership"]["id"] == membership.pk
        listed = client.get(reverse("membership-list"), HTTP_X_INSTITUTION=slug)
        assert listed.status_code == 200
        assert [m["id"] for m in listed.json()["results"]] == [membership.pk]


def test_token_client_sees_that_institutions_people(personas):
    coordinator_b = personas("b", "coordinator")
    MembershipFactory(institution=personas.a, user=coordinator_b.user, role=Role.STUDENT)
    client = token_client(coordinator_b.user)
    listed = client.get(reverse("membership-list"), HTTP_X_INSTITUTION="beta").json()
    institutions = {m["institution"]["slug"] for m in listed["results"]}
    assert institutions == {"beta"}
    assert listed["count"] == Membership.all_tenants.filter(institution=personas.b).count()


@pytest.mark.parametrize("slug", ["gamma-unknown", "beta", "", "a" * 300, "alpha,beta", "ALPHA"])
def test_token_client_refused_for_unknown_or_not_held_institution(personas, slug):
    client = token_client(personas("a", "student").user)
    if slug == "":
        # An empty header is the same as no header: the person's first membership.
        assert client.get(reverse("api-me"), HTTP_X_INSTITUTION=slug).status_code == 200
        return
    for url in (reverse("api-me"), reverse("membership-list")):
        response = client.get(url, HTTP_X_INSTITUTION=slug)
        assert response.status_code == 403, (url, slug)
        assert response.json()["detail"] == "You are not a member of that institution."
