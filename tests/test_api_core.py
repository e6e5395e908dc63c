"""API core: OpenAPI schema and docs, session and token authentication, pagination."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from tests.factories import MembershipFactory, UserFactory
from wpl.models import Membership

PASSWORD = "pw-123456"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The token endpoint is throttled per client address; TOTP codes are cached as used.
    cache.clear()
    yield
    cache.clear()


def get_token(client: Client, **data):
    return client.post(reverse("api-token"), data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


# --- schema and docs --------------------------------------------------------------------------
def test_schema_is_a_valid_openapi_document(personas, client_for):
    response = client_for(personas("a", "coordinator")).get(reverse("api-schema") + "?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    for path in ("/api/me/", "/api/token/", "/api/memberships/", "/api/memberships/{id}/"):
        assert path in schema["paths"], path
    id_param = next(
        p for p in schema["paths"]["/api/memberships/{id}/"]["get"]["parameters"] if p["name"] == "id"
    )
    assert id_param["schema"]["type"] == "integer"
    security = schema["components"]["securitySchemes"]
    assert {"cookieAuth", "tokenAuth"} <= set(security)
    token_body = schema["paths"]["/api/token/"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert token_body["$ref"].endswith("/TokenRequestRequest")


def test_schema_and_docs_need_a_signed_in_person(db):
    assert Client().get(reverse("api-schema")).status_code == 403
    assert Client().get(reverse("api-docs")).status_code == 403


def test_swagger_ui_is_served_from_local_static_files(personas, client_for):
    response = client_for(personas("a", "student")).get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in s for s in sources), sources
    for src in sources:
        assert not re.match(r"^(https?:)?//", src), f"external resource: {src}"
        assert src.startswith("/static/"), src
        assert finders.find(src.removeprefix("/static/")), f"missing static file: {src}"
    assert not re.search(r"<script[^>]+src=\"https?://", html)
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


# --- authentication ---------------------------------------------------------------------------
def test_session_authentication(personas, client_for):
    membership = personas("a", "student")
    response = client_for(membership).get(reverse("api-me"))
    assert response.status_code == 200
    assert response.json()["user"]["email"] == membership.user.email
    assert Client().get(reverse("api-me")).status_code == 403


def test_token_is_issued_for_email_and_password_and_authenticates(personas):
    user = personas("a", "coordinator").user
    response = get_token(Client(), email=user.email.upper(), password=PASSWORD)
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    # Asking again returns the same token.
    assert get_token(Client(), email=user.email, password=PASSWORD).json()["token"] == key

    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get(reverse("api-me"))
    assert me.status_code == 200
    assert me.json()["user"]["id"] == user.pk
    assert api.get(reverse("membership-list")).status_code == 200
    assert Client(HTTP_AUTHORIZATION="Token not-a-real-token").get(reverse("api-me")).status_code == 403


def test_token_also_accepts_form_data(personas):
    user = personas("a", "student").user
    response = Client().post(reverse("api-token"), {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["token"]


@pytest.mark.parametrize(
    "data",
    [
        {"email": "student@alpha.test", "password": "wrong"},
        {"email": "nobody@alpha.test", "password": PASSWORD},
        {"email": "student@alpha.test"},
        {"password": PASSWORD},
        {},
    ],
)
def test_token_refused_on_bad_credentials(personas, data):
    response = get_token(Client(), **data)
    assert response.status_code == 400
    assert response.json()  # field or non-field messages
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(personas):
    user = personas("a", "student").user
    user.is_active = False
    user.save()
    response = get_token(Client(), email=user.email, password=PASSWORD)
    assert response.status_code == 400
    assert "Unable to sign in" in str(response.json())


def test_token_needs_the_totp_code_once_two_factor_is_on(personas):
    user = personas("a", "coordinator").user
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    response = get_token(Client(), email=user.email, password=PASSWORD)
    assert response.status_code == 400
    assert "code" in response.json()
    response = get_token(Client(), email=user.email, password=PASSWORD, code="000000")
    assert response.status_code == 400
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = get_token(Client(), email=user.email, password=PASSWORD, code=code)
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key


@override_settings(WPL_REQUIRE_MFA_FOR_STAFF=True)
def test_staff_without_totp_get_no_token_where_mfa_is_required(personas):
    coordinator = personas("a", "coordinator").user
    response = get_token(Client(), email=coordinator.email, password=PASSWORD)
    assert response.status_code == 400
    assert "two-factor" in str(response.json())
    student = personas("a", "student").user
    assert get_token(Client(), email=student.email, password=PASSWORD).status_code == 200


def test_token_endpoint_is_throttled(personas):
    client = Client()
    statuses = [
        get_token(client, email="student@alpha.test", password="wrong").status_code for _ in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


# --- pagination -------------------------------------------------------------------------------
def test_list_endpoints_are_paginated(personas, client_for):
    for _ in range(51):
        MembershipFactory(institution=personas.a, user=UserFactory())
    total = Membership.all_tenants.filter(institution=personas.a, is_active=True).count()
    client = client_for(personas("a", "coordinator"))
    page1 = client.get(reverse("membership-list")).json()
    assert set(page1) >= {"count", "next", "previous", "results"}
    assert page1["count"] == total
    assert len(page1["results"]) == 50
    assert page1["previous"] is None
    assert page1["next"]
    page2 = client.get(page1["next"]).json()
    assert len(page2["results"]) == total - 50
    assert page2["next"] is None
    seen = {m["id"] for m in page1["results"]} | {m["id"] for m in page2["results"]}
    assert len(seen) == total
