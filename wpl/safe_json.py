"""JSON from untrusted input with a nesting limit: a clear error instead of a RecursionError (500).

Python's decoder recurses once per nested array or object; a thousand levels exhaust the
stack in the decoder or in whatever walks the result afterwards. Nothing the platform
accepts nests deeper than a few levels, so anything deeper than MAX_DEPTH is refused.
"""

from __future__ import annotations

import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32


class TooDeep(ValueError):
    """The document nests arrays or objects deeper than allowed."""


def depth_message() -> str:
    return _("The JSON is nested too deeply (more than %(depth)s levels).") % {"depth": MAX_DEPTH}


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Raise TooDeep when brackets outside strings nest deeper than `max_depth` (no recursion)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise TooDeep(depth_message())
        elif char in "]}":
            depth -= 1


def loads(text: str | bytes, max_depth: int = MAX_DEPTH):
    """json.loads (strict: no NaN) that refuses documents nested deeper than `max_depth`."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    check_depth(text, max_depth)
    try:
        return json.loads(text)
    except RecursionError:  # belt and braces: the check above should have caught it
        raise TooDeep(depth_message()) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the nesting limit; a too-deep body is a 400 with a clear message."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads(text)
        except TooDeep as exc:
            raise ParseError(str(exc)) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None  # DRF's own wording
