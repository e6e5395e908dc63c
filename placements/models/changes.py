"""Changes of workplace between programme years (WPL normally runs two years at one workplace)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from placements.models.catalogue import Student, scoped_managers
from placements.models.placements import academic_year_validator
from placements.models.workplaces import Organisation
from wpl.tenancy import TenantModel, TenantQuerySet

__all__ = ["WorkplaceChange"]


class WorkplaceChangeQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_workplace_changes(self, membership)

    def fully_agreed(self):
        return self.filter(
            agreed_by_student_at__isnull=False,
            agreed_by_mentor_at__isnull=False,
            agreed_by_supervisor_at__isnull=False,
        )


class WorkplaceChange(TenantModel):
    """A student leaves their workplace for a new programme year; needs all three parties' agreement."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="workplace_changes")
    # The academic year from which the student works elsewhere.
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("current workplace")
    )
    to_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new workplace"),
    )
    reason = models.TextField(_("reason"))
    agreed_by_student_at = models.DateField(_("student agreed on"), null=True, blank=True)
    agreed_by_mentor_at = models.DateField(_("mentor agreed on"), null=True, blank=True)
    agreed_by_supervisor_at = models.DateField(_("supervisor agreed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects, all_tenants = scoped_managers(WorkplaceChangeQuerySet)

    class Meta:
        ordering = ["-academic_year", "student__last_name", "student__first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year"], name="workplace_change_unique_student_year"
            )
        ]
        verbose_name = _("workplace change")
        verbose_name_plural = _("workplace changes")

    def __str__(self) -> str:
        return (
            f"{self.student}: {self.from_organisation} → {self.to_organisation or '?'} ({self.academic_year})"
        )

    @property
    def is_fully_agreed(self) -> bool:
        return bool(self.agreed_by_student_at and self.agreed_by_mentor_at and self.agreed_by_supervisor_at)
