"""The coordinator's review of placement offers: one row per decision (history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from placements.models.catalogue import scoped_managers
from placements.models.placements import PlacementOffer
from wpl.tenancy import TenantModel, TenantQuerySet

__all__ = ["OfferDecision"]


class OfferDecisionQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return self.filter(offer__in=permissions.visible_offers(PlacementOffer.objects.all(), membership))


class OfferDecision(TenantModel):
    """A coordinator accepted or rejected a placement offer, with a reason; rows are history."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    offer = models.ForeignKey(PlacementOffer, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    objects, all_tenants = scoped_managers(OfferDecisionQuerySet)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("offer decision")
        verbose_name_plural = _("offer decisions")

    def __str__(self) -> str:
        return f"{self.offer}: {self.decision}"
