"""Programmes and the people who study in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wpl.tenancy import TenantManager, TenantModel, TenantQuerySet, UnscopedManager

__all__ = ["WplForm", "Programme", "ProfessionalRole", "Student", "scoped_managers"]


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


class ProgrammeQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_programmes(self, membership)


class Programme(TenantModel):
    """A programme (opleiding) that includes workplace learning."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50)
    form = models.CharField(_("form of WPL"), max_length=40, choices=WplForm.choices)
    years = models.PositiveSmallIntegerField(_("years / phases"), default=1)
    workplace_share_pct = models.PositiveSmallIntegerField(_("share of time at the workplace (%)"), default=0)
    paid = models.BooleanField(_("paid"), default=False)
    allowance_eur = models.DecimalField(
        _("allowance per month (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    objects, all_tenants = scoped_managers(ProgrammeQuerySet)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="programme_unique_code")]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


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
