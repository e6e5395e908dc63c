"""Tenant scoping: the one place that decides which institution's rows a query sees and
which rows a write may touch.

The active institution lives in a context variable set by the request middleware, the
API base views, `tenant_context()` in management commands and `TenantTask` in Celery.

Reads: `TenantModel.objects` filters every query by it and raises `TenantNotSet` when
there is none (fail closed). `TenantModel.all_tenants` is the explicit, grep-able escape
hatch for cross-tenant reads such as the periodic sweeps and the demo seeder.

Writes (save, delete, `bulk_create`, `bulk_update`, queryset `update`/`delete`, m2m
`add`/`remove`/`set`/`clear`) are guarded too:
- with no active institution they raise `TenantNotSet`, and a row of another institution
  than the active one raises `CrossTenantWrite`; queryset updates and deletes only reach
  the active institution's rows. `unscoped_writes()` is the explicit, grep-able block for
  deliberate cross-tenant writes (the demo seeder, migrations, management commands);
  a `tenant_context()` inside it scopes writes again (the innermost block wins);
- always, even inside `unscoped_writes()`: every foreign key of a tenant-owned row that
  points at a tenant-owned row (an organisation, a membership, ...) must point at a row of
  the same institution, else `CrossTenantWrite`. A related object already in memory is
  compared without a query; other ids are looked up in one query per write (per batch).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed

from wpl import freshness

if TYPE_CHECKING:
    from wpl.models import Institution


def scoped_managers(queryset_class: type[TenantQuerySet]):
    """(objects, all_tenants) managers for a tenant-owned model with its own queryset."""
    return TenantManager.from_queryset(queryset_class)(), UnscopedManager.from_queryset(queryset_class)()


class _Scope(NamedTuple):
    institution_id: int | None
    unscoped_writes: bool


# One variable for both, so that entering a tenant context also leaves any unscoped block.
_NO_SCOPE = _Scope(None, False)
_scope: contextvars.ContextVar[_Scope] = contextvars.ContextVar("wpl_tenant_scope", default=_NO_SCOPE)


class TenantNotSet(RuntimeError):
    """Tenant-owned data was read or written while no institution was active."""


class CrossTenantWrite(RuntimeError):
    """A write would touch or link rows of another institution than its own or the active one."""


def get_current_institution_id() -> int | None:
    return _scope.get().institution_id


def writes_unscoped() -> bool:
    """True inside `unscoped_writes()` (and not in a `tenant_context()` nested in it)."""
    return _scope.get().unscoped_writes


def require_institution_id() -> int:
    institution_id = _scope.get().institution_id
    if institution_id is None:
        raise TenantNotSet(
            "No active institution: tenant-owned data can only be read inside a tenant "
            "context (request, tenant_context() or a TenantTask)."
        )
    return institution_id


def activate(institution_id: int | None) -> contextvars.Token:
    """Make `institution_id` the active institution (writes scoped to it); see `deactivate`."""
    return _scope.set(_Scope(institution_id, False))


def deactivate(token: contextvars.Token) -> None:
    _scope.reset(token)


@contextlib.contextmanager
def tenant_context(institution: Institution | int | None) -> Iterator[None]:
    """Run a block with `institution` active (None clears it); restores the previous one.

    Inside an `unscoped_writes()` block this scopes writes to `institution` again.
    """
    institution_id = getattr(institution, "pk", institution)
    token = activate(institution_id)
    try:
        yield
    finally:
        deactivate(token)


@contextlib.contextmanager
def unscoped_writes() -> Iterator[None]:
    """Allow writes to any institution's rows, also with no active institution.

    Only for deliberate cross-tenant work: the demo seeder, data migrations, management
    commands and sweeps over every institution. Keeps the active institution for reads;
    foreign keys must still stay inside each row's own institution. A `tenant_context()`
    inside the block scopes writes again until it ends.
    """
    token = _scope.set(_Scope(get_current_institution_id(), True))
    try:
        yield
    finally:
        _scope.reset(token)


def _no_tenant_for_write(what: str) -> TenantNotSet:
    return TenantNotSet(
        f"No active institution for {what}: tenant-owned data can only be written inside a "
        "tenant context (request, tenant_context() or a TenantTask) or an explicit "
        "unscoped_writes() block."
    )


def _claim_row(obj: TenantModel, what: str) -> None:
    """Give a new row the active institution; refuse a row of another institution."""
    active, unscoped = _scope.get()
    if obj.institution_id is None:
        if active is None:
            raise _no_tenant_for_write(what)
        obj.institution_id = active
    elif not unscoped:
        if active is None:
            raise _no_tenant_for_write(what)
        if active != obj.institution_id:
            raise CrossTenantWrite(
                f"{type(obj).__name__} of institution {obj.institution_id}: {what} while institution "
                f"{active} is active."
            )


# --- foreign keys between institutions -------------------------------------------------
_FK_CACHE: dict[type, tuple] = {}
# Ids per query part; SQLite allows a few hundred compound parts and 32k variables.
_CHUNK = 900


def tenant_foreign_keys(model: type[models.Model]) -> tuple:
    """The model's foreign keys (and one-to-ones) that point at a tenant-owned model."""
    fields = _FK_CACHE.get(model)
    if fields is None:
        fields = tuple(
            f
            for f in model._meta.concrete_fields
            if f.is_relation
            and (f.many_to_one or f.one_to_one)
            and f.name != "institution"
            and isinstance(f.related_model, type)
            and issubclass(f.related_model, TenantModel)
        )
        _FK_CACHE[model] = fields
    return fields


def _institutions_of(wanted: dict[tuple[type, str], set]) -> dict[tuple[tuple[type, str], object], int]:
    """(key, value) -> institution id of each referenced row; one query (a UNION) for all.

    Plain SQL: building and compiling one ORM queryset per part cost ten times the query.
    """
    from django.db import connections

    keys = list(wanted)
    parts: list[tuple[str, str, list]] = []  # (database alias, sql, params)
    for index, key in enumerate(keys):
        model, target = key
        field = model._meta.get_field(target) if target != "pk" else model._meta.pk
        values = list(wanted[key])
        alias = model._base_manager.db
        quote = connections[alias].ops.quote_name
        table, column = quote(model._meta.db_table), quote(field.column)
        institution = quote(model._meta.get_field("institution").column)
        for start in range(0, len(values), _CHUNK):
            chunk = values[start : start + _CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            # Names come from the models' metadata, values are parameters.
            sql = f"SELECT {index}, {column}, {institution} FROM {table} WHERE {column} IN ({marks})"  # noqa: S608
            parts.append((alias, sql, chunk))
    found: dict = {}
    # One statement for a save or a small batch; big batches in a few.
    for start in range(0, len(parts), 50):
        batch = parts[start : start + 50]
        by_alias: dict[str, list] = {}
        for alias, sql, params in batch:
            by_alias.setdefault(alias, []).append((sql, params))
        for alias, statements in by_alias.items():
            sql = " UNION ALL ".join(statement for statement, _ in statements)
            params = [value for _, chunk in statements for value in chunk]
            with connections[alias].cursor() as cursor:
                cursor.execute(sql, params)
                for index, value, institution_id in cursor.fetchall():
                    found[(keys[index], value)] = institution_id
    return found


def check_foreign_keys(objs: Iterable[models.Model], fields: Iterable | None = None) -> None:
    """Refuse rows whose foreign keys point at another institution's rows.

    A related object already loaded on the row is compared in memory; the remaining ids
    are looked up in one query for all rows and fields.
    """
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    fields = tenant_foreign_keys(model) if fields is None else tuple(fields)
    if not fields:
        return
    pending: list[tuple[models.Model, object, tuple, object]] = []
    wanted: dict[tuple[type, str], set] = {}
    plan = [(field, field.attname, (field.related_model, field.target_field.attname)) for field in fields]
    for obj in objs:
        state = obj.__dict__
        cache = state.get("_state").fields_cache if "_state" in state else {}
        for field, attname, key in plan:
            value = state.get(attname)
            cached = cache.get(field.name)
            if cached is not None and cached.pk is not None and value in (None, cached.pk):
                if cached.institution_id != obj.institution_id:
                    raise _cross(obj, field, cached.pk, cached.institution_id)
            elif value is not None and value is not models.DEFERRED:
                if type(value) is not int:
                    value = _as_key(field, value)
                wanted.setdefault(key, set()).add(value)
                pending.append((obj, field, key, value))
    if not pending:
        return
    found = _institutions_of(wanted)
    for obj, field, key, value in pending:
        institution_id = found.get((key, value))
        # A missing row is left to the database's foreign key constraint.
        if institution_id is not None and institution_id != obj.institution_id:
            raise _cross(obj, field, value, institution_id)


def _as_key(field, value):
    """The id as the database returns it ("5" -> 5), so a string id is not left unchecked."""
    try:
        return field.target_field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value  # the database refuses it


def _cross(obj, field, value, institution_id) -> CrossTenantWrite:
    return CrossTenantWrite(
        f"{type(obj).__name__}.{field.name} of institution {obj.institution_id} points at "
        f"{field.related_model.__name__} #{value} of institution {institution_id}."
    )


# bulk_update() checks its rows itself, then updates them with CASE expressions.
_fk_checked: contextvars.ContextVar[bool] = contextvars.ContextVar("wpl_fk_checked", default=False)


def _changed(institution_ids: set, using: str) -> None:
    """Cached figures of these institutions are stale (`wpl.freshness`; None: any)."""
    for institution_id in institution_ids:
        freshness.changed(institution_id, using=using)


class TenantQuerySet(models.QuerySet):
    """Queryset of a tenant-owned model; `visible_to` is added per model.

    Writes through it are guarded like `TenantModel.save()` (see the module docstring).
    """

    def _writable(self, what: str) -> TenantQuerySet:
        """This queryset limited to the rows a write may touch: the active institution's."""
        active, unscoped = _scope.get()
        if unscoped:
            return self
        if active is None:
            raise _no_tenant_for_write(what)
        return self.filter(institution_id=active)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        what = f"{self.model.__name__} bulk_create"
        for obj in objs:
            _claim_row(obj, what)
        check_foreign_keys(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        _changed({obj.institution_id for obj in objs}, self.db)
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        what = f"{self.model.__name__} bulk_update"
        for obj in objs:
            _claim_row(obj, what)
        names = set(fields)
        check_foreign_keys(objs, [f for f in tenant_foreign_keys(self.model) if {f.name, f.attname} & names])
        token = _fk_checked.set(True)
        try:
            updated = super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _fk_checked.reset(token)
        _changed({obj.institution_id for obj in objs}, self.db)
        return updated

    bulk_update.alters_data = True

    def update(self, **kwargs):
        qs = self._writable(f"{self.model.__name__} update")
        active, unscoped = _scope.get()
        new_institution = kwargs.get("institution_id", kwargs.get("institution"))
        new_institution = getattr(new_institution, "pk", new_institution)
        moves = "institution" in kwargs or "institution_id" in kwargs
        if moves and not unscoped and new_institution != active:
            raise CrossTenantWrite(f"{self.model.__name__} rows moved to another institution.")
        if not _fk_checked.get():
            qs._check_update_targets(kwargs)
        updated = super(TenantQuerySet, qs).update(**kwargs)
        if updated:
            _changed({None if unscoped else active}, qs.db)
        return updated

    update.alters_data = True

    def _check_update_targets(self, kwargs: dict) -> None:
        """The rows an update points at belong to the institution of the rows it changes."""
        by_name = {}
        for field in tenant_foreign_keys(self.model):
            by_name[field.name] = by_name[field.attname] = field
        targets = [(by_name[k], value) for k, value in kwargs.items() if k in by_name and value is not None]
        if not targets:
            return
        institutions = set()
        wanted: dict[tuple[type, str], set] = {}
        for field, value in targets:
            if hasattr(value, "resolve_expression"):
                name = f"{self.model.__name__}.{field.name}"
                raise CrossTenantWrite(f"{name}: set an object or an id, an expression cannot be checked.")
            if isinstance(value, models.Model):
                if value.pk is None:
                    continue  # Django refuses unsaved objects itself
                institutions.add(value.institution_id)
            else:
                value = _as_key(field, value)
                wanted.setdefault((field.related_model, field.target_field.attname), set()).add(value)
        if wanted:
            institutions.update(_institutions_of(wanted).values())
        active, unscoped = _scope.get()
        if not unscoped:
            strays = institutions - {active}
            if strays:
                raise CrossTenantWrite(
                    f"{self.model.__name__} update of institution {active} points at rows of "
                    f"institution {sorted(strays)}."
                )
            return
        if len(institutions) > 1 or (institutions and self.exclude(institution_id__in=institutions).exists()):
            raise CrossTenantWrite(f"{self.model.__name__} update points at rows of another institution.")

    def delete(self):
        qs = self._writable(f"{self.model.__name__} delete")
        deleted = super(TenantQuerySet, qs).delete()
        if deleted[0]:
            _changed({None if writes_unscoped() else get_current_institution_id()}, qs.db)
        return deleted

    delete.alters_data = True
    delete.queryset_only = True


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager: rows of the active institution only; raises without one."""

    def get_queryset(self) -> TenantQuerySet:
        return super().get_queryset().filter(institution_id=require_institution_id())


class UnscopedManager(models.Manager.from_queryset(TenantQuerySet)):
    """Every institution's rows, for reads. Use only for deliberate cross-tenant work.

    Writes through it are still guarded: see `unscoped_writes()`.
    """


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
        _claim_row(self, "save")
        changed = self._changed_foreign_keys(kwargs.get("update_fields"))
        if changed:
            check_foreign_keys([self], changed)
        super().save(*args, **kwargs)
        freshness.changed(self.institution_id, using=self._state.db)
        # Remember what is now stored (and was checked), so the next save of the same
        # foreign keys needs no query.
        update_fields = kwargs.get("update_fields")
        names = None if update_fields is None else set(update_fields)
        moved = names is None or bool({"institution", "institution_id"} & names)
        stored = {"institution_id": self.institution_id if moved else self._stored_value("institution_id")}
        for f in tenant_foreign_keys(type(self)):
            saved = names is None or f.name in names or f.attname in names
            stored[f.attname] = self.__dict__.get(f.attname) if saved else self._stored_value(f.attname)
        self._wpl_stored = (stored, None)

    def delete(self, *args, **kwargs):
        _claim_row(self, "delete")
        deleted = super().delete(*args, **kwargs)
        freshness.changed(self.institution_id, using=self._state.db or "default")
        return deleted

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the database holds (checked when it was written): a save that keeps these
        # foreign keys need not look them up again.
        instance._wpl_stored = (field_names, values)
        return instance

    def _stored_value(self, attname: str):
        stored = self.__dict__.get("_wpl_stored")
        if stored is None:
            return models.DEFERRED
        field_names, values = stored
        if isinstance(field_names, dict):
            return field_names.get(attname, models.DEFERRED)
        try:
            return values[field_names.index(attname)] if len(values) == len(field_names) else models.DEFERRED
        except ValueError:
            return models.DEFERRED

    def _changed_foreign_keys(self, update_fields) -> list:
        fields = tenant_foreign_keys(type(self))
        if update_fields is not None:
            names = set(update_fields)
            fields = [f for f in fields if f.name in names or f.attname in names]
        if not fields or self._stored_value("institution_id") != self.institution_id:
            return list(fields)
        return [f for f in fields if self._stored_value(f.attname) != self.__dict__.get(f.attname)]


def _guard_m2m(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """m2m add/remove/set/clear: the active institution's rows, linked inside one institution."""
    if not isinstance(instance, TenantModel):
        return
    if action.startswith("post_"):
        freshness.changed(instance.institution_id, using=instance._state.db or "default")
        return
    _claim_row(instance, f"{type(instance).__name__} many-to-many {action[4:]}")
    if action == "pre_add" and pk_set and issubclass(model, TenantModel):
        stray = (
            model._base_manager.filter(pk__in=pk_set)
            .exclude(institution_id=instance.institution_id)
            .order_by()
            .values_list("pk", "institution_id")[:1]
        )
        for pk, institution_id in stray:
            raise CrossTenantWrite(
                f"{type(instance).__name__} #{instance.pk} of institution {instance.institution_id} "
                f"linked to {model.__name__} #{pk} of institution {institution_id}."
            )


m2m_changed.connect(_guard_m2m, dispatch_uid="wpl.tenancy.guard_m2m")
