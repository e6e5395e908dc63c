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


# --- one way to render form controls -----------------------------------------------------------
RAW_CONTROL = re.compile(r"<(input|select|textarea)\b[^>]*>", re.I)
HIDDEN = re.compile(r"""\btype\s*=\s*["']?hidden\b""", re.I)
# Templates that still hand-roll a visible control, each with the reason. Forms render through
# templates/components/ (Django forms via wpl.design.FormRenderer and form_field.html; other
# controls via {% select_field %} / {% check_field %}). This list may only shrink.
RAW_CONTROLS_ALLOWED = {
    "templates/base.html": "top bar menus (a lang attribute per option)",
    "templates/matching/student.html": "offer options labelled with places taken and approval",
    "templates/matching/_supervisor_row.html": "a supervisor menu per table row, saved by HTMX on change",
    "templates/matching/board.html": "the board filter's radio group (to convert to check_field)",
    "templates/matching/publish.html": "the publish confirmation checkbox wraps its label (to convert)",
    "templates/workplaces/list.html": "the list's filter bar (to convert to a filter form)",
    "templates/students/student_list.html": "row selection (to convert to check_field)",
    "agreements/templates/agreements/agreement_list.html": "filter bar and row selection (to convert)",
    "agreements/templates/agreements/sign.html": "the consent checkbox (to convert)",
    "agreements/templates/agreements/sign_link.html": "the representative's consent checkbox (to convert)",
    "evaluations/templates/evaluations/fill.html": "rubric grid: radios per criterion, HTMX autosave",
    "evaluations/templates/evaluations/meeting.html": "the meeting's rubric grid: radios per criterion",
    "logbooks/templates/logbooks/review_queue.html": "row selection (to convert to check_field)",
    "meetings/templates/meetings/calendar_settings.html": "read-only field to copy the address",
}


def template_files():
    for base in [ROOT / "templates", *(ROOT / app / "templates" for app in settings.WPL_FEATURE_APPS)]:
        if base.exists():
            yield from sorted(base.rglob("*.html"))


def test_form_controls_render_through_the_shared_components():
    components = ROOT / "templates" / "components"
    found = {}
    for path in template_files():
        if components in path.parents:
            continue
        raw = [m.group(0) for m in RAW_CONTROL.finditer(path.read_text()) if not HIDDEN.search(m.group(0))]
        if raw:
            found[path.relative_to(ROOT).as_posix()] = raw
    unexplained = {path: raw for path, raw in found.items() if path not in RAW_CONTROLS_ALLOWED}
    assert not unexplained, f"render these through templates/components/ (docs/design.md): {unexplained}"
    converted = set(RAW_CONTROLS_ALLOWED) - set(found)
    assert not converted, f"no raw controls left here: drop them from RAW_CONTROLS_ALLOWED: {converted}"


def test_select_and_check_components_are_labelled():
    from django.template import Context, Template

    html = Template(
        "{% load ui %}"
        '{% select_field "year" "Jaar" years "2026-2027" id="y" empty_label="Alle" help="Kies" %}'
        '{% check_field "pick" 7 "Kies Ada" id="p7" checked=True hide_label=True %}'
    ).render(Context({"years": ["2025-2026", "2026-2027"]}))
    assert '<label for="y">Jaar</label>' in html
    assert '<select id="y" name="year" aria-describedby="y_helptext">' in html
    assert '<option value="">Alle</option>' in html
    assert '<option value="2026-2027" selected>' in html and '<option value="2025-2026">' in html
    assert '<input type="checkbox" name="pick" value="7" id="p7" checked>' in html
    assert '<label for="p7" class="visually-hidden">Kies Ada</label>' in html
