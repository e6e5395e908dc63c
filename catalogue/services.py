"""Writes of the catalogue: programmes, their structure and academic calendars.

Every function validates the whole object (model field validators, `clean()` and the
constraints) before it saves, so bad input raises `django.core.exceptions.ValidationError`
and nothing is half-saved. Children take the institution of their parent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from catalogue.models import (
    WPL_FORM_DEFAULTS,
    AcademicCalendar,
    ClassDay,
    Competence,
    CourseUnit,
    LearningLine,
    LearningObjective,
    Period,
    ProfessionalRole,
    Programme,
    ProgrammeYear,
    SchoolHoliday,
    WplUnit,
)
from wpl import audit
from wpl.models import Membership
from wpl.tenancy import require_institution_id

M = TypeVar("M", bound=models.Model)


def _validated_save(instance: M, *, institution_id: int, actor: Membership | None) -> M:
    """Validate, save and record `catalogue.<model>.create|update` in the audit trail."""
    creating = instance.pk is None
    if instance.institution_id is None:
        instance.institution_id = institution_id
    instance.full_clean()
    instance.save()
    verb = "create" if creating else "update"
    audit.record(
        actor=actor,
        action=f"catalogue.{instance._meta.model_name}.{verb}",
        obj=instance,
        summary=str(instance),
    )
    return instance


def _assign(instance: M, **values) -> M:
    for name, value in values.items():
        setattr(instance, name, value)
    return instance


# --- programmes ---------------------------------------------------------------------------
@transaction.atomic
def save_programme(
    *,
    actor: Membership | None,
    name: str,
    code: str,
    form: str,
    years: int,
    workplace_share_pct: int | None = None,
    paid: bool | None = None,
    has_allowance: bool | None = None,
    allowance_eur: Decimal | None = None,
    description: str = "",
    programme: Programme | None = None,
) -> Programme:
    """Create (programme=None) or update a programme.

    On creation, `workplace_share_pct`, `paid` and `has_allowance` left as None take the
    defaults of the form of WPL (WPL_FORM_DEFAULTS); on update None keeps the stored value.
    """
    creating = programme is None
    programme = programme or Programme()
    defaults = WPL_FORM_DEFAULTS.get(form)
    fallback = {
        "workplace_share_pct": defaults.workplace_share_pct if (creating and defaults) else None,
        "paid": defaults.paid if (creating and defaults) else None,
        "has_allowance": defaults.allowance if (creating and defaults) else None,
    }
    chosen = {"workplace_share_pct": workplace_share_pct, "paid": paid, "has_allowance": has_allowance}
    for field, value in chosen.items():
        if value is None:
            value = fallback[field] if creating else getattr(programme, field)
        if value is not None:
            setattr(programme, field, value)
    _assign(
        programme,
        name=name,
        code=code,
        form=form,
        years=years,
        allowance_eur=allowance_eur,
        description=description,
    )
    return _validated_save(programme, institution_id=require_institution_id(), actor=actor)


@transaction.atomic
def save_programme_year(
    *,
    actor: Membership | None,
    programme: Programme,
    year: int,
    wpl_weekdays: Iterable[int],
    hours_per_day: Decimal,
    required_hours: int | None = None,
    programme_year: ProgrammeYear | None = None,
) -> ProgrammeYear:
    """Create or update the WPL weekdays (ISO numbers), hours per day and required hours of a year."""
    programme_year = programme_year or ProgrammeYear(programme=programme)
    _assign(
        programme_year,
        year=year,
        wpl_weekdays=",".join(str(d) for d in sorted({int(d) for d in wpl_weekdays})),
        hours_per_day=hours_per_day,
        required_hours=required_hours,
    )
    return _validated_save(programme_year, institution_id=programme.institution_id, actor=actor)


@transaction.atomic
def save_period(
    *,
    actor: Membership | None,
    programme: Programme,
    kind: str,
    ordinal: int,
    name: str,
    phase: int,
    start: date | None = None,
    end: date | None = None,
    period: Period | None = None,
) -> Period:
    """Create or update a semester/quarter; refuses an end before the start or an overlap."""
    period = period or Period(programme=programme)
    _assign(period, kind=kind, ordinal=ordinal, name=name, phase=phase, start=start, end=end)
    return _validated_save(period, institution_id=programme.institution_id, actor=actor)


@transaction.atomic
def save_role(
    *,
    actor: Membership | None,
    programme: Programme,
    name: str,
    description: str = "",
    order: int = 0,
    role: ProfessionalRole | None = None,
) -> ProfessionalRole:
    role = role or ProfessionalRole(programme=programme)
    _assign(role, name=name, description=description, order=order)
    return _validated_save(role, institution_id=programme.institution_id, actor=actor)


@transaction.atomic
def save_learning_line(
    *,
    actor: Membership | None,
    programme: Programme,
    name: str,
    order: int = 0,
    line: LearningLine | None = None,
) -> LearningLine:
    line = line or LearningLine(programme=programme)
    _assign(line, name=name, order=order)
    return _validated_save(line, institution_id=programme.institution_id, actor=actor)


@transaction.atomic
def save_course_unit(
    *,
    actor: Membership | None,
    programme: Programme,
    name: str,
    year: int,
    credits: int | None = None,
    learning_line: LearningLine | None = None,
    period: Period | None = None,
    course_unit: CourseUnit | None = None,
) -> CourseUnit:
    course_unit = course_unit or CourseUnit(programme=programme)
    _assign(course_unit, name=name, year=year, credits=credits, learning_line=learning_line, period=period)
    return _validated_save(course_unit, institution_id=programme.institution_id, actor=actor)


@transaction.atomic
def save_competence(
    *,
    actor: Membership | None,
    programme: Programme,
    name: str,
    code: str = "",
    description: str = "",
    role: ProfessionalRole | None = None,
    central_in: Iterable[Period] = (),
    order: int = 0,
    competence: Competence | None = None,
) -> Competence:
    """Create or update a competence; `central_in` are the periods (semesters) it is central in."""
    competence = competence or Competence(programme=programme)
    _assign(competence, name=name, code=code, description=description, role=role, order=order)
    central = list(central_in)
    _check_own_periods(programme, central, field="central_in")
    _validated_save(competence, institution_id=programme.institution_id, actor=actor)
    competence.central_in.set(central)
    return competence


def _check_own_periods(programme: Programme, periods: Sequence[Period], *, field: str) -> None:
    if any(p.programme_id != programme.pk for p in periods):
        raise ValidationError({field: _("Choose periods of this programme.")})


@transaction.atomic
def save_wpl_unit(
    *,
    actor: Membership | None,
    programme: Programme,
    name: str,
    phase: int,
    required_days: int | None = None,
    required_hours: int | None = None,
    periods: Iterable[Period] = (),
    objectives: Sequence[str | tuple[str, str]] = (),
    group_size: int | None = None,
    rotation: bool = False,
    description: str = "",
    unit: WplUnit | None = None,
) -> WplUnit:
    """Create or update a WPL unit with its periods and its ordered learning objectives.

    `objectives` are texts or (setting, text) pairs, in order; they replace the unit's
    current objectives.
    """
    unit = unit or WplUnit(programme=programme)
    _assign(
        unit,
        name=name,
        phase=phase,
        required_days=required_days,
        required_hours=required_hours,
        group_size=group_size,
        rotation=rotation,
        description=description,
    )
    chosen_periods = list(periods)
    _check_own_periods(programme, chosen_periods, field="periods")
    _validated_save(unit, institution_id=programme.institution_id, actor=actor)
    unit.periods.set(chosen_periods)
    wanted = [(o, "") if isinstance(o, str) else (o[1], o[0]) for o in objectives]
    current = [(o.text, o.setting) for o in unit.objectives.order_by("order", "id")]
    if current != wanted:
        unit.objectives.all().delete()
        LearningObjective.objects.bulk_create(
            LearningObjective(
                institution_id=programme.institution_id, unit=unit, order=i, setting=setting, text=text
            )
            for i, (text, setting) in enumerate(wanted, start=1)
        )
    return unit


# --- calendars ----------------------------------------------------------------------------
@transaction.atomic
def save_calendar(
    *,
    actor: Membership | None,
    academic_year: str,
    wpl_start: date,
    wpl_end: date,
    notes: str = "",
    calendar: AcademicCalendar | None = None,
) -> AcademicCalendar:
    """Create or update the calendar of an academic year ("2026-2027") of the active institution."""
    calendar = calendar or AcademicCalendar()
    _assign(calendar, academic_year=academic_year, wpl_start=wpl_start, wpl_end=wpl_end, notes=notes)
    return _validated_save(calendar, institution_id=require_institution_id(), actor=actor)


@transaction.atomic
def add_class_day(
    *,
    actor: Membership | None,
    calendar: AcademicCalendar,
    date: date,
    programme: Programme | None = None,
    year: int | None = None,
    description: str = "",
) -> ClassDay:
    """A day without WPL because of classes: for every programme, one programme or one year."""
    class_day = ClassDay(
        calendar=calendar, date=date, programme=programme, year=year, description=description
    )
    return _validated_save(class_day, institution_id=calendar.institution_id, actor=actor)


@transaction.atomic
def delete_class_day(*, actor: Membership | None, class_day: ClassDay) -> None:
    audit.record(actor=actor, action="catalogue.classday.delete", obj=class_day, summary=str(class_day))
    class_day.delete()


@transaction.atomic
def save_school_holiday(
    *,
    actor: Membership | None,
    calendar: AcademicCalendar,
    name: str,
    start: date,
    end: date,
    holiday: SchoolHoliday | None = None,
) -> SchoolHoliday:
    holiday = holiday or SchoolHoliday(calendar=calendar)
    _assign(holiday, name=name, start=start, end=end)
    return _validated_save(holiday, institution_id=calendar.institution_id, actor=actor)


@transaction.atomic
def delete_school_holiday(*, actor: Membership | None, holiday: SchoolHoliday) -> None:
    audit.record(actor=actor, action="catalogue.schoolholiday.delete", obj=holiday, summary=str(holiday))
    holiday.delete()
