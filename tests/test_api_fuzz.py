"""Schemathesis over the whole API, as a coordinator and as a student: no server error, and
every answer matches its documented schema.

Bounded so it belongs in `make test`: a few generated examples per operation, no shrinking,
no example database. Requests go straight into the WSGI application (no server), inside
the test's transaction, with an API token and the institution header.
"""

from __future__ import annotations

import json
import time

import pytest
from django.core import signals
from django.db import close_old_connections

from tests.fixtures import make_world

MAX_EXAMPLES = 2
# Not fuzzed: the schema and docs pages are not JSON; the token endpoint is throttled and
# revoking the token would sign the fuzzer out (it has its own tests in test_security.py).
SKIPPED_PATHS = ("/api/schema/", "/api/docs/", "/api/token/")


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, without closing the test's connection after each request."""
    from django.core.wsgi import get_wsgi_application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["coordinator", "student"])
def test_fuzzed_api_has_no_server_error_and_keeps_its_schema(personas, wsgi_app, role):
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator
    from hypothesis import HealthCheck, Phase, given, settings
    from rest_framework.authtoken.models import Token
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    make_world(personas.a, students=3, offers=2)
    raw = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = wsgi_app
    schema.location = "/api/schema/"
    user = personas("a", role).user
    token = Token.objects.create(user=user)
    headers = {"Authorization": f"Token {token.key}", "X-Institution": personas.a.slug}

    failures: list[str] = []
    calls = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(SKIPPED_PATHS):
            continue

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # collect them all: one report
            failures.append(f"{operation.label}: {str(error)[:800]}")
    assert calls > 50
    assert not failures, "\n\n".join(failures)
    # Keep the run bounded (the whole API, both roles, well within two minutes).
    assert time.monotonic() - started < 120
