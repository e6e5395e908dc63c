"""Object ids from untrusted text (query strings, form values): ASCII digits in the database's range.

`str.isdigit()` accepts superscripts and other scripts' digits, and a 20-digit number
overflows the database's 64-bit integer (OverflowError, a 500). Every id filter parses
with `parse_id`, which answers None for anything that cannot be a row id.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1  # BIGINT / SQLite INTEGER
_ID = re.compile(r"[0-9]{1,19}", re.ASCII)


def parse_id(value) -> int | None:
    """The positive id written in `value`, or None when it is not one (or out of range)."""
    text = str(value if value is not None else "").strip()
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
