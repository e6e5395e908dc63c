"""An attacker's pass over the platform, kept as tests: the defects found and the defences that held.

Each numbered case of issue 8 has a test here that failed before its fix; the defences that
already held (CSRF, open redirects, sign-in code reuse, invitation reuse) are pinned too.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from students.models import Student
from tests.fixtures import make_world
from workplaces.models import Organisation
from wpl.tenancy import tenant_context
from wpl.validators import normalise_enterprise_number

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)")


# --- 4. formula injection in the matching round CSV export -------------------------------
def test_matching_round_csv_export_neutralises_formulas(personas, client_for):
    world = make_world(personas.a, students=4, offers=1, prefs=1)
    with tenant_context(personas.a):
        Organisation.all_tenants.filter(pk=world.offers[0].organisation_id).update(name=FORMULAS[0])
        for student, evil in zip(world.students, FORMULAS, strict=True):
            Student.all_tenants.filter(pk=student.pk).update(first_name=evil)
    client = client_for(personas("a", "coordinator"))
    response = client.get(reverse("matching-export", kwargs={"pk": world.round.pk}) + "?format=csv")
    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], "a live formula left the building"
    assert "'" + FORMULAS[0] in cells
    for evil in FORMULAS[1:]:
        assert any(c.startswith("'" + evil) for c in cells)


# --- 8. enterprise numbers: ASCII digits only; the old 9-digit notation --------------------
@pytest.mark.parametrize("raw", ["0403170\u00b201", "\u0660403170701", "04031707\u00b9\u2070"])
def test_enterprise_number_with_non_ascii_digits_is_a_clear_error(raw):
    with pytest.raises(ValidationError) as caught:
        normalise_enterprise_number(raw)
    assert caught.value.code == "enterprise_number_format"


@pytest.mark.parametrize("raw", ["403170701", "BE 403.170.701", "403.170.701"])
def test_enterprise_number_old_nine_digit_notation_gets_its_leading_zero(raw):
    assert normalise_enterprise_number(raw) == "0403.170.701"


def test_enterprise_number_superscript_in_the_organisation_form_is_not_a_500(personas, client_for):
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("organisation-create"), {"name": "Superscript BV", "enterprise_number": "0403170\u00b201"}
    )
    assert response.status_code == 400  # the form again, with the error, as for any bad input
    assert "enterprise_number" in response.context["form"].errors


# --- 9. the container stack refuses to start without a real secret -----------------------
def test_docker_compose_has_no_default_secret_key():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "change-me" not in text
    assert "SECRET_KEY: ${SECRET_KEY:?" in text


@pytest.mark.parametrize(
    "weak", ["change-me", "", "short-secret", "dev-only-insecure-key-change-me-in-production-0123456789"]
)
def test_production_settings_refuse_a_placeholder_secret_key(weak):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WPL_"))}
    env.update(DJANGO_SETTINGS_MODULE="wpl.settings.production", SECRET_KEY=weak, ALLOWED_HOSTS="x.example")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- 6. out-of-range ids: in the path and in filters ------------------------------------
HUGE = "99999999999999999999"


def _routes_with_ids():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
            elif isinstance(entry, URLPattern) and entry.name:
                names = set(getattr(entry.pattern, "converters", {})) | set(entry.pattern.regex.groupindex)
                if names and "format" not in names:
                    yield prefix + entry.name, names

    return sorted(dict(walk(get_resolver())).items())


def test_out_of_range_path_ids_answer_404_not_500(personas, client_for):
    from django.urls import NoReverseMatch

    client = client_for(personas("a", "coordinator"))
    checked = 0
    for name, params in _routes_with_ids():
        try:
            url = reverse(name, kwargs=dict.fromkeys(params, HUGE))
        except NoReverseMatch:
            continue
        response = client.get(url)
        assert response.status_code < 500, (name, url, response.status_code)
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("role", ["coordinator", "student", "mentor"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/matching-assignments/?round=" + HUGE,
        "/api/matching-assignments/?round=-1",
        "/workplaces/?programme=" + HUGE,
        "/offers/new/?organisation=" + HUGE,
        "/workplaces/export/?programme=" + HUGE,
    ],
)
def test_out_of_range_id_filters_are_not_a_500(personas, client_for, role, url):
    response = client_for(personas("a", role)).get(url)
    assert response.status_code < 500


# --- shared helpers for the sign-in cases -------------------------------------------------
PASSWORD = "Sterk-wachtwoord-2026!"


def _with_password(membership):
    user = membership.user
    user.set_password(PASSWORD)
    user.save()
    return user


def _totp_now(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _web_sign_in(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.fixture
def rate_limits(settings):
    """The production sign-in limits (the test settings switch them off) and a clean cache."""
    from django.core.cache import cache

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    settings.WPL_API_TOKEN_RATE = "1000/min"
    cache.clear()
    yield
    cache.clear()


# --- 2. API tokens follow the second-factor rule ----------------------------------------
def test_token_issued_before_mfa_was_required_is_refused_until_set_up(personas, settings):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    coordinator = personas("a", "coordinator")
    token = Token.objects.create(user=coordinator.user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/students/").status_code == 200  # policy off: the token works

    settings.WPL_REQUIRE_MFA_FOR_STAFF = True
    assert api.get("/api/students/").status_code in (401, 403)
    response = api.post("/api/students/", {"first_name": "X"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert (
        "two-factor" in response.json()["detail"].lower() or "tweestaps" in response.json()["detail"].lower()
    )
    # A student's token is not affected by the staff rule.
    student_token = Token.objects.create(user=personas("a", "student").user)
    assert Client(HTTP_AUTHORIZATION=f"Token {student_token.key}").get("/api/me/").status_code == 200


def test_setting_up_totp_rotates_the_token_and_the_new_one_needs_the_code(personas, settings, client):
    from rest_framework.authtoken.models import Token

    settings.WPL_REQUIRE_MFA_FOR_STAFF = True
    user = _with_password(personas("a", "coordinator"))
    old = Token.objects.create(user=user)
    assert _web_sign_in(client, user.email).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": _totp_now(secret)})
    assert response.status_code == 302
    assert not Token.objects.filter(key=old.key).exists(), "the old token survived TOTP set-up"

    # The token endpoint now wants the code, and hands out a new key.
    answer = client.post(
        reverse("api-token"), {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert answer.status_code == 400 and "code" in answer.json()
    answer = client.post(
        reverse("api-token"),
        {"email": user.email, "password": PASSWORD, "code": _totp_now(secret)},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["token"] != old.key


def test_owner_revokes_their_token(personas):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=personas("a", "mentor").user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.delete(reverse("api-token")).status_code == 204
    assert not Token.objects.filter(user=token.user).exists()
    assert api.get("/api/me/").status_code in (401, 403)
    assert Client().delete(reverse("api-token")).status_code in (401, 403)


# --- 3. one sign-in limit for the website and the token endpoint --------------------------
def test_account_locked_on_the_web_gets_no_token(personas, rate_limits, client):
    from django.test import Client

    user = _with_password(personas("a", "student"))
    for _ in range(5):
        _web_sign_in(client, user.email, "wrong-password")
    answer = Client().post(
        reverse("api-token"), {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert answer.status_code == 429
    assert "token" not in answer.json()


def test_wrong_token_requests_lock_the_account_for_the_web_too(personas, rate_limits):
    from django.test import Client

    user = _with_password(personas("a", "student"))
    api = Client()
    statuses = [
        api.post(
            reverse("api-token"), {"email": user.email, "password": "nope"}, content_type="application/json"
        ).status_code
        for _ in range(10)
    ]
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    right = api.post(
        reverse("api-token"), {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert right.status_code == 429
    web = _web_sign_in(Client(), user.email)
    assert web.status_code == 200  # the sign-in form again, with the lockout message
    assert "_auth_user_id" not in web.client.session


# --- 5. deeply nested JSON --------------------------------------------------------------
NESTED_1000 = "[" * 1000 + "]" * 1000


def test_deeply_nested_json_to_the_token_endpoint_is_a_400(personas):
    from django.test import Client

    response = Client().post(reverse("api-token"), NESTED_1000, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in str(response.json()) or "te diep" in str(response.json())


def test_deeply_nested_json_to_the_students_api_is_a_400(personas, client_for):
    client = client_for(personas("a", "coordinator"))
    body = '{"first_name": ' + NESTED_1000 + "}"
    response = client.post("/api/students/", body, content_type="application/json")
    assert response.status_code == 400


def test_deeply_nested_criterion_params_are_not_a_500(personas, client_for):
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(institution=personas.a)
    client = client_for(personas("a", "coordinator"))
    response = client.post(
        reverse("criterion-create"),
        {
            "programme": programme.pk,
            "order": 1,
            "label": "Diep",
            "kind": "min_years",
            "params": "[" * 5000 + "]" * 5000,
        },
    )
    # Parameters are no longer typed as JSON (each rule has its own fields), so a deeply
    # nested body cannot reach a parser: it is ignored and the form answers, never a 500.
    assert response.status_code in (200, 302, 400)


# --- 10. operations answer what their schema says ----------------------------------------
def test_plan_and_decision_history_are_documented_as_plain_lists():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    def ok_schema(path, method="get"):
        return schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]

    assert ok_schema("/api/catalogue/calendars/{id}/plan/")["type"] == "array"
    assert ok_schema("/api/offers/{id}/decision/")["type"] == "array"
    post = schema["paths"]["/api/offers/{id}/decision/"]["post"]["responses"]
    assert "201" in post


def test_plan_and_decision_answers_validate_against_the_schema(personas, client_for):
    from tests.factories import AcademicCalendarFactory, PlacementOfferFactory
    from tests.schema_check import validate_api_response

    client = client_for(personas("a", "coordinator"))
    calendar = AcademicCalendarFactory(institution=personas.a)
    offer = PlacementOfferFactory(institution=personas.a)
    for path in (f"/api/catalogue/calendars/{calendar.pk}/plan/", f"/api/offers/{offer.pk}/decision/"):
        response = client.get(path)
        assert response.status_code == 200, path
        validate_api_response("GET", path, "", response)  # (the suite's client does this too)


# --- 1. an invitation never signs in an existing account ---------------------------------
def _invite_existing(personas, user, token: str):
    from tests.factories import AccessInvitationFactory, OrganisationFactory
    from wpl.models import Role

    organisation = OrganisationFactory(institution=personas.a)
    return AccessInvitationFactory(
        institution=personas.a, organisation=organisation, token=token, email=user.email, role=Role.MENTOR
    )


@pytest.mark.parametrize("tenant", ["a", "b"])  # invited in its own institution and in another one
def test_invitation_for_an_existing_account_goes_through_its_own_sign_in(personas, settings, client, tenant):
    from allauth.mfa.totp.internal.auth import TOTP

    from wpl.models import Membership

    settings.WPL_REQUIRE_MFA_FOR_STAFF = True
    user = _with_password(personas(tenant, "coordinator"))
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    invitation = _invite_existing(personas, user, f"tok-existing-{tenant}")
    url = reverse("invite-accept", kwargs={"token": f"tok-existing-{tenant}"})

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["account"] == user
    response = client.post(url)  # a fresh browser: the link alone
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session, "the invitation signed in an existing account"
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.all_tenants.filter(user=user, institution=personas.a, role="mentor").exists()

    # The password alone is not enough either: the second factor is asked for.
    signed = client.post(response["Location"], {"login": user.email, "password": PASSWORD})
    assert signed.status_code == 302
    assert signed["Location"].startswith(reverse("mfa_authenticate"))
    assert "_auth_user_id" not in client.session
    done = client.post(reverse("mfa_authenticate"), {"code": _totp_now(secret)})
    assert done.status_code == 302 and done["Location"] == url
    assert int(client.session["_auth_user_id"]) == user.pk

    # Signed in properly: accepting adds the role.
    accepted = client.post(url)
    assert accepted.status_code == 302
    membership = Membership.all_tenants.get(user=user, institution=personas.a, role="mentor")
    assert client.session["wpl_membership_id"] == membership.pk
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_invitation_for_an_existing_account_refuses_another_signed_in_account(personas, client_for):
    from wpl.models import Membership

    owner = personas("b", "coordinator").user
    invitation = _invite_existing(personas, owner, "tok-other")
    intruder = client_for(personas("a", "student"))
    response = intruder.post(reverse("invite-accept", kwargs={"token": "tok-other"}))
    assert response.status_code == 403
    assert int(intruder.session["_auth_user_id"]) == personas("a", "student").user.pk
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.all_tenants.filter(user=owner, institution=personas.a).exists()


# --- the defences that held: invitation reuse, CSRF, open redirects, sign-in codes ---------
def test_invitation_link_works_once(personas, client):
    from django.test import Client

    from tests.factories import AccessInvitationFactory

    AccessInvitationFactory(institution=personas.a, token="tok-once", email="nieuw@host.example.org")
    url = reverse("invite-accept", kwargs={"token": "tok-once"})
    assert client.post(url).status_code == 302
    assert Client().post(url).status_code == 410
    assert "_auth_user_id" not in Client().get(url).wsgi_request.session


def test_csrf_is_enforced_on_pages_and_session_api_calls(personas):
    from django.test import Client

    from tests.factories import AccessInvitationFactory

    AccessInvitationFactory(institution=personas.a, token="tok-csrf")
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("invite-accept", kwargs={"token": "tok-csrf"})).status_code == 403
    coordinator = personas("a", "coordinator")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator.user)
    assert browser.post(reverse("organisation-create"), {"name": "Zonder token"}).status_code == 403
    api = browser.post("/api/students/", {"first_name": "X"}, content_type="application/json")
    assert api.status_code == 403
    assert not Organisation.all_tenants.filter(name="Zonder token").exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_no_open_redirect_after_sign_in_or_switch(personas, client, target):
    user = _with_password(personas("a", "student"))
    response = client.post(
        reverse("account_login") + "?next=" + target, {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    membership = personas("a", "student")
    switched = client.post(reverse("switch-membership"), {"membership": membership.pk, "next": target})
    assert "evil.example" not in switched["Location"]


def test_sign_in_code_cannot_be_used_twice(personas, client):
    import re

    from django.core import mail
    from django.test import Client

    user = personas("a", "mentor").user
    client.post(reverse("account_request_login_code"), {"email": user.email})
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", mail.outbox[-1].body, re.M).group(1)
    first = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert first.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    client.post(reverse("account_logout"))
    for browser in (client, Client()):
        again = browser.post(reverse("account_confirm_login_code"), {"code": code})
        assert "_auth_user_id" not in browser.session
        assert again.status_code in (200, 302, 400, 404)


# --- 7. spreadsheet bombs are refused while streaming, before openpyxl loads them ----------
def _xlsx(sheet_xml: bytes, shared_strings: bytes | None = None) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
BOMBS = {
    "two_million_rows": lambda: _xlsx(
        b"<worksheet " + NS + b"><sheetData>" + b"<row/>" * 2_000_000 + b"</sheetData></worksheet>"
    ),
    "a_million_cells_in_a_row": lambda: _xlsx(
        b"<worksheet " + NS + b"><sheetData><row>" + b"<c/>" * 1_000_000 + b"</row></sheetData></worksheet>"
    ),
    "one_huge_shared_string": lambda: _xlsx(
        b"<worksheet " + NS + b"><sheetData/></worksheet>",
        b"<sst " + NS + b"><si><t>" + b"a" * 200_000 + b"</t></si></sst>",
    ),
    "sixty_mb_unpacked": lambda: _xlsx(
        b"<worksheet " + NS + b"><sheetData/></worksheet>",
        b"<sst " + NS + b"><si><t>" + b"a" * 60_000_000 + b"</t></si></sst>",
    ),
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_spreadsheet_bombs_are_refused_early(personas, client_for, monkeypatch, bomb):
    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = BOMBS[bomb]()
    assert len(data) < 1024 * 1024  # small on the wire, huge unpacked

    def never(*args, **kwargs):
        raise AssertionError("the bomb reached openpyxl")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    client = client_for(personas("a", "coordinator"))
    upload = SimpleUploadedFile("bomb.xlsx", data, content_type="application/octet-stream")
    response = client.post(reverse("import-upload", kwargs={"kind": "students"}), {"file": upload})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_csv_with_too_many_columns_is_refused(personas, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(personas("a", "coordinator"))
    data = (";".join(f"k{i}" for i in range(5000)) + "\r\n").encode()
    upload = SimpleUploadedFile("wide.csv", data, content_type="text/csv")
    response = client.post(reverse("import-upload", kwargs={"kind": "students"}), {"file": upload})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


# --- DEBUG off for anything a user sees: real, translated error pages ----------------------
def test_demo_settings_run_with_debug_off():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env["DJANGO_SETTINGS_MODULE"] = "wpl.settings"
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_stale_link_gets_a_translated_404_page_not_the_url_list(personas, client_for):
    from tests.conftest import shown

    for client in (client_for(personas("a", "student")),):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        body = response.content.decode()
        assert shown("Page not found") in body
        assert "URLconf" not in body and "urlpatterns" not in body


def test_forbidden_page_is_a_translated_403(personas, client_for):
    from tests.conftest import shown

    response = client_for(personas("a", "student")).get(reverse("organisation-create"))
    assert response.status_code == 403
    assert shown("No access") in response.content.decode()


def test_server_error_page_is_translated_and_plain(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("fr"):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Traceback" not in body
    with translation.override("fr"):
        assert translation.gettext("Something went wrong") in body
        assert translation.gettext("Something went wrong") != "Something went wrong"


def test_static_files_are_served_with_debug_off(client):
    from django.conf import settings

    assert not settings.DEBUG
    response = client.get("/static/css/wpl.css")
    assert response.status_code == 200


def test_a_staged_file_is_parsed_once_not_again_for_each_preview(personas, client_for, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wpl import importers

    client = client_for(personas("a", "coordinator"))
    data = b"student_number;first_name;last_name;email;programme\r\nr1;An;Peeters;;XX\r\n"
    upload = SimpleUploadedFile("s.csv", data, content_type="text/csv")
    response = client.post(reverse("import-upload", kwargs={"kind": "students"}), {"file": upload})
    assert response.status_code == 302, response.context and response.context["form"].errors
    parses = []
    monkeypatch.setattr(
        importers, "parse", lambda *a, **k: parses.append(1) or (_ for _ in ()).throw(AssertionError)
    )
    for _ in range(3):
        preview = client.get(response["Location"])
        assert preview.status_code == 200
    assert parses == []
    assert preview.context["row_count"] == 1
