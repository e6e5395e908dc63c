"""The placement: one student at one workplace, the hub the back-half features hang from."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import Programme
from students.models import Student
from workplaces.models import Mentor, Organisation, PlacementOffer, Site
from wpl.tenancy import TenantModel, TenantQuerySet, scoped_managers
from wpl.validators import academic_year_validator


class PlacementQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions as placements_permissions

        return placements_permissions.visible_placements(self, membership)


class Placement(TenantModel):
    """One student at one workplace with one mentor and one supervisor, for a year or unit."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="placements")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="placements")
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements"
    )
    offer = models.ForeignKey(
        PlacementOffer, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements"
    )
    mentor = models.ForeignKey(
        Mentor, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements"
    )
    supervisor = models.ForeignKey(
        "wpl.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_placements",
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="placements")
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    year = models.PositiveSmallIntegerField(_("programme year"), default=1)
    # Set for programmes whose WPL is split in units (e.g. "Payroll"); empty for a whole year.
    wpl_unit = models.ForeignKey(
        "catalogue.WplUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(PlacementQuerySet)

    class Meta:
        ordering = ["-academic_year", "student__last_name"]
        constraints = [
            # A student never holds two placements for the same period and unit.
            models.UniqueConstraint(
                fields=["student", "academic_year", "year", "wpl_unit"],
                condition=Q(wpl_unit__isnull=False),
                name="placement_unique_student_unit",
            ),
            models.UniqueConstraint(
                fields=["student", "academic_year", "year"],
                condition=Q(wpl_unit__isnull=True),
                name="placement_unique_student_year",
            ),
        ]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.student} @ {self.organisation} ({self.academic_year})"
