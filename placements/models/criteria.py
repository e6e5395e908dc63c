"""Workplace criteria (werkplekcriteria) a programme sets for its host organisations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from placements.models.catalogue import Programme, scoped_managers
from wpl.tenancy import TenantModel, TenantQuerySet

__all__ = ["WorkplaceCriterion"]


class CriterionQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from placements import permissions

        return permissions.visible_criteria(self, membership)


class WorkplaceCriterion(TenantModel):
    """One criterion of a programme, checked automatically by a rule from `placements.criteria`.

    `kind` names a rule in the fixed registry (`placements.criteria.RULES`); `params` holds
    its settings, e.g. {"regions": ["brussels"], "municipalities": ["Vilvoorde"]}.
    A preference ("preferably ...") is shown but does not block an approval.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="workplace_criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=300)
    kind = models.CharField(_("rule"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    is_preference = models.BooleanField(_("preferably (not required)"), default=False)

    objects, all_tenants = scoped_managers(CriterionQuerySet)

    class Meta:
        ordering = ["programme", "order", "id"]
        verbose_name = _("workplace criterion")
        verbose_name_plural = _("workplace criteria")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        from placements.criteria import clean_params

        self.params = clean_params(self.kind, self.params)

    def get_kind_display(self) -> str:
        from placements.criteria import RULES

        rule = RULES.get(self.kind)
        return str(rule.label) if rule else self.kind
