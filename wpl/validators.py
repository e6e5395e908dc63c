"""Validators for workplace data: Belgian enterprise numbers (KBO/BCE) and weekday lists."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

YEARS_ORDER_MESSAGE = _(
    "Years at the organisation cannot exceed the years in the sector (the organisation is part of it)."
)


_SEPARATORS = re.compile(r"[\s.\-/]")


_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def normalise_enterprise_number(value: str) -> str:
    """Return the enterprise number as 0123.456.789, or raise a translated ValidationError.

    Accepted input: 0123.456.789, 0123456789, BE0123456789 (also with spaces or dashes), and
    the old 9-digit notation (403.170.701), which the official registry reads with a leading 0.
    The number has 10 digits, starts with 0 or 1, and its last two digits are
    97 - (first eight digits mod 97).
    """
    raw = (value or "").strip().upper()
    if raw.startswith("BE"):
        raw = raw[2:]
    digits = _SEPARATORS.sub("", raw)
    # ASCII digits only: str.isdigit() also accepts superscripts and other scripts' digits,
    # which int() then refuses.
    if _ASCII_DIGITS.fullmatch(digits) and len(digits) == 9:
        digits = "0" + digits
    if not _ASCII_DIGITS.fullmatch(digits) or len(digits) != 10:
        raise ValidationError(
            _("An enterprise number has 10 digits, written as 0123.456.789 or BE0123456789."),
            code="enterprise_number_format",
        )
    if digits[0] not in "01":
        raise ValidationError(
            _("A Belgian enterprise number starts with 0 or 1."), code="enterprise_number_start"
        )
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise ValidationError(
            _("This enterprise number does not exist: its check digits are wrong. Please check for typos."),
            code="enterprise_number_checksum",
        )
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def validate_enterprise_number(value: str) -> None:
    if value:
        normalise_enterprise_number(value)


def parse_weekdays(value: str | None) -> list[int]:
    """ "1,3,4" -> [1, 3, 4]; ignores blanks, keeps ISO weekday numbers 1-7 only."""
    days = set()
    for part in (value or "").split(","):
        part = part.strip()
        if _ASCII_DIGITS.fullmatch(part) and 1 <= int(part) <= 7:
            days.add(int(part))
    return sorted(days)


def format_weekdays(days) -> str:
    return ",".join(str(d) for d in sorted({int(d) for d in days}))


def validate_weekdays(value: str) -> None:
    for part in (value or "").split(","):
        part = part.strip()
        if part and (not _ASCII_DIGITS.fullmatch(part) or not 1 <= int(part) <= 7):
            raise ValidationError(
                _("Weekdays are numbers from 1 (Monday) to 7 (Sunday), separated by commas."),
                code="weekdays",
            )


def academic_year_validator(value: str) -> None:
    from django.core.exceptions import ValidationError

    parts = value.split("-")
    if (
        len(parts) != 2
        or not all(p.isdigit() and len(p) == 4 for p in parts)
        or int(parts[1]) != int(parts[0]) + 1
    ):
        raise ValidationError(_("Write the academic year as 2026-2027."), code="academic_year")
