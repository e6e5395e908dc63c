"""Isolation sweep: every route x every role x same / other institution.

Fails when a URL pattern is not in the access matrix; asserts the expected status for
each role on its own institution's object, 404 for the other institution's object, and
that marker strings seeded into institution B never appear in A's responses (pages,
API, exports and PDFs alike).
"""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import EXEMPT, OBJECT_BUILDERS, ROUTE_INDEX, ROUTES
from tests.conftest import ROLES, login
from tests.fixtures import url_for

MARKER_B = "ZQXBETAMARKER"
MARKER_A = "ZQXALPHAMARKER"


def iter_patterns(resolver: URLResolver, namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from iter_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def all_route_names() -> set[str]:
    return {name for name, _ in iter_patterns(get_resolver())}


def is_exempt(name: str) -> bool:
    return any(name.startswith(e.prefix) for e in EXEMPT)


def test_every_route_is_in_the_access_matrix():
    missing = sorted(n for n in all_route_names() if n not in ROUTE_INDEX and not is_exempt(n))
    assert not missing, f"Routes missing from tests/access_matrix.py: {missing}"


def test_matrix_has_no_stale_routes():
    stale = sorted(set(ROUTE_INDEX) - all_route_names())
    assert not stale, f"Routes in the matrix that no longer exist: {stale}"


def response_text(response) -> str:
    """Everything a person could read in a response, including exports and PDFs."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in content_type:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in content_type:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(c) for c in row if c is not None)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
        )
    return body.decode("utf-8", errors="replace")


@pytest.fixture
def seeded(personas):
    """One object of every kind in each institution, marked so leaks are visible."""
    objects = {}
    for kind, build in OBJECT_BUILDERS.items():
        objects[("a", kind)] = build(personas.a, MARKER_A)
        objects[("b", kind)] = build(personas.b, MARKER_B)
    return objects


def fetch(client: Client, url: str, route):
    headers = {"HTTP_ACCEPT": "application/json"} if route.api else {}
    return client.get(url, **headers)


@pytest.mark.parametrize("role", ROLES)
def test_sweep_role(personas, seeded, role):
    """For one role of institution A, every route in the matrix."""
    client = login(personas("a", role))
    problems = []
    for route in ROUTES:
        own_obj = seeded[("a", route.obj)] if route.obj else None
        expected = route.ok if role in route.allowed else route.denied
        if role in route.own_only and own_obj is not None:
            expected = 404  # someone else's object in the same institution
        response = fetch(client, url_for(route, own_obj), route)
        if response.status_code != expected:
            problems.append(f"{route.name} own: {response.status_code} != {expected}")
        if MARKER_B in response_text(response):
            problems.append(f"{route.name}: institution B's marker leaked")
        if route.obj:
            other = fetch(client, url_for(route, seeded[("b", route.obj)]), route)
            allowed_statuses = {404} if role in route.allowed else {404, route.denied}
            if other.status_code not in allowed_statuses:
                problems.append(f"{route.name} other: {other.status_code} not in {allowed_statuses}")
            if MARKER_B in response_text(other):
                problems.append(f"{route.name} other: institution B's marker leaked")
    assert not problems, "\n".join(problems)


def test_sweep_anonymous(personas, seeded):
    client = Client()
    problems = []
    for route in ROUTES:
        obj = seeded[("a", route.obj)] if route.obj else None
        response = fetch(client, url_for(route, obj), route)
        if response.status_code != route.anonymous:
            problems.append(f"{route.name}: {response.status_code} != {route.anonymous}")
        text = response_text(response)
        if MARKER_A in text or MARKER_B in text:
            problems.append(f"{route.name}: marker visible to an anonymous visitor")
    assert not problems, "\n".join(problems)


def test_sweep_shared_mentor_sees_each_institution_separately(personas, seeded, client_for):
    """A person with roles in A and B sees only the active institution's data."""
    in_a, in_b = personas.shared_mentor
    for active, foreign_marker in ((in_a, MARKER_B), (in_b, MARKER_A)):
        client = client_for(active)
        for route in ROUTES:
            if route.obj:
                continue
            text = response_text(fetch(client, url_for(route), route))
            assert foreign_marker not in text, f"{route.name} leaks the other institution"


def test_markers_are_really_in_the_pages(personas, seeded, client_for):
    """Guard against a sweep that passes because nothing is shown at all."""
    client = client_for(personas("a", "coordinator"))
    body = client.get(reverse("people-list")).content.decode()
    assert MARKER_A in body
    assert re.search(MARKER_A, client.get(reverse("membership-list")).content.decode())


# --- the write sweep --------------------------------------------------------------------------
# Every route with an object, as every role of A that may use it: POST, PUT, PATCH and DELETE
# to B's object answer 404 (405 where the method is not allowed; 403 only where the role is
# refused the same write on its own institution's object too), and no row of B changes.
WRITE_METHODS = ("post", "put", "patch", "delete")
# A body that most forms and serializers would act on if they reached B's object.
WRITE_BODY = {
    "name": "ZQXWRITE",
    "title": "ZQXWRITE",
    "text": "ZQXWRITE",
    "comment": "ZQXWRITE",
    "reason": "ZQXWRITE",
    "description": "ZQXWRITE",
    "decision": "accepted",
    "action": "approve",
    "confirm": "1",
    "status": "done",
}


def tenant_rows_checksum(institution_id: int) -> str:
    """One digest of every tenant-owned row (and many-to-many link) of an institution."""
    import hashlib

    from django.apps import apps

    from wpl.tenancy import TenantModel

    digest = hashlib.sha256()
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model.all_tenants.filter(institution_id=institution_id).order_by("pk").values_list(*columns)
        digest.update(f"{model._meta.label}{list(rows)!r}".encode())
        for field in model._meta.local_many_to_many:
            links = field.remote_field.through.objects.filter(
                **{f"{field.m2m_field_name()}__institution_id": institution_id}
            )
            digest.update(repr(sorted(links.values_list(field.m2m_reverse_field_name(), flat=True))).encode())
    return digest.hexdigest()


def send(client: Client, method: str, url: str, route):
    if route.api:
        return getattr(client, method)(
            url, WRITE_BODY, content_type="application/json", HTTP_ACCEPT="application/json"
        )
    if method == "post":
        return client.post(url, WRITE_BODY)
    return getattr(client, method)(url)


@pytest.mark.parametrize("role", ROLES)
def test_write_sweep_role(personas, seeded, role):
    """For one role of institution A: every write method on B's object of every route."""
    client = login(personas("a", role))
    problems, refused_404 = [], 0
    before = tenant_rows_checksum(personas.b.pk)
    for route in ROUTES:
        if not route.obj or role not in route.allowed:
            continue
        url = url_for(route, seeded[("b", route.obj)])
        for method in WRITE_METHODS:
            response = send(client, method, url, route)
            status = response.status_code
            refused_404 += status == 404
            if status in (404, 405):
                continue
            if status == 403:
                # Refused for the role whatever the object: the same write on A's object.
                own = send(client, method, url_for(route, seeded[("a", route.obj)]), route)
                if own.status_code == 403:
                    continue
            problems.append(f"{route.name} {method.upper()}: {status}")
        after = tenant_rows_checksum(personas.b.pk)
        if after != before:
            problems.append(f"{route.name}: rows of institution B changed")
            before = after
    assert not problems, "\n".join(problems)
    assert refused_404 > 0  # the sweep reached views that looked B's object up


def test_checksum_sees_every_change_of_b(personas, seeded):
    """Guard against a write sweep that passes because its checksum is blind."""
    from workplaces.models import Organisation
    from wpl.tenancy import tenant_context

    before = tenant_rows_checksum(personas.b.pk)
    organisation = seeded[("b", "host_organisation")]
    with tenant_context(personas.b):
        Organisation.objects.filter(pk=organisation.pk).update(languages="fr")
    changed = tenant_rows_checksum(personas.b.pk)
    assert changed != before
    with tenant_context(personas.b):
        organisation.roles.add(seeded[("b", "cat_role")])
    assert tenant_rows_checksum(personas.b.pk) != changed
    a_only = tenant_rows_checksum(personas.b.pk)
    with tenant_context(personas.a):
        Organisation.objects.update(languages="de")
    assert tenant_rows_checksum(personas.b.pk) == a_only


# API create endpoints: a body naming another institution's row in a foreign key field answers
# 400 (naming the field) and creates nothing; the same body with A's rows is created (201).
def _create_world(personas):
    from tests import factories as f

    world = {}
    for key, institution in (("a", personas.a), ("b", personas.b)):
        programme = f.ProgrammeFactory(institution=institution)
        world[key] = {
            "programme": programme,
            "period": f.PeriodFactory(institution=institution, programme=programme),
            "organisation": f.OrganisationFactory(institution=institution),
            "role": f.ProfessionalRoleFactory(institution=institution, programme=programme),
        }
    return world


CREATE_CASES = [
    (
        "api-student-list",
        "students.Student",
        lambda w: {
            "student_number": "zqx1",
            "first_name": "Zoë",
            "last_name": "Sweep",
            "email": "zqx1@students.test",
            "programme": w["programme"].pk,
            "year": 1,
        },
        ["programme"],
    ),
    (
        "api-wplunit-list",
        "catalogue.WplUnit",
        lambda w: {
            "programme": w["programme"].pk,
            "name": "Sweep",
            "phase": 1,
            "required_days": 5,
            "periods": [w["period"].pk],
        },
        ["programme", "periods"],
    ),
    (
        "api-mentor-list",
        "workplaces.Mentor",
        lambda w: {
            "organisation": w["organisation"].pk,
            "first_name": "M",
            "last_name": "Sweep",
            "email": "m@zqx.test",
        },
        ["organisation"],
    ),
    (
        "api-workplace-approval-list",
        "workplaces.WorkplaceApproval",
        lambda w: {
            "organisation": w["organisation"].pk,
            "programme": w["programme"].pk,
            "academic_year": "2026-2027",
            "decision": "approved",
        },
        ["organisation", "programme"],
    ),
    (
        "api-organisation-list",
        "workplaces.Organisation",
        lambda w: {"name": "Sweep", "roles": [w["role"].pk]},
        ["roles"],
    ),
]


@pytest.mark.parametrize(
    ("route_name", "label", "body", "foreign_keys"), CREATE_CASES, ids=[c[0] for c in CREATE_CASES]
)
def test_create_naming_another_institutions_row_is_refused(personas, route_name, label, body, foreign_keys):
    from django.apps import apps

    model = apps.get_model(label)
    world = _create_world(personas)
    client = login(personas("a", "coordinator"))
    url = reverse(route_name)
    b_before = tenant_rows_checksum(personas.b.pk)
    count = model.all_tenants.count()
    for field in foreign_keys:
        own, other = body(world["a"]), body(world["b"])
        response = client.post(url, {**own, field: other[field]}, content_type="application/json")
        assert response.status_code == 400, (field, response.status_code, response.content)
        assert field in response.json(), response.json()
        assert model.all_tenants.count() == count
    created = client.post(url, body(world["a"]), content_type="application/json")
    assert created.status_code == 201, created.content
    assert model.all_tenants.count() == count + 1
    assert tenant_rows_checksum(personas.b.pk) == b_before


def test_board_action_naming_another_institutions_offer_is_refused(personas):
    """The board's assign action with B's offer (A's round and student): refused, nothing written."""
    from matching.models import Assignment
    round_a = OBJECT_BUILDERS["matching_round"](personas.a, "A")
    round_b = OBJECT_BUILDERS["matching_round"](personas.b, "B")
    offer_b = round_b.matrix["assignment"].offer_id
    client = login(personas("a", "coordinator"))
    before = list(Assignment.all_tenants.order_by("pk").values_list("pk", "offer_id"))
    body = {"round": round_a.pk, "student": round_a.matrix["student"], "offer": offer_b}
    response = client.post(reverse("api-matching-assignment-assign"), body, content_type="application/json")
    assert response.status_code in (400, 404), response.content
    assert list(Assignment.all_tenants.order_by("pk").values_list("pk", "offer_id")) == before
