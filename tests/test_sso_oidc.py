"""Single sign-on per institution, end to end against a real OpenID Connect provider.

The provider is django-oauth-toolkit with OpenID Connect on, run in its own process on a
loopback port with an RSA signing key generated here (tests/oidc_provider/). The platform
side is the Django test client; the browser's hops to the provider go through `requests`.
Nothing is mocked: discovery, the authorization code, the token request, the JWKS check of
the ID token and the userinfo call all happen over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import Client
from django.urls import reverse

from access.sso import REASONS
from tests.conftest import shown
from tests.factories import InstitutionFactory, MembershipFactory, StudentFactory, UserFactory
from wpl.middleware import SESSION_KEY
from wpl.models import Membership, Role, SingleSignOn, User
from wpl.tenancy import tenant_context

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "wpl-test-client"
CLIENT_SECRET = "wpl-test-secret-0123456789"
PASSWORD = "provider-pass-1"
SLUG = "odisee"
USERS = [
    {
        "username": "an",
        "email": "an.peeters@student.odisee.test",
        "given_name": "An",
        "family_name": "Peeters",
    },
    {"username": "newbie", "email": "newbie@student.odisee.test", "given_name": "New", "family_name": "Bie"},
    {"username": "unverified", "email": "bo.janssens@student.odisee.test", "verified": False},
    {"username": "outsider", "email": "someone@gmail.test"},
    {"username": "shared", "email": "lector@odisee.test"},
    {"username": "staff", "email": "coordinator@odisee.test"},
]


@pytest.fixture(scope="module")
def provider():
    """Start the provider process once for the module; yields its issuer URL."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    workdir = tempfile.mkdtemp(prefix="oidc-provider-")
    setup = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"http://testserver/accounts/oidc/sso-{SLUG}/login/callback/"],
        "users": [{**u, "password": PASSWORD} for u in USERS],
    }
    env = {
        **os.environ,
        "OIDC_PROVIDER_DB": str(Path(workdir) / "provider.sqlite3"),
        "OIDC_RSA_PRIVATE_KEY": pem,
        "OIDC_PROVIDER_SETUP": json.dumps(setup),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            process.kill()
            pytest.fail(f"OpenID Connect provider did not start: {line}{process.stderr.read()}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/o"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def institution(db, provider):
    institution = InstitutionFactory(slug=SLUG, name="Odisee")
    with tenant_context(institution):
        SingleSignOn.objects.create(
            name="Odisee",
            issuer=provider,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            email_domains="student.odisee.test, odisee.test",
            is_active=True,
        )
    return institution


def sign_in_through_provider(client: Client, username: str):
    """Click "Sign in with Odisee", sign in at the provider, follow every redirect back.

    Returns the platform's last response.
    """
    browser = requests.Session()
    here = "http://testserver/"
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": f"sso-{SLUG}"}))
    for _hop in range(12):
        if response.status_code not in (301, 302, 303):
            return response
        # A Django or a requests response; a relative Location is relative to where we are.
        location = urljoin(here, response.headers["Location"])
        target = urlsplit(location)
        here = location
        if target.netloc == "testserver":
            response = client.get(target.path + (f"?{target.query}" if target.query else ""))
            continue
        # A hop to the identity provider: its sign-in form is filled in like a person would.
        response = browser.get(location, allow_redirects=False)
        if response.status_code == 200 and "csrfmiddlewaretoken" in response.text:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
            next_url = re.search(r'name="next" value="([^"]*)"', response.text).group(1).replace("&amp;", "&")
            response = browser.post(
                location,
                data={
                    "csrfmiddlewaretoken": token,
                    "username": username,
                    "password": PASSWORD,
                    "next": next_url,
                },
                allow_redirects=False,
            )
    raise AssertionError("too many redirects")


def signed_in_user(client: Client) -> User | None:
    pk = client.session.get(AUTH_SESSION_KEY)
    return User.objects.filter(pk=pk).first() if pk else None


def test_imported_student_signs_in_with_school_account(institution):
    with tenant_context(institution):
        student = StudentFactory(
            institution=institution,
            email="an.peeters@student.odisee.test",
            first_name="An",
            last_name="Peeters",
        )
    client = Client()
    response = sign_in_through_provider(client, "an")
    assert response.status_code == 200, response.content[:500]
    user = signed_in_user(client)
    assert user is not None and user.email == "an.peeters@student.odisee.test"
    student.refresh_from_db()
    assert student.user_id == user.pk
    membership = Membership.all_tenants.get(user=user)
    assert (membership.institution_id, membership.role) == (institution.pk, Role.STUDENT)
    assert client.session[SESSION_KEY] == membership.pk
    home = client.get("/")
    assert home.status_code == 200
    assert b"An" in home.content
    # The next time, the same provider account signs the same person in (no second account).
    client2 = Client()
    assert sign_in_through_provider(client2, "an").status_code == 200
    assert signed_in_user(client2) == user
    assert User.objects.filter(email__iexact="an.peeters@student.odisee.test").count() == 1


def test_existing_staff_member_is_linked_not_duplicated(institution):
    staff = UserFactory(email="coordinator@odisee.test")
    MembershipFactory(institution=institution, user=staff, role=Role.COORDINATOR)
    client = Client()
    sign_in_through_provider(client, "staff")
    assert signed_in_user(client) == staff
    assert User.objects.filter(email="coordinator@odisee.test").count() == 1


def test_second_factor_still_applies_after_single_sign_on(institution):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from tests.fixtures import current_totp

    staff = UserFactory(email="coordinator@odisee.test")
    MembershipFactory(institution=institution, user=staff, role=Role.COORDINATOR)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    cache.clear()
    client = Client()
    response = sign_in_through_provider(client, "staff")
    # The provider vouched for the address, but the account's own second factor is asked.
    assert response.status_code == 200
    assert signed_in_user(client) is None
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp(secret)})
    assert response.status_code == 302
    assert signed_in_user(client) == staff


def test_unknown_address_gets_no_account_by_default(institution):
    client = Client()
    response = sign_in_through_provider(client, "newbie")
    assert response.status_code == 403
    assert shown(REASONS["unknown"]) in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="newbie@student.odisee.test").exists()


def test_unknown_address_gets_student_account_when_institution_allows(institution):
    with tenant_context(institution):
        SingleSignOn.all_tenants.filter(institution=institution).update(allow_new_accounts=True)
    client = Client()
    sign_in_through_provider(client, "newbie")
    user = signed_in_user(client)
    assert user is not None and user.email == "newbie@student.odisee.test"
    assert (user.first_name, user.last_name) == ("New", "Bie")
    assert Membership.all_tenants.get(user=user).role == Role.STUDENT


def test_unverified_address_is_refused(institution):
    with tenant_context(institution):
        StudentFactory(institution=institution, email="bo.janssens@student.odisee.test")
    client = Client()
    response = sign_in_through_provider(client, "unverified")
    assert response.status_code == 403
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="bo.janssens@student.odisee.test").exists()


def test_address_outside_the_configured_domains_is_refused(institution):
    # Even a person the platform knows: this provider may not speak for gmail addresses.
    victim = UserFactory(email="someone@gmail.test")
    MembershipFactory(institution=institution, user=victim, role=Role.STUDENT)
    client = Client()
    response = sign_in_through_provider(client, "outsider")
    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_person_with_a_role_elsewhere_must_use_their_own_sign_in(institution):
    shared = UserFactory(email="lector@odisee.test")
    MembershipFactory(institution=institution, user=shared, role=Role.SUPERVISOR)
    other = InstitutionFactory(slug="other", name="Other school")
    MembershipFactory(institution=other, user=shared, role=Role.MENTOR)
    client = Client()
    response = sign_in_through_provider(client, "shared")
    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_inactive_configuration_offers_no_button_and_no_login(institution, client):
    page = client.get(reverse("account_login"))
    assert "Aanmelden met Odisee" in page.content.decode()
    with tenant_context(institution):
        SingleSignOn.all_tenants.filter(institution=institution).update(is_active=False)
    page = client.get(reverse("account_login"))
    assert "Aanmelden met Odisee" not in page.content.decode()
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": f"sso-{SLUG}"}))
    assert response.status_code == 404


# --- the institution admin's page -------------------------------------------------------
def _settings(**extra):
    data = {
        "name": "Hogeschool Alpha",
        "issuer": "https://login.microsoftonline.com/abc/v2.0",
        "client_id": "client-1",
        "client_secret": "secret-1",
        "email_domains": "student.alpha.test, @Alpha.test",
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_admin_sets_up_single_sign_on_and_the_secret_is_never_shown(personas, client_for):
    admin = client_for(personas("a", Role.INSTITUTION_ADMIN))
    page = admin.get(reverse("sso-settings"))
    assert page.status_code == 200
    assert "http://testserver/accounts/oidc/sso-alpha/login/callback/" in page.content.decode()
    response = admin.post(reverse("sso-settings"), _settings())
    assert response.status_code == 302
    config = SingleSignOn.all_tenants.get(institution=personas.a)
    assert config.email_domains == "student.alpha.test, alpha.test"
    assert config.client_secret == "secret-1"
    assert not config.allow_new_accounts
    page = admin.get(reverse("sso-settings"))
    assert "secret-1" not in page.content.decode()
    # Saving without a secret keeps the stored one.
    admin.post(reverse("sso-settings"), _settings(client_id="client-2", client_secret=""))
    config.refresh_from_db()
    assert (config.client_id, config.client_secret) == ("client-2", "secret-1")
    # The sign-in page now offers the button.
    assert "Aanmelden met Hogeschool Alpha" in Client().get(reverse("account_login")).content.decode()


def test_bad_settings_are_refused_and_kept_on_the_page(personas, client_for):
    admin = client_for(personas("b", Role.INSTITUTION_ADMIN))
    with tenant_context(personas.a):
        SingleSignOn.objects.create(
            name="A", issuer="https://a.test", client_id="a", client_secret="a", email_domains="alpha.test"
        )
    for bad in ("not a domain", "", "alpha.test", "localhost"):
        response = admin.post(reverse("sso-settings"), _settings(email_domains=bad, name="Typed name"))
        assert response.status_code == 400, bad
        assert "Typed name" in response.content.decode()
    response = admin.post(reverse("sso-settings"), _settings(issuer="ftp://x"))
    assert response.status_code == 400
    assert not SingleSignOn.all_tenants.filter(institution=personas.b).exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SUPERVISOR, Role.STUDENT])
def test_only_the_institution_admin_configures_single_sign_on(personas, client_for, role):
    assert client_for(personas("a", role)).post(reverse("sso-settings"), _settings()).status_code == 403
    assert not SingleSignOn.all_tenants.exists()
