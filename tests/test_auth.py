"""Sign-in (password, e-mailed code), password reset, closed sign-up, MFA and demo logins."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import shown
from tests.factories import MembershipFactory, UserFactory
from tests.fixtures import code_from_mail, current_totp
from wpl import demo
from wpl.models import Role, User

PASSWORD = "pw-123456"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    # TOTP codes are marked as used in the cache per user id; ids repeat between tests.
    cache.clear()
    yield
    cache.clear()


def password_login(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def link_from_mail(message) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


# --- password sign-in -------------------------------------------------------------------------
def test_password_login_lands_on_home(personas):
    client = Client()
    response = password_login(client, "student@alpha.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[AUTH_SESSION_KEY] == str(personas("a", "student").user.pk)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "wpl/home_student.html" in [t.name for t in home.templates]


def test_wrong_password_does_not_sign_in(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = password_login(client, "student@alpha.test", "wrong-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert AUTH_SESSION_KEY not in client.session


def test_login_page_offers_a_sign_in_code_and_no_sign_up(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("account_login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("account_request_login_code")}"' in body
    assert "E-mail me a sign-in code" in body
    assert reverse("account_signup") not in body
    assert reverse("account_reset_password") in body


# --- sign-in by an e-mailed code --------------------------------------------------------------
def test_mentor_without_password_signs_in_by_code(personas):
    mentor = personas("a", "mentor").user
    mentor.set_unusable_password()
    mentor.save()
    client = Client()
    assert password_login(client, mentor.email, PASSWORD).status_code == 200  # no password works

    response = client.post(reverse("account_request_login_code"), {"email": mentor.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [mentor.email]
    code = code_from_mail(mail.outbox[0])
    assert AUTH_SESSION_KEY not in client.session

    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[AUTH_SESSION_KEY] == str(mentor.pk)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "wpl/home_mentor.html" in [t.name for t in home.templates]


def test_wrong_sign_in_code_is_refused(personas):
    mentor = personas("a", "mentor").user
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("account_request_login_code"), {"email": mentor.email})
    real = code_from_mail(mail.outbox[0])
    wrong = "AAA-AAA" if real != "AAA-AAA" else "BBB-BBB"
    response = client.post(reverse("account_confirm_login_code"), {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert AUTH_SESSION_KEY not in client.session


# --- password reset ---------------------------------------------------------------------------
def test_password_reset_full_flow(personas):
    user = personas("a", "coordinator").user
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = link_from_mail(mail.outbox[0])

    response = client.get(link)  # allauth moves the key into the session and redirects
    assert response.status_code == 302
    set_password_url = response["Location"]
    assert client.get(set_password_url).status_code == 200
    new_password = "a-Brand-new-passphrase-42"
    response = client.post(set_password_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    user.refresh_from_db()
    assert user.check_password(new_password)
    fresh = Client()
    assert password_login(fresh, user.email, PASSWORD).status_code == 200  # old one is gone
    response = password_login(fresh, user.email, new_password)
    assert response.status_code == 302
    assert fresh.session[AUTH_SESSION_KEY] == str(user.pk)


def test_password_reset_link_cannot_be_used_twice(personas):
    user = personas("a", "student").user
    client = Client()
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = link_from_mail(mail.outbox[0])
    set_url = client.get(link)["Location"]
    client.post(set_url, {"password1": "first-Passphrase-77", "password2": "first-Passphrase-77"})
    again = Client()
    response = again.get(link, follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"] is True


# --- sign-up is closed ------------------------------------------------------------------------
def test_sign_up_is_closed(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    response = client.post(
        reverse("account_signup"),
        {
            "email": "intruder@example.org",
            "password1": "Str0ng-pass-phrase",
            "password2": "Str0ng-pass-phrase",
        },
    )
    assert not User.objects.filter(email="intruder@example.org").exists()
    assert AUTH_SESSION_KEY not in client.session


# --- MFA --------------------------------------------------------------------------------------
require_mfa = override_settings(WPL_REQUIRE_MFA_FOR_STAFF=True)


@require_mfa
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.INSTITUTION_ADMIN])
def test_staff_without_totp_are_sent_to_set_it_up(personas, client_for, role):
    client = client_for(personas("a", role))
    activate = reverse("mfa_activate_totp")
    for url in (reverse("home"), reverse("people-list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == activate, url
    # The API answers with the reason instead of a redirect.
    response = client.get(reverse("api-me"))
    assert response.status_code == 403
    assert response.json()["detail"] == shown("Set up two-factor authentication before using the API.")
    # HTMX requests are told where to go.
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == activate
    # Sign-out and the MFA pages themselves stay reachable.
    assert client.get(reverse("mfa_index")).status_code == 200


@require_mfa
def test_superuser_without_membership_is_sent_to_set_up_totp(db):
    user = UserFactory(email="root@platform.test", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@require_mfa
@pytest.mark.parametrize("role", [Role.STUDENT, Role.MENTOR, Role.SUPERVISOR, Role.ORG_ADMIN])
def test_other_roles_are_not_forced(personas, client_for, role):
    response = client_for(personas("a", role)).get(reverse("home"))
    assert response.status_code == 200


@require_mfa
def test_demo_coordinator_is_exempt(personas, client_for):
    membership = personas("a", "coordinator")
    User.objects.filter(pk=membership.user_id).update(is_demo=True)
    response = client_for(membership).get(reverse("home"))
    assert response.status_code == 200
    assert "wpl/home_coordinator.html" in [t.name for t in response.templates]


@override_settings(WPL_REQUIRE_MFA_FOR_STAFF=False)
def test_requirement_off_lets_coordinator_in(personas, client_for):
    assert client_for(personas("a", "coordinator")).get(reverse("home")).status_code == 200


@require_mfa
def test_coordinator_activates_totp_and_later_signs_in_with_it(personas):
    membership = personas("a", "coordinator")
    user = membership.user
    client = Client()

    # Fresh password sign-in: sent from the start page to the TOTP set-up.
    response = password_login(client, user.email)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")

    # Right after signing in the set-up page shows without asking the password again.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": "12"})
    assert response.status_code == 200  # a wrong code re-renders the form
    assert not Authenticator.objects.filter(user=user).exists()
    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "wpl/home_coordinator.html" in [t.name for t in home.templates]

    # A later password sign-in stops at the TOTP step: not signed in yet.
    cache.clear()
    later = Client()
    response = password_login(later, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert AUTH_SESSION_KEY not in later.session
    blocked = later.get(reverse("home"))
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("account_login"))

    response = later.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert AUTH_SESSION_KEY not in later.session

    response = later.post(reverse("mfa_authenticate"), {"code": current_totp(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert later.session[AUTH_SESSION_KEY] == str(user.pk)
    assert later.get(reverse("home")).status_code == 200


def test_activating_totp_long_after_sign_in_asks_to_reauthenticate(personas, client_for):
    # force_login records no fresh sign-in: the set-up page asks for the password first.
    client = client_for(personas("a", "coordinator"))
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_admin_sign_in_goes_through_allauth_and_its_totp_step(personas):
    """Django's admin login form would accept a password alone; it sends to allauth instead."""
    user = UserFactory(email="root@platform.test", is_superuser=True, is_staff=True)
    MembershipFactory(institution=personas.a, user=user, role=Role.INSTITUTION_ADMIN)
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post("/admin/login/?next=/admin/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert AUTH_SESSION_KEY not in client.session
    response = password_login(client, user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302
    client.post(reverse("mfa_authenticate"), {"code": current_totp("JBSWY3DPEHPK3PXP")})
    assert client.get("/admin/").status_code == 200


# --- demo logins ------------------------------------------------------------------------------
DEMO_LOGINS = [
    (demo.demo_email(local, slug), role.value)
    for slug, _name in demo.INSTITUTIONS
    for role, local in demo.ROLE_LOGINS
]


@require_mfa  # demo users are exempt even where MFA is required
@pytest.mark.parametrize(("email", "role"), DEMO_LOGINS)
def test_every_demo_login_signs_in_with_the_demo_password(db, email, role):
    demo.seed_demo()
    client = Client()
    response = password_login(client, email, demo.DEMO_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert f"wpl/home_{role}.html" in [t.name for t in home.templates]


def test_sign_in_by_code_still_asks_for_the_totp_code(personas):
    user = personas("a", "coordinator").user
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    client = Client()
    client.post(reverse("account_request_login_code"), {"email": user.email})
    response = client.post(reverse("account_confirm_login_code"), {"code": code_from_mail(mail.outbox[0])})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert AUTH_SESSION_KEY not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp(secret)})
    assert response["Location"] == reverse("home")
    assert client.session[AUTH_SESSION_KEY] == str(user.pk)
