"""Offers of places, workplace approvals and the placements that result from matching."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from placements.models.catalogue import ProfessionalRole, Programme, Student, scoped_managers
from placements.models.workplaces import Mentor, Organisation, Site
from wpl.tenancy import TenantModel, TenantQuerySet

__all__ = ["academic_year_validator", "WorkplaceApproval", "PlacementOffer", "Placement"]


def academic_year_validator(value: str) -> None:
    from django.core.exceptions import ValidationError

    parts = value.split("-")
    if (
        len(parts) != 2
        or not all(p.isdigit() and len(p) == 4 for p in parts)
        or int(parts[1]) != int(parts[0]) + 1
    ):
        raise ValidationError(_("Write the academic year as 2026-2027."), code="academic_year")


class ApprovalQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_approvals(self, membership)


class WorkplaceApproval(TenantModel):
    """A coordinator's decision on an organisation for a programme and year; rows are history."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="approvals")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="approvals")
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey("wpl.User", on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    objects, all_tenants = scoped_managers(ApprovalQuerySet)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("workplace approval")
        verbose_name_plural = _("workplace approvals")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.programme} · {self.academic_year}: {self.decision}"


class OfferQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_offers(self, membership)


class PlacementOffer(TenantModel):
    """Places an organisation offers for a programme, year (phase) and academic year."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offers")
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="offers")
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    year = models.PositiveSmallIntegerField(_("programme year"), default=1)
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    tasks = models.TextField(_("tasks"), blank=True)
    roles = models.ManyToManyField(ProfessionalRole, blank=True, related_name="offers")
    mentor = models.ForeignKey(
        Mentor, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    # ISO weekday numbers (1 = Monday) on which the student works, e.g. "3,4,5".
    weekdays = models.CharField(_("weekdays"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # Set when a working student proposed their own employer (context "own employee").
    proposed_by_student = models.ForeignKey(
        Student,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by student"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(OfferQuerySet)

    class Meta:
        ordering = ["organisation__name", "id"]
        verbose_name = _("placement offer")
        verbose_name_plural = _("placement offers")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.programme} {self.academic_year}"


class PlacementQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_placements(self, membership)


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
        "placements.WplUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
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
