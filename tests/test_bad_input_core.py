"""Bad input to the platform core: malformed API bodies, login form errors, CSRF."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

PASSWORD = "pw-123456"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def api_client() -> Client:
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


# --- API bodies -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "student@alpha.test", "password": ',
        b"{'email': 'single quotes'}",
        b"\xff\xfe\x00garbage",
        b"",
        b"NaN-ish {]",
    ],
)
def test_malformed_json_to_the_api_is_a_400_with_a_message(personas, body):
    response = api_client().post(reverse("api-token"), body, content_type="application/json")
    assert response.status_code == 400
    payload = response.json()
    assert payload, "expected a message"
    assert "detail" in payload or "email" in payload


@pytest.mark.parametrize("body", [b"[1, 2, 3]", b'"just a string"', b"42", b"null"])
def test_json_that_is_not_an_object_is_a_400(personas, body):
    response = api_client().post(reverse("api-token"), body, content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json() or "detail" in response.json()


def test_malformed_json_with_a_session_is_not_a_500(personas, client_for):
    client = client_for(personas("a", "coordinator"))
    response = client.post(reverse("membership-list"), b"{not json", content_type="application/json")
    assert response.status_code == 405  # read-only endpoint: refused before the body is parsed
    response = client.post(reverse("api-token"), b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_unsupported_media_type(personas):
    response = api_client().post(reverse("api-token"), b"<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["detail"]


def test_very_long_values_are_refused_cleanly(personas):
    response = api_client().post(
        reverse("api-token"), {"email": "x" * 5000, "password": "y" * 5000}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"email", "password"}


@pytest.mark.parametrize("query", ["?page=abc", "?page=0", "?page=99999", "?page=-1"])
def test_bad_page_numbers_are_404_not_500(personas, client_for, query):
    response = client_for(personas("a", "coordinator")).get(reverse("membership-list") + query)
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "auth", ["Token", "Token a b", "Token \u00e9\u00e9", "Bearer xyz", "Token " + "z" * 500]
)
def test_malformed_authorization_headers_are_refused(personas, auth):
    response = api_client().get(reverse("api-me"), HTTP_AUTHORIZATION=auth)
    assert response.status_code in (401, 403)
    assert response.json()["detail"]


# --- login form -------------------------------------------------------------------------------
def test_login_error_is_translated_into_dutch(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    response = client.post(reverse("account_login"), {"login": "student@alpha.test", "password": "fout"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Het door jou opgegeven e-mailadres en/of wachtwoord is niet correct." in body
    assert 'value="student@alpha.test"' in body  # re-rendered with the input


def test_login_error_in_english_for_comparison(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("account_login"), {"login": "student@alpha.test", "password": "fout"})
    assert "The email address and/or password you specified are not correct." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "dutch"),
    [
        ({"login": "not-an-email", "password": "x"}, r"Voer een geldig e-mailadres in\."),
        # Django says "verplicht", DRF's catalogue (which takes precedence) "vereist".
        ({"login": "", "password": ""}, r"Dit veld is (verplicht|vereist)\."),
        ({"login": "student@alpha.test"}, r"Dit veld is (verplicht|vereist)\."),
    ],
)
def test_login_form_field_errors_are_dutch(personas, data, dutch):
    response = Client(HTTP_ACCEPT_LANGUAGE="nl").post(reverse("account_login"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(dutch, body)
    assert "This field is required" not in body and "Enter a valid email" not in body
    assert "_auth_user_id" not in response.client.session


def test_login_code_request_with_bad_email_is_dutch(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="nl").post(
        reverse("account_request_login_code"), {"email": "nope"}
    )
    assert response.status_code == 200
    assert "Voer een geldig e-mailadres in." in response.content.decode()


# --- CSRF -------------------------------------------------------------------------------------
def test_switch_without_csrf_token_is_forbidden(personas):
    in_a, in_b = personas.shared_mentor
    client = Client(enforce_csrf_checks=True)
    client.force_login(in_a.user)
    response = client.post(reverse("switch-membership"), {"membership": in_b.pk})
    assert response.status_code == 403
    assert client.session.get("wpl_membership_id") != in_b.pk


def test_switch_with_csrf_token_works(personas):
    in_a, in_b = personas.shared_mentor
    client = Client(enforce_csrf_checks=True)
    client.force_login(in_a.user)
    client.get(reverse("home"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("switch-membership"), {"membership": in_b.pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_login_without_csrf_token_is_forbidden(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "student@alpha.test", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_session_api_writes_need_csrf(personas):
    in_a, _ = personas.shared_mentor
    client = Client(enforce_csrf_checks=True)
    client.force_login(in_a.user)
    response = client.post(reverse("membership-list"), {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
