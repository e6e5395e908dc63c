"""Programme structure: WPL units (owned by the catalogue work; extend here)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from placements.models.catalogue import Programme, scoped_managers
from wpl.tenancy import TenantModel, TenantQuerySet

__all__ = ["WplUnit"]


class WplUnitQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self


class WplUnit(TenantModel):
    """A course unit that is workplace learning, e.g. "Werkplekleren: Payroll" (14 days)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="wpl_units")
    name = models.CharField(_("name"), max_length=200)
    phase = models.PositiveSmallIntegerField(_("phase / year"), default=1)
    required_days = models.PositiveSmallIntegerField(_("required days"), null=True, blank=True)
    required_hours = models.PositiveSmallIntegerField(_("required hours"), null=True, blank=True)

    objects, all_tenants = scoped_managers(WplUnitQuerySet)

    class Meta:
        ordering = ["programme", "phase", "name"]
        verbose_name = _("WPL unit")
        verbose_name_plural = _("WPL units")

    def __str__(self) -> str:
        return self.name
