"""One way to do the common things: page and API guards from predicates, the scoped related-id
field, and one mapping from service errors to forms and API answers."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework import mixins, serializers

from tests.factories import ProgrammeFactory
from wpl.api_fields import ScopedPrimaryKeyRelatedField
from wpl.errors import ServiceError, api_detail
from wpl.forms import add_service_errors

ROOT = Path(settings.BASE_DIR)
ROLE_COMPARISON = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)|\bRole\.[A-Z_]+\b")


def view_and_api_modules():
    for app in settings.WPL_FEATURE_APPS:
        for name in ("views.py", "api.py"):
            path = ROOT / app / name
            if path.exists():
                yield path


@pytest.mark.parametrize("path", list(view_and_api_modules()), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_views_and_api_ask_predicates_not_roles(path):
    source = path.read_text()
    assert not re.search(r"^def _require", source, re.M), f"{path}: use wpl.views.permission_required"
    hits = [line.strip() for line in source.splitlines() if ROLE_COMPARISON.search(line)]
    assert not hits, f"{path}: compare roles in the app's permissions.py, not here: {hits}"


def writable_serializers():
    """(name, serializer class) of every viewset in an app's `api_routes` that creates or updates."""
    for app in settings.WPL_FEATURE_APPS:
        try:
            urls = importlib.import_module(f"{app}.urls")
        except ModuleNotFoundError:
            continue
        for _prefix, viewset, basename in getattr(urls, "api_routes", []):
            serializer_class = getattr(viewset, "serializer_class", None)
            writes = issubclass(viewset, (mixins.CreateModelMixin, mixins.UpdateModelMixin))
            if serializer_class is not None and writes:
                yield basename, serializer_class


def related_fields(serializer):
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.RelatedField) and not field.read_only:
            yield name, field


def test_every_writable_related_id_is_scoped(personas, rf):
    request = rf.get("/")
    request.membership = personas("a", "coordinator")
    checked = 0
    for basename, serializer_class in writable_serializers():
        serializer = serializer_class(context={"request": request})
        for name, field in related_fields(serializer):
            assert isinstance(field, ScopedPrimaryKeyRelatedField), f"{basename}.{name} is not scoped"
            checked += 1
    assert checked >= 5


def test_a_body_naming_another_institutions_id_answers_400(personas, client_for, in_tenant):
    other = ProgrammeFactory(institution=personas.b)
    response = client_for(personas("a", "coordinator")).post(
        reverse("api-student-list"),
        {
            "student_number": "r1111111",
            "first_name": "Ada",
            "last_name": "Peeters",
            "email": "ada@students.test",
            "programme": other.pk,
            "year": 1,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"programme"}


def test_pages_refuse_a_role_the_predicate_refuses(personas, client_for):
    assert client_for(personas("a", "supervisor")).get(reverse("programme-create")).status_code == 403
    assert client_for(personas("a", "coordinator")).get(reverse("programme-create")).status_code == 200
    assert client_for(personas("a", "student")).get(reverse("programme-list")).status_code == 403


def test_api_guard_reads_and_writes_with_their_own_predicates(personas, client_for):
    url = reverse("api-student-list")
    assert client_for(personas("a", "supervisor")).get(url).status_code == 200
    assert (
        client_for(personas("a", "supervisor")).post(url, {}, content_type="application/json").status_code
        == 403
    )
    assert client_for(personas("a", "student")).get(url).status_code == 403


class _Form(forms.Form):
    email = forms.CharField()


@pytest.mark.parametrize(
    "error",
    [
        ValidationError({"email": "Taken.", "__all__": "Whole thing."}),
        ValidationError("Not now."),
        ServiceError("Someone else was first."),
    ],
    ids=["fields", "plain", "domain"],
)
def test_forms_and_the_api_show_the_same_messages(error):
    form = _Form({"email": "x"})
    form.is_valid()
    add_service_errors(form, error)
    detail = api_detail(error)
    assert form.errors.get("email", []) == detail.get("email", [])
    assert list(form.non_field_errors()) == detail.get("non_field_errors", [])


def test_a_service_validation_error_answers_400_with_field_errors(personas, client_for):
    ProgrammeFactory(institution=personas.a, code="dup")
    response = client_for(personas("a", "coordinator")).post(
        reverse("api-programme-list"),
        {"name": "Tweede", "code": "dup", "form": "graduate", "years": 2},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "code" in response.json() or "non_field_errors" in response.json()


def test_no_test_file_imports_another_test_file():
    """Shared fixtures and helpers live in tests/fixtures.py and tests/conftest.py."""
    pattern = re.compile(r"^\s*(from\s+tests\.test_\w+\s+import|import\s+tests\.test_\w+)", re.M)
    offenders = [p.name for p in (ROOT / "tests").glob("*.py") if pattern.search(p.read_text())]
    assert not offenders, f"import shared helpers from tests/fixtures.py instead: {offenders}"
