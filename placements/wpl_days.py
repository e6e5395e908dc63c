"""WPL days of a placement, for reminders that count gaps in working days, not calendar days.

A placement's WPL days are its programme year's planned WPL days (`planned_wpl_days()`, the
same plan /my/placement/ shows: the weekdays of the programme year within the academic
calendar, minus class days, school and public holidays), clipped to the placement's own
start and end, minus the student's absences, which the logbook app provides through
`wpl.registry.register_absence_provider()` (the core never imports it).

For sweeps over many placements use `WplDayCalendar`: it computes one plan per
(programme, year, academic year) and asks the absence providers once for a whole batch.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date

from catalogue.selectors import year_plan


class WplDayCalendar:
    """WPL days for a batch of placements of the active institution (cached plans)."""

    def __init__(self, placements: Iterable, *, absences: bool = True) -> None:
        from wpl import registry

        self._placements = {p.pk: p for p in placements}
        self._plans: dict[tuple, list[date]] = {}
        self._days: dict[int, list[date]] = {}
        self._absent = registry.absences(list(self._placements)) if absences else {}

    def _plan(self, placement) -> list[date]:
        key = (placement.programme_id, placement.year, placement.academic_year)
        if key not in self._plans:
            plan = year_plan(
                programme=placement.programme, year=placement.year, academic_year=placement.academic_year
            )
            self._plans[key] = plan.days if plan else []
        return self._plans[key]

    def days(self, placement) -> list[date]:
        """Sorted WPL days of `placement` (its dates, without holidays and absences)."""
        if placement.pk not in self._days:
            if placement.pk not in self._placements:
                self._placements[placement.pk] = placement
            days = self._plan(placement)
            lo = bisect_left(days, placement.start_date) if placement.start_date else 0
            hi = bisect_right(days, placement.end_date) if placement.end_date else len(days)
            absent = self._absent.get(placement.pk, set())
            self._days[placement.pk] = [d for d in days[lo:hi] if d not in absent]
        return self._days[placement.pk]

    def count_between(self, placement, after: date | None, until: date) -> int:
        """WPL days strictly after `after` (None: from the start) up to and including `until`."""
        return count_between(self.days(placement), after, until)

    def nth_day_after(self, placement, after: date | None, n: int) -> date | None:
        return nth_day_after(self.days(placement), after, n)


def count_between(days: list[date], after: date | None, until: date) -> int:
    """How many of the sorted `days` fall in (after, until]."""
    lo = bisect_right(days, after) if after else 0
    return max(0, bisect_right(days, until) - lo)


def nth_day_after(days: list[date], after: date | None, n: int) -> date | None:
    """The n-th (1-based) of the sorted `days` after `after`: the day a gap of n WPL days is
    complete. None when the placement has fewer days left. A sweep uses it as the due date
    in the notification key, so a late sweep still finds (and sends once) what fell due."""
    if n < 1:
        raise ValueError("n must be at least 1")
    index = (bisect_right(days, after) if after else 0) + n - 1
    return days[index] if index < len(days) else None


def placement_wpl_days(placement, *, absences: bool = True) -> list[date]:
    """The WPL days of one placement (a few queries; use WplDayCalendar for batches)."""
    return WplDayCalendar([placement], absences=absences).days(placement)


def wpl_days_between(placement, after: date | None, until: date) -> int:
    """WPL days of `placement` in (after, until]: a gap counted the way reminders count it."""
    return count_between(placement_wpl_days(placement), after, until)
