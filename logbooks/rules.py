"""The logbook's counting rules as pure functions (no database): hours, flags, forecast.

The rules come from the WPL guide and are programme settings (`LogbookSettings`):
a full day counts at least `full_day_min_hours` (7.5 h) and hours above `day_max_hours`
(8 h) are kept on the entry but not counted; Sunday and public-holiday work counts with
`sunday_holiday_factor` (1: single).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")

FLAG_OUTSIDE_WEEKDAYS = "outside_weekdays"
FLAG_SCHOOL_HOLIDAY = "school_holiday"
FLAG_SUNDAY = "sunday"
FLAG_PUBLIC_HOLIDAY = "public_holiday"


@dataclass(frozen=True)
class Rules:
    """The numbers of `LogbookSettings` that counting needs."""

    full_day_min_hours: Decimal = Decimal("7.5")
    day_max_hours: Decimal = Decimal("8")
    sunday_holiday_factor: Decimal = Decimal("1")
    flag_outside_weekdays: bool = True
    flag_school_holidays: bool = True

    @classmethod
    def of(cls, settings) -> Rules:
        return cls(
            full_day_min_hours=Decimal(settings.full_day_min_hours),
            day_max_hours=Decimal(settings.day_max_hours),
            sunday_holiday_factor=Decimal(settings.sunday_holiday_factor),
            flag_outside_weekdays=settings.flag_outside_weekdays,
            flag_school_holidays=settings.flag_school_holidays,
        )


def hours_between(start: time, end: time, break_minutes: int | None) -> Decimal:
    """Worked hours from a start, an end and a break; negative or zero means a bad input."""
    minutes = (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 60
    minutes -= break_minutes or 0
    return (Decimal(minutes) / 60).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def counted_hours(hours: Decimal, rules: Rules, *, special_day: bool = False) -> Decimal:
    """The hours a day counts for: capped at the maximum, times the Sunday/holiday factor."""
    counted = min(Decimal(hours), rules.day_max_hours)
    if special_day:
        counted *= rules.sunday_holiday_factor
    return counted.quantize(TWO_PLACES)


def counted_day(hours: Decimal, rules: Rules) -> Decimal:
    """How much of a WPL day an entry counts for: 1 from the full-day minimum, else pro rata."""
    if rules.full_day_min_hours <= 0:
        return Decimal(1)
    return min(Decimal(1), Decimal(hours) / rules.full_day_min_hours).quantize(TWO_PLACES)


def flags_for(
    day: date,
    *,
    weekdays: set[int],
    school_holidays: set[date],
    public_holidays: set[date],
    rules: Rules,
) -> list[str]:
    """Why the mentor should look at this day twice (empty for an ordinary WPL day)."""
    flags = []
    if rules.flag_outside_weekdays and weekdays and day.isoweekday() not in weekdays:
        flags.append(FLAG_OUTSIDE_WEEKDAYS)
    if rules.flag_school_holidays and day in school_holidays:
        flags.append(FLAG_SCHOOL_HOLIDAY)
    if day.isoweekday() == 7:
        flags.append(FLAG_SUNDAY)
    if day in public_holidays:
        flags.append(FLAG_PUBLIC_HOLIDAY)
    return flags


def is_special_day(flags: list[str]) -> bool:
    return FLAG_SUNDAY in flags or FLAG_PUBLIC_HOLIDAY in flags


def forecast_end(
    *,
    done_hours: Decimal,
    required_hours: Decimal,
    hours_per_planned_day: Decimal,
    future_days: list[date],
    weekdays: set[int],
) -> date | None:
    """The day the required hours are reached at the current pace.

    Walks the planned days still ahead, each worth `hours_per_planned_day` (the pace so
    far); when the plan runs out, continues on the agreed weekdays. None without a pace.
    """
    if done_hours >= required_hours:
        return None
    if hours_per_planned_day <= 0:
        return None
    remaining = required_hours - done_hours
    last = None
    for day in future_days:
        remaining -= hours_per_planned_day
        last = day
        if remaining <= 0:
            return day
    if not weekdays:
        return None
    day = (last or (future_days[-1] if future_days else date.today())) + timedelta(days=1)
    for _ in range(3 * 366):  # never loop forever on a tiny pace
        if day.isoweekday() in weekdays:
            remaining -= hours_per_planned_day
            if remaining <= 0:
                return day
        day += timedelta(days=1)
    return None
