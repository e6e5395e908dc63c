"""Every JSON answer of the API in the test suite is checked against the drf-spectacular schema.

tests/conftest.py wraps `django.test.Client.request` with `validate_api_response`, so each
test that calls the API (session or token client alike) also checks that the answer is what
the published schema promises: documented status codes must match their body schema
(openapi-core does the validation); an undocumented error status (400, 403, 404, ...) must
still be a JSON object, the API's error format. Non-JSON answers (CSV exports, the schema
itself) are left alone.
"""

from __future__ import annotations

import functools
import json

from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse

API_PREFIX = "/api/"
SKIPPED_PATHS = ("/api/schema/", "/api/docs/")


class SchemaViolation(AssertionError):
    """An API answer does not match the operation's documented response."""


@functools.cache
def openapi() -> OpenAPI:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    # Round-trip through JSON: lazy translations and tuples become plain JSON values.
    return OpenAPI.from_dict(json.loads(json.dumps(schema, default=str)))


def validate_api_response(method: str, path: str, query: str, response) -> None:
    """Raise SchemaViolation when a JSON answer of an /api/ path breaks the schema."""
    if not path.startswith(API_PREFIX) or path.startswith(SKIPPED_PATHS):
        return
    if path == API_PREFIX:  # the router's index of links, not an operation
        return
    if method.upper() in ("OPTIONS", "HEAD"):  # DRF metadata / no body: not in the schema
        return
    content_type = response.get("Content-Type", "")
    if not content_type.startswith("application/json") or getattr(response, "streaming", False):
        return
    body = response.content
    request = MockRequest(
        "http://testserver",
        method.lower(),
        path,
        args=dict(_query_pairs(query)),
        content_type="application/json",
    )
    answer = MockResponse(body, status_code=response.status_code, content_type="application/json")
    try:
        openapi().validate_response(request, answer)
    except (ResponseNotFound, OperationNotFound, PathNotFound):
        # Error answers (also 405 for an undocumented method) are not all documented per
        # operation; they still use the error format.
        if response.status_code >= 400 and isinstance(json.loads(body or b"null"), dict):
            return
        raise SchemaViolation(f"{method} {path} answered {response.status_code}, not in the schema") from None
    except Exception as error:  # openapi-core raises several validation error types
        details = getattr(error, "__cause__", None)
        causes = "; ".join(str(e) for e in getattr(details, "schema_errors", []) or [])
        raise SchemaViolation(
            f"{method} {path} answered {response.status_code} outside its schema: {error} {causes}\n"
            f"{body[:500]!r}"
        ) from error


def _query_pairs(query: str):
    from urllib.parse import parse_qsl

    return parse_qsl(query or "", keep_blank_values=True)


def wrap_client_request(original):
    """A `Client.request` that validates API answers after the normal request."""

    @functools.wraps(original)
    def request(self, **environ):
        response = original(self, **environ)
        validate_api_response(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            response,
        )
        return response

    return request
