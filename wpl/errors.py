"""The one mapping from service errors to form errors and API responses.

Services raise Django's `ValidationError` for bad input (with field names where a field is
to blame) or a `ServiceError` subclass for a domain refusal (a conflict, a state that does not
allow the step). Pages put them on the form with `wpl.forms.add_service_errors`; the API's
exception handler (`wpl.api.exception_handler`) turns them into 400 (or the error's status)
with the same messages, so a view or serializer never translates errors itself.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

API_NON_FIELD = "non_field_errors"


class ServiceError(Exception):
    """A write refused for a domain reason; the message is translated and safe to show.

    `status` is what the API answers (400 bad input, 409 conflict with someone else's change).
    """

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def field_messages(error: ValidationError | ServiceError) -> dict[str, list[str]]:
    """{field: [messages]}; messages not tied to a field under NON_FIELD_ERRORS."""
    if isinstance(error, ServiceError):
        return {NON_FIELD_ERRORS: [str(error.message)]}
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}


def api_detail(error: ValidationError | ServiceError) -> dict[str, list[str]]:
    """The same messages keyed as DRF does (`non_field_errors` for the rest)."""
    return {
        (API_NON_FIELD if field == NON_FIELD_ERRORS else field): messages
        for field, messages in field_messages(error).items()
    }
