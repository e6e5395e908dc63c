"""Tenant scoping: the one place that decides which institution's rows a query sees.

The active institution lives in a context variable set by the request middleware, the
API base views, `tenant_context()` in management commands and `TenantTask` in Celery.
`TenantModel.objects` filters every query by it and raises `TenantNotSet` when there is
none (fail closed). `TenantModel.all_tenants` is the explicit, grep-able escape hatch
for cross-tenant work such as the periodic sweeps and the demo seeder.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from wpl.models import Institution


def scoped_managers(queryset_class: type[TenantQuerySet]):
    """(objects, all_tenants) managers for a tenant-owned model with its own queryset."""
    return TenantManager.from_queryset(queryset_class)(), UnscopedManager.from_queryset(queryset_class)()


_active_institution_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "wpl_active_institution_id", default=None
)


class TenantNotSet(RuntimeError):
    """A tenant-owned model was queried while no institution was active."""


class CrossTenantWrite(RuntimeError):
    """A row of one institution was saved while another institution was active."""


def get_current_institution_id() -> int | None:
    return _active_institution_id.get()


def require_institution_id() -> int:
    institution_id = _active_institution_id.get()
    if institution_id is None:
        raise TenantNotSet(
            "No active institution: tenant-owned data can only be read inside a tenant "
            "context (request, tenant_context() or a TenantTask)."
        )
    return institution_id


def activate(institution_id: int | None) -> contextvars.Token:
    return _active_institution_id.set(institution_id)


def deactivate(token: contextvars.Token) -> None:
    _active_institution_id.reset(token)


@contextlib.contextmanager
def tenant_context(institution: Institution | int | None) -> Iterator[None]:
    """Run a block with `institution` active (None clears it); restores the previous one."""
    institution_id = getattr(institution, "pk", institution)
    token = activate(institution_id)
    try:
        yield
    finally:
        deactivate(token)


class TenantQuerySet(models.QuerySet):
    """Queryset of a tenant-owned model; `visible_to` is added per model."""


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager: rows of the active institution only; raises without one."""

    def get_queryset(self) -> TenantQuerySet:
        return super().get_queryset().filter(institution_id=require_institution_id())


class UnscopedManager(models.Manager.from_queryset(TenantQuerySet)):
    """Every institution's rows. Use only for deliberate cross-tenant work."""


class TenantModel(models.Model):
    """Abstract base of every tenant-owned model: carries its institution."""

    institution = models.ForeignKey(
        "wpl.Institution", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = TenantManager()
    all_tenants = UnscopedManager()

    class Meta:
        abstract = True
        # Related-object access (`placement.student`) follows an id that was already
        # scoped; the base manager must not raise while Django deletes or joins.
        base_manager_name = "all_tenants"

    def save(self, *args, **kwargs):
        active = get_current_institution_id()
        if self.institution_id is None:
            self.institution_id = require_institution_id()
        elif active is not None and active != self.institution_id:
            raise CrossTenantWrite(
                f"{type(self).__name__} of institution {self.institution_id} saved while "
                f"institution {active} is active."
            )
        super().save(*args, **kwargs)
