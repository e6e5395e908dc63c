"""Programmes and the people who study in them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wpl.tenancy import TenantManager, TenantModel, TenantQuerySet, UnscopedManager

__all__ = [
    "WplForm",
    "FormDefaults",
    "WPL_FORM_DEFAULTS",
    "Programme",
    "ProfessionalRole",
    "Student",
    "scoped_managers",
]


def scoped_managers(queryset_class: type[TenantQuerySet]):
    """(objects, all_tenants) managers for a tenant-owned model with its own queryset."""
    return TenantManager.from_queryset(queryset_class)(), UnscopedManager.from_queryset(queryset_class)()


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
        from placements import permissions

        return permissions.visible_programmes(self, membership)


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


class StudentQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_students(self, membership)


class Student(TenantModel):
    """A student (lerende) enrolled in a programme year; may have a login."""

    class Context(models.TextChoices):
        WPL_STUDENT = "wpl_student", _("WPL student")
        POTENTIAL_EMPLOYEE = "potential_employee", _("Potential employee")
        OWN_EMPLOYEE = "own_employee", _("Own employee")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    student_number = models.CharField(_("student number"), max_length=40)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="students")
    year = models.PositiveSmallIntegerField(_("programme year"), default=1)
    is_working_student = models.BooleanField(_("working student"), default=False)
    context = models.CharField(
        _("context"), max_length=30, choices=Context.choices, default=Context.WPL_STUDENT
    )

    objects, all_tenants = scoped_managers(StudentQuerySet)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "student_number"], name="student_unique_number"),
            models.UniqueConstraint(fields=["institution", "email"], name="student_unique_email"),
        ]
        verbose_name = _("student")
        verbose_name_plural = _("students")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
