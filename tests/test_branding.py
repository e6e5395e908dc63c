"""The institution admin sets name, logo and accent colour; checks on the logo and colour."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.conftest import shown
from wpl.branding import MAX_LOGO_BYTES
from wpl.design import DEFAULT_ACCENT, accent_tokens, contrast_ratio, text_colour_on
from wpl.models import Institution, Role

URL = "/institution/settings/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def png(size=(120, 40), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def post(client, **data):
    payload = {"name": "Hogeschool Alpha", "accent_colour": "#0b5394", **data}
    return client.post(URL, payload)


def test_contrast_maths_matches_wcag():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54
    assert text_colour_on("#ffff00") == "#000000"
    assert text_colour_on("#0b5394") == "#ffffff"
    assert accent_tokens("#f0f0f0")["accent"] == DEFAULT_ACCENT  # unusable: falls back
    assert accent_tokens(None) == {"accent": DEFAULT_ACCENT, "on_accent": "#ffffff"}


@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.INSTITUTION_ADMIN])
def test_only_the_institution_admin_may_change_settings(personas, client_for, role):
    client = client_for(personas("a", role))
    assert client.get(URL).status_code == 403
    assert post(client, name="Hacked").status_code == 403
    assert Institution.objects.get(pk=personas.a.pk).name == "Hogeschool Alpha"


def test_admin_sets_name_colour_and_logo_everyone_sees_them(personas, client_for):
    admin = client_for(personas("a", Role.INSTITUTION_ADMIN))
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = post(admin, name="Hogeschool Alfa", accent_colour="#7A1F5C", logo=logo)
    assert response.status_code == 302
    institution = Institution.objects.get(pk=personas.a.pk)
    assert institution.name == "Hogeschool Alfa"
    assert institution.accent_colour == "#7a1f5c"
    assert institution.logo.name.startswith("institutions/logos/")

    student = client_for(personas("a", Role.STUDENT))
    page = student.get("/").content.decode()
    assert "--accent: #7a1f5c; --on-accent: #ffffff;" in page
    assert reverse("institution-logo") in page and "Hogeschool Alfa" in page
    served = student.get(reverse("institution-logo"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png()
    # The other institution keeps its own look and has no logo.
    other = client_for(personas("b", Role.STUDENT))
    assert "#7a1f5c" not in other.get("/").content.decode()
    assert other.get(reverse("institution-logo")).status_code == 404


def test_removing_the_logo(personas, client_for):
    admin = client_for(personas("a", Role.INSTITUTION_ADMIN))
    post(admin, logo=SimpleUploadedFile("logo.png", png(), content_type="image/png"))
    assert Institution.objects.get(pk=personas.a.pk).logo
    post(admin, remove_logo="on")
    assert not Institution.objects.get(pk=personas.a.pk).logo
    assert admin.get(reverse("institution-logo")).status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "logo.svg",
            "The logo is not a readable PNG, JPEG or WebP image.",
        ),
        (b"GIF89a" + b"\0" * 40, "logo.png", "The logo is not a readable PNG, JPEG or WebP image."),
        (png()[:60], "logo.png", "The logo is not a readable PNG, JPEG or WebP image."),
    ],
)
def test_logo_is_checked_by_content(personas, client_for, content, name, message):
    admin = client_for(personas("a", Role.INSTITUTION_ADMIN))
    response = post(
        admin, name="Typed name", logo=SimpleUploadedFile(name, content, content_type="image/png")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert shown(message) in body
    assert 'value="Typed name"' in body  # what was typed is kept
    assert not Institution.objects.get(pk=personas.a.pk).logo


def test_logo_size_and_dimensions_are_limited(personas, client_for):
    admin = client_for(personas("a", Role.INSTITUTION_ADMIN))
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"\0" * (MAX_LOGO_BYTES + 1), content_type="image/png")
    assert post(admin, logo=big).status_code == 200
    huge = SimpleUploadedFile("huge.png", png(size=(2400, 10)), content_type="image/png")
    response = post(admin, logo=huge)
    assert response.status_code == 200
    assert "2400" in response.content.decode()
    assert not Institution.objects.get(pk=personas.a.pk).logo


@pytest.mark.parametrize("colour", ["#ffff00", "#f5f5f5", "red", "#12345"])
def test_unreadable_or_malformed_accent_is_refused(personas, client_for, colour):
    admin = client_for(personas("a", Role.INSTITUTION_ADMIN))
    response = post(admin, accent_colour=colour)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert Institution.objects.get(pk=personas.a.pk).accent_colour == ""


def test_empty_accent_means_the_default(personas, client_for):
    admin = client_for(personas("a", Role.INSTITUTION_ADMIN))
    post(admin, accent_colour="#7a1f5c")
    assert post(admin, accent_colour="").status_code == 302
    assert Institution.objects.get(pk=personas.a.pk).accent_colour == ""
    assert f"--accent: {DEFAULT_ACCENT};" in admin.get("/").content.decode()
