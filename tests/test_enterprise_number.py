"""Belgian enterprise numbers (KBO/BCE): format, check digits and normalisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from wpl.validators import normalise_enterprise_number, validate_enterprise_number


def make_number(first_eight: str) -> str:
    """A valid number: the check digits are 97 - (first eight digits mod 97)."""
    check = 97 - int(first_eight) % 97
    return f"{first_eight}{check:02d}"


def test_check_digit_helper_matches_known_numbers():
    assert make_number("04031707") == "0403170701"
    assert make_number("12345678") == "1234567894"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0403170701", "0403.170.701"),
        ("0403.170.701", "0403.170.701"),
        ("BE0403170701", "0403.170.701"),
        ("be 0403.170.701", "0403.170.701"),
        (" 0403 170 701 ", "0403.170.701"),
        ("1234567894", "1234.567.894"),
        ("BE1234.567.894", "1234.567.894"),
        (make_number("02000000"), "0200.000.0" + make_number("02000000")[8:]),
    ],
)
def test_valid_numbers_are_normalised(raw, expected):
    assert normalise_enterprise_number(raw) == expected
    validate_enterprise_number(raw)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0403170702", "enterprise_number_checksum"),  # last digit off by one
        ("0403.170.710", "enterprise_number_checksum"),  # swapped check digits
        ("2403170701", "enterprise_number_start"),  # must start with 0 or 1
        ("04031707011", "enterprise_number_format"),  # 11 digits
        ("BE04O3170701", "enterprise_number_format"),  # letter O instead of zero
        ("NL0403170701", "enterprise_number_format"),
        ("", "enterprise_number_format"),
    ],
)
def test_malformed_numbers_raise_a_clear_error(raw, code):
    with pytest.raises(ValidationError) as excinfo:
        normalise_enterprise_number(raw)
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]


def test_empty_value_is_allowed_by_the_field_validator():
    validate_enterprise_number("")


def test_messages_are_translated():
    from django.utils import translation

    with pytest.raises(ValidationError) as excinfo:
        normalise_enterprise_number("0403170702")
    # The message is lazy: it is rendered in the language active when it is shown.
    with translation.override("en"):
        assert "check digits" in excinfo.value.messages[0]
    with translation.override("nl"):
        assert "controlecijfers" in excinfo.value.messages[0]


@pytest.mark.parametrize("first_eight", ["00000001", "04170000", "08812345", "19999999", "10000000"])
def test_computed_numbers_round_trip(first_eight):
    number = make_number(first_eight)
    formatted = normalise_enterprise_number(number)
    assert formatted.replace(".", "") == number
    assert normalise_enterprise_number(formatted) == formatted
