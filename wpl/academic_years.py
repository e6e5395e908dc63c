"""Academic years ("2026-2027"): the one place that knows when a school year starts."""

from __future__ import annotations

import datetime

from django.utils import timezone


def current_academic_year(today: datetime.date | None = None) -> str:
    """The academic year running on `today` (Brussels time): from September it is the new one."""
    today = today or timezone.localdate()
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}-{start + 1}"


def previous_academic_year(academic_year: str) -> str:
    start = int(academic_year.split("-")[0])
    return f"{start - 1}-{start}"


def academic_year_choices(around: str | None = None) -> list[str]:
    """The year before, the year itself (default: the current one) and the year after."""
    start = int((around or current_academic_year()).split("-")[0])
    return [f"{y}-{y + 1}" for y in (start - 1, start, start + 1)]
