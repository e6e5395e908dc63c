"""Programmes, programme years, periods, learning lines, course units, roles, competences,
WPL units with learning objectives, and academic calendars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wpl.tenancy import TenantModel, TenantQuerySet, scoped_managers
from wpl.validators import parse_weekdays, validate_weekdays


class WplForm(models.TextChoices):
    """Forms of workplace learning (004_…txt)."""

    DBSO = "dbso", _("DBSO (part-time vocational secondary)")
    SYNTRA_APPRENTICESHIP = "syntra_apprenticeship", _("Syntra apprenticeship")
    DUAL_LEARNING = "dual_learning", _("Dual learning")
    GRADUATE = "graduate", _("Graduate programme (graduaat)")
    SYNTRA_PACT = "syntra_pact", _("Syntra pact")
    ADULT_EDUCATION = "adult_education", _("Adult education")
    MBO_BOL = "mbo_bol", _("MBO BOL")
    MBO_BBL = "mbo_bbl", _("MBO BBL")
    DUAL_HIGHER_EDUCATION = "dual_higher_education", _("Dual study in higher education")
    INFORMAL = "informal", _("Informal workplace learning")


@dataclass(frozen=True)
class FormDefaults:
    """What a form of WPL implies for a new programme (004_…txt).

    `workplace_share_pct` is the default share of the study time at the workplace;
    `minimum_share_pct` the legal minimum where the source states one (None: no minimum);
    `paid`: the learner is paid (wage or salary); `allowance`: a learning allowance
    (leervergoeding / stagevergoeding) is customary; `workplace_days_per_week` as usual.
    """

    workplace_share_pct: int
    paid: bool
    allowance: bool
    minimum_share_pct: int | None = None
    workplace_days_per_week: Decimal | None = None


WPL_FORM_DEFAULTS: dict[str, FormDefaults] = {
    # DBSO: 2 days at the CDO, 3 days at work; wage or learning allowance.
    WplForm.DBSO: FormDefaults(60, paid=True, allowance=True, workplace_days_per_week=Decimal(3)),
    # Syntra apprenticeship: 1 day of class, 4 days at work; wage or learning allowance.
    WplForm.SYNTRA_APPRENTICESHIP: FormDefaults(
        80, paid=True, allowance=True, workplace_days_per_week=Decimal(4)
    ),
    # Dual learning: usually 2 to 3 days at work; an allowance above 20 hours a week.
    WplForm.DUAL_LEARNING: FormDefaults(
        50, paid=True, allowance=True, workplace_days_per_week=Decimal("2.5")
    ),
    # Graduate programmes: at least a third of the study load at the workplace, unpaid.
    WplForm.GRADUATE: FormDefaults(
        33, paid=False, allowance=False, minimum_share_pct=33, workplace_days_per_week=Decimal("2.5")
    ),
    # Syntra pact: at least 60 % at a learning company.
    WplForm.SYNTRA_PACT: FormDefaults(60, paid=False, allowance=False, minimum_share_pct=60),
    # Adult education: WPL is not required by law.
    WplForm.ADULT_EDUCATION: FormDefaults(0, paid=False, allowance=False),
    # MBO BOL: school five days a week, at least 20 % placement; a placement allowance varies.
    WplForm.MBO_BOL: FormDefaults(20, paid=False, allowance=True, minimum_share_pct=20),
    # MBO BBL: about 4 days of work and 1 day of school; usually a salary.
    WplForm.MBO_BBL: FormDefaults(80, paid=True, allowance=False, workplace_days_per_week=Decimal(4)),
    # Dual study (NL higher education): study combined with a paid job.
    WplForm.DUAL_HIGHER_EDUCATION: FormDefaults(50, paid=True, allowance=False),
    # Job shadowing, company visits, simulations, guest lectures, projects.
    WplForm.INFORMAL: FormDefaults(5, paid=False, allowance=False),
}


class ProgrammeQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from catalogue import permissions as catalogue_permissions

        return catalogue_permissions.visible_programmes(self, membership)


class Programme(TenantModel):
    """A programme (opleiding) that includes workplace learning."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50)
    form = models.CharField(_("form of WPL"), max_length=40, choices=WplForm.choices)
    years = models.PositiveSmallIntegerField(
        _("years / phases"),
        default=1,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(6),
        ],
    )
    workplace_share_pct = models.PositiveSmallIntegerField(
        _("share of time at the workplace (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
    )
    paid = models.BooleanField(_("paid"), default=False)
    has_allowance = models.BooleanField(_("learning allowance"), default=False)
    allowance_eur = models.DecimalField(
        _("allowance per month (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    objects, all_tenants = scoped_managers(ProgrammeQuerySet)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code"],
                name="programme_unique_code",
                violation_error_message=_("A programme with this code already exists."),
            )
        ]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def form_defaults(self) -> FormDefaults | None:
        return WPL_FORM_DEFAULTS.get(self.form)

    def clean(self) -> None:
        defaults = self.form_defaults
        minimum = defaults.minimum_share_pct if defaults else None
        if (
            minimum is not None
            and self.workplace_share_pct is not None
            and self.workplace_share_pct < minimum
        ):
            raise ValidationError(
                {
                    "workplace_share_pct": _(
                        "%(form)s has at least %(minimum)s %% of the time at the workplace."
                    )
                    % {"form": self.get_form_display(), "minimum": minimum}
                }
            )
        if self.allowance_eur is not None and self.allowance_eur < 0:
            raise ValidationError({"allowance_eur": _("An allowance cannot be negative.")})


class ProfessionalRoleQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self


class ProfessionalRole(TenantModel):
    """A professional role (beroepsrol) the programme trains for."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects, all_tenants = scoped_managers(ProfessionalRoleQuerySet)

    class Meta:
        ordering = ["programme", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="professional_role_unique_name")
        ]
        verbose_name = _("professional role")
        verbose_name_plural = _("professional roles")

    def __str__(self) -> str:
        return self.name


class JoinedText(models.Func):
    """Text columns joined with ``||`` (no COALESCE: for NOT NULL columns only).

    Cheaper to evaluate than `Concat`, which wraps every part in COALESCE; that matters
    when PostgreSQL rechecks a trigram index match on thousands of rows.
    """

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = models.TextField()


def student_search_text() -> models.Func:
    """The text a student search looks in: names, number and e-mail, one per line.

    Search words never contain whitespace, so a word matches this text exactly when it
    matches one of the fields. The same expression is indexed (`student_search_trgm`),
    so PostgreSQL answers `icontains` on it from a trigram index.
    """
    newline = models.Value("\n")
    return JoinedText("first_name", newline, "last_name", newline, "student_number", newline, "email")


MAX_UNIT_DAYS = 300


MAX_UNIT_HOURS = 2000


WEEKDAY_CHOICES = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class ProgrammeChildQuerySet(TenantQuerySet):
    """Rows that belong to a programme: visible when the programme is."""

    def visible_to(self, membership):
        from catalogue import permissions

        return self.filter(programme__in=permissions.visible_programmes(Programme.objects.all(), membership))


class ProgrammeYear(TenantModel):
    """One year (phase) of a programme: default WPL weekdays, hours per day, required hours."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="programme_years")
    year = models.PositiveSmallIntegerField(
        _("programme year"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    # ISO weekday numbers (1 = Monday) of the default WPL days, e.g. "3,4,5".
    wpl_weekdays = models.CharField(
        _("WPL weekdays"), max_length=20, blank=True, validators=[validate_weekdays]
    )
    hours_per_day = models.DecimalField(
        _("hours per WPL day"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("7.60"),
        validators=[
            MinValueValidator(Decimal("0.5")),
            MaxValueValidator(Decimal(12)),
        ],
    )
    required_hours = models.PositiveSmallIntegerField(
        _("required WPL hours"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_UNIT_HOURS)],
    )

    objects, all_tenants = scoped_managers(ProgrammeChildQuerySet)

    class Meta:
        ordering = ["programme", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year"],
                name="programme_year_unique",
                violation_error_message=_("This year already has settings."),
            ),
        ]
        verbose_name = _("programme year")
        verbose_name_plural = _("programme years")

    def __str__(self) -> str:
        return f"{self.programme} · {self.year}"

    @property
    def weekdays(self) -> list[int]:
        return parse_weekdays(self.wpl_weekdays)

    def clean(self) -> None:
        if self.programme_id and self.year and self.year > self.programme.years:
            raise ValidationError(
                {"year": _("This programme has only %(years)s year(s).") % {"years": self.programme.years}}
            )


class Period(TenantModel):
    """A semester or quarter of a programme, optionally with dates."""

    class Kind(models.TextChoices):
        SEMESTER = "semester", _("Semester")
        QUARTER = "quarter", _("Quarter")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    ordinal = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    name = models.CharField(_("name"), max_length=100)
    phase = models.PositiveSmallIntegerField(
        _("phase / year"), default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)

    objects, all_tenants = scoped_managers(ProgrammeChildQuerySet)

    class Meta:
        ordering = ["programme", "kind", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "ordinal"],
                name="period_unique_ordinal",
                violation_error_message=_(
                    "This programme already has a period of this kind with this number."
                ),
            ),
        ]
        verbose_name = _("period")
        verbose_name_plural = _("periods")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end date is before the start date.")
        if self.programme_id and self.phase and self.phase > self.programme.years:
            errors["phase"] = _("This programme has only %(years)s year(s).") % {
                "years": self.programme.years
            }
        if not errors and self.programme_id and self.start and self.end:
            overlapping = (
                Period.objects.filter(
                    programme_id=self.programme_id,
                    kind=self.kind,
                    start__lte=self.end,
                    end__gte=self.start,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping is not None:
                errors["start"] = _("This period overlaps with %(other)s (%(start)s - %(end)s).") % {
                    "other": overlapping.name,
                    "start": overlapping.start.strftime("%d/%m/%Y"),
                    "end": overlapping.end.strftime("%d/%m/%Y"),
                }
        if errors:
            raise ValidationError(errors)


class LearningLine(TenantModel):
    """A learning line (leerlijn) that groups course units, e.g. "Leerlijn beroepsrollen"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="learning_lines")
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects, all_tenants = scoped_managers(ProgrammeChildQuerySet)

    class Meta:
        ordering = ["programme", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="learning_line_unique_name",
                violation_error_message=_("This programme already has a learning line with this name."),
            ),
        ]
        verbose_name = _("learning line")
        verbose_name_plural = _("learning lines")

    def __str__(self) -> str:
        return self.name


class CourseUnit(TenantModel):
    """A course unit (opleidingsonderdeel) with its credits (studiepunten) in a year."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="course_units")
    learning_line = models.ForeignKey(
        LearningLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="course_units",
        verbose_name=_("learning line"),
    )
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("programme year"), default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    credits = models.PositiveSmallIntegerField(
        _("credits"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="course_units",
        verbose_name=_("period"),
    )

    objects, all_tenants = scoped_managers(ProgrammeChildQuerySet)

    class Meta:
        ordering = ["programme", "year", "learning_line__order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "name"],
                name="course_unit_unique_name",
                violation_error_message=_(
                    "This programme already has a course unit with this name in this year."
                ),
            ),
        ]
        verbose_name = _("course unit")
        verbose_name_plural = _("course units")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.learning_line_id and self.learning_line.programme_id != self.programme_id:
            errors["learning_line"] = _("Choose a learning line of this programme.")
        if self.period_id and self.period.programme_id != self.programme_id:
            errors["period"] = _("Choose a period of this programme.")
        if errors:
            raise ValidationError(errors)


class Competence(TenantModel):
    """A competence of the programme; may be central in some semesters (centraal per semester)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(_("code"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    role = models.ForeignKey(
        ProfessionalRole,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="competences",
        verbose_name=_("professional role"),
    )
    central_in = models.ManyToManyField(
        Period, blank=True, related_name="central_competences", verbose_name=_("central in")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects, all_tenants = scoped_managers(ProgrammeChildQuerySet)

    class Meta:
        ordering = ["programme", "order", "code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="competence_unique_name",
                violation_error_message=_("This programme already has a competence with this name."),
            ),
        ]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def clean(self) -> None:
        if self.role_id and self.role.programme_id != self.programme_id:
            raise ValidationError({"role": _("Choose a professional role of this programme.")})


class WplUnitQuerySet(ProgrammeChildQuerySet):
    pass


class WplUnit(TenantModel):
    """A course unit that is workplace learning, e.g. "Werkplekleren: Payroll" (14 days)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="wpl_units")
    name = models.CharField(_("name"), max_length=200)
    phase = models.PositiveSmallIntegerField(
        _("phase / year"), default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    required_days = models.PositiveSmallIntegerField(
        _("required days"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(MAX_UNIT_DAYS),
        ],
    )
    required_hours = models.PositiveSmallIntegerField(
        _("required hours"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(MAX_UNIT_HOURS),
        ],
    )
    periods = models.ManyToManyField(Period, blank=True, related_name="wpl_units", verbose_name=_("periods"))
    group_size = models.PositiveSmallIntegerField(
        _("group size"),
        null=True,
        blank=True,
        help_text=_("Students who do this unit together at one workplace, e.g. 3."),
        validators=[
            MinValueValidator(1),
            MaxValueValidator(30),
        ],
    )
    rotation = models.BooleanField(
        _("rotation between settings"),
        default=False,
        help_text=_("The student rotates between several workplaces or settings."),
    )
    description = models.TextField(_("description"), blank=True)

    objects, all_tenants = scoped_managers(WplUnitQuerySet)

    class Meta:
        ordering = ["programme", "phase", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="wpl_unit_unique_name",
                violation_error_message=_("This programme already has a WPL unit with this name."),
            ),
        ]
        verbose_name = _("WPL unit")
        verbose_name_plural = _("WPL units")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.required_days is None and self.required_hours is None:
            errors["required_days"] = _("Enter a number of days or a number of hours (or both).")
        if self.programme_id and self.phase and self.phase > self.programme.years:
            errors["phase"] = _("This programme has only %(years)s year(s).") % {
                "years": self.programme.years
            }
        if errors:
            raise ValidationError(errors)


class LearningObjectiveQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from catalogue import permissions

        return self.filter(
            unit__programme__in=permissions.visible_programmes(Programme.objects.all(), membership)
        )


class LearningObjective(TenantModel):
    """A learning objective (leerdoel) of a WPL unit, in the order of the source."""

    unit = models.ForeignKey(WplUnit, on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Optional heading the objective is grouped under, e.g. "Rekrutering en selectie".
    setting = models.CharField(_("setting"), max_length=200, blank=True)
    text = models.TextField(_("objective"))

    objects, all_tenants = scoped_managers(LearningObjectiveQuerySet)

    class Meta:
        ordering = ["unit", "order", "id"]
        verbose_name = _("learning objective")
        verbose_name_plural = _("learning objectives")

    def __str__(self) -> str:
        return self.text[:80]


class CalendarQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        # The academic calendar is not personal: everyone in the institution may read it.
        return self


class AcademicCalendar(TenantModel):
    """The institution's calendar for one academic year: WPL start and end, class days, holidays."""

    academic_year = models.CharField(_("academic year"), max_length=9)
    wpl_start = models.DateField(_("WPL starts"))
    wpl_end = models.DateField(_("WPL ends"))
    notes = models.TextField(_("notes"), blank=True)

    objects, all_tenants = scoped_managers(CalendarQuerySet)

    class Meta:
        ordering = ["-academic_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "academic_year"],
                name="calendar_unique_year",
                violation_error_message=_("There already is a calendar for this academic year."),
            ),
        ]
        verbose_name = _("academic calendar")
        verbose_name_plural = _("academic calendars")

    def __str__(self) -> str:
        return self.academic_year

    @property
    def first_year(self) -> int:
        return int(self.academic_year[:4])

    def clean(self) -> None:
        from wpl.validators import academic_year_validator

        errors = {}
        try:
            academic_year_validator(self.academic_year or "")
        except ValidationError as exc:
            errors["academic_year"] = exc.messages
        if self.wpl_start and self.wpl_end:
            if self.wpl_end < self.wpl_start:
                errors["wpl_end"] = _("The end date is before the start date.")
            elif "academic_year" not in errors:
                first = int(self.academic_year[:4])
                if not (date(first, 8, 1) <= self.wpl_start and self.wpl_end <= date(first + 1, 9, 30)):
                    errors["wpl_start"] = _(
                        "WPL of %(year)s runs between 1 August %(first)s and 30 September %(last)s."
                    ) % {"year": self.academic_year, "first": first, "last": first + 1}
        if errors:
            raise ValidationError(errors)


class CalendarChildQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self


class ClassDay(TenantModel):
    """A day with classes on which there is no WPL, for all programmes or one (year)."""

    calendar = models.ForeignKey(AcademicCalendar, on_delete=models.CASCADE, related_name="class_days")
    date = models.DateField(_("date"))
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="class_days",
        verbose_name=_("programme"),
        help_text=_("Empty: a class day for every programme."),
    )
    year = models.PositiveSmallIntegerField(
        _("programme year"),
        null=True,
        blank=True,
        help_text=_("Empty: every year of the programme."),
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects, all_tenants = scoped_managers(CalendarChildQuerySet)

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date", "programme", "year"],
                name="class_day_unique",
                violation_error_message=_("This class day already exists."),
            ),
        ]
        verbose_name = _("class day")
        verbose_name_plural = _("class days")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.description}".strip()

    def applies_to(self, programme_id: int, year: int) -> bool:
        return (self.programme_id is None or self.programme_id == programme_id) and (
            self.year is None or self.year == year
        )

    def clean(self) -> None:
        errors = {}
        if self.year is not None and self.programme_id is None:
            errors["year"] = _("Choose a programme for a class day of one year.")
        if self.calendar_id and self.date:
            cal = self.calendar
            if not (cal.wpl_start <= self.date <= cal.wpl_end):
                errors["date"] = _("The date falls outside the WPL period (%(start)s - %(end)s).") % {
                    "start": cal.wpl_start.strftime("%d/%m/%Y"),
                    "end": cal.wpl_end.strftime("%d/%m/%Y"),
                }
        if errors:
            raise ValidationError(errors)


class SchoolHoliday(TenantModel):
    """A school holiday (range of days) without WPL, e.g. the Christmas holidays."""

    calendar = models.ForeignKey(AcademicCalendar, on_delete=models.CASCADE, related_name="holidays")
    name = models.CharField(_("name"), max_length=100)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    objects, all_tenants = scoped_managers(CalendarChildQuerySet)

    class Meta:
        ordering = ["calendar", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="school_holiday_end_after_start",
                violation_error_message=_("The last day is before the first day."),
            ),
        ]
        verbose_name = _("school holiday")
        verbose_name_plural = _("school holidays")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The last day is before the first day.")})
