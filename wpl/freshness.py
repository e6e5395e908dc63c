"""Figures derived from an institution's data, cached until that data changes.

The start page recounts the same things on every view (offers to review, students who
have not signed in, placements short of hours, ...); at 50,000 students that is most of
the page's cost. `cached()` keeps such figures in the cache under the institution's
*data version*, and `changed()` moves the version on, so the next read recomputes.

What moves it on (nothing to do in feature code):
- every write to a tenant-owned row through the ORM (`wpl.tenancy`: save, delete,
  `bulk_create`, `bulk_update`, queryset `update`/`delete`, m2m changes); an unscoped
  queryset write, whose institution is not known, moves every institution's version on;
- a change to the institution itself (name, logo, colour), to a person who belongs to it
  (a sign-in sets `last_login`: "students who have not signed in"), and its heartbeat.
Raw SQL writes must call `changed()` themselves.

Only the connection that wrote can see a write before its transaction commits. So inside
a transaction a write marks the institution *dirty* on that connection (reads there
bypass the cache) and moves the version on when the transaction commits; outside one it
moves the version on at once. A figure computed while another process's transaction was
open is stored under the version read before computing, which that commit replaces.

Entries also expire after `WPL_FIGURES_CACHE_SECONDS` (default 60; 0 switches the cache
off), so figures that depend on the clock ("meetings still to come") are at most that old.
Versions are random tokens, so an evicted version can never match an old entry.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

T = TypeVar("T")
logger = logging.getLogger(__name__)

EVERY_INSTITUTION = "all"
_DIRTY = "_wpl_dirty_institutions"
_PENDING = "_wpl_pending_versions"


def _version_key(institution_id: int | str) -> str:
    return f"wpl:data-version:{institution_id}"


def _bump(institution_id: int | str) -> None:
    # Runs after the data committed: a cache that does not answer must not turn a saved
    # write into an error. Its figures then stay as they were for at most the entries'
    # lifetime (WPL_FIGURES_CACHE_SECONDS).
    try:
        cache.set(_version_key(institution_id), secrets.token_hex(8), None)
    except Exception:  # noqa: BLE001 - any cache backend's error
        logger.warning("Could not move the data version of institution %s on", institution_id, exc_info=True)


def _committed(connection, institution_id: int | str) -> None:
    connection.__dict__.get(_DIRTY, set()).discard(institution_id)
    _bump(institution_id)


def changed(institution_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """The institution's data changed (None: some institution's, unknown which)."""
    key = EVERY_INSTITUTION if institution_id is None else institution_id
    connection = connections[using]
    if not connection.in_atomic_block:
        _bump(key)
        return
    connection.__dict__.setdefault(_DIRTY, set()).add(key)
    # One bump at commit per institution and transaction, however many rows it writes:
    # the callback registered earlier is still pending if it still sits where it was put
    # (a commit or rollback empties the list, a savepoint rollback filters it).
    pending = connection.__dict__.setdefault(_PENDING, {})
    queued = connection.run_on_commit
    index, callback = pending.get(key, (-1, None))
    if not (0 <= index < len(queued) and queued[index][1] is callback):
        callback = functools.partial(_committed, connection, key)
        transaction.on_commit(callback, using=using)
        pending[key] = (len(queued) - 1, callback)


def _dirty(institution_id: int, using: str) -> bool:
    connection = connections[using]
    dirty = connection.__dict__.get(_DIRTY)
    if not dirty:
        return False
    if not connection.in_atomic_block:
        dirty.clear()  # left by a transaction that rolled back: nothing is uncommitted now
        return False
    return institution_id in dirty or EVERY_INSTITUTION in dirty


def cached(institution_id: int, name: str, compute: Callable[[], T], *, using: str = DEFAULT_DB_ALIAS) -> T:
    """`compute()`, or its value cached since the institution's data last changed.

    `name` must say everything else the value depends on (membership, language, ...).
    The value must pickle (model instances, lazy translations and dataclasses do).
    """
    timeout = getattr(settings, "WPL_FIGURES_CACHE_SECONDS", 60)
    if timeout <= 0 or _dirty(institution_id, using):
        return compute()
    keys = (_version_key(institution_id), _version_key(EVERY_INSTITUTION))
    entry_key = f"wpl:figures:{institution_id}:{name}"
    found = cache.get_many([*keys, entry_key])  # one round trip when nothing changed
    version = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = secrets.token_hex(8)
            if not cache.add(key, token, None):
                token = cache.get(key, token)
        version.append(token)
    entry = found.get(entry_key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    cache.set(entry_key, (version, value), timeout)
    return value


# --- rows outside the tenant-owned models ----------------------------------------------
def _institution_saved(sender, instance, **kwargs) -> None:
    changed(instance.pk, using=kwargs.get("using") or DEFAULT_DB_ALIAS)


def _person_saved(sender, instance, **kwargs) -> None:
    """A person's name or last sign-in shows in the figures of each institution they belong to."""
    from wpl.models import Membership

    using = kwargs.get("using") or DEFAULT_DB_ALIAS
    memberships = Membership.all_tenants.using(using).filter(user_id=instance.pk)
    for institution_id in set(memberships.values_list("institution_id", flat=True)):
        changed(institution_id, using=using)


def _person_deleted(sender, instance, **kwargs) -> None:
    # Their memberships went with them (a cascade, not through the tenant guards).
    changed(None, using=kwargs.get("using") or DEFAULT_DB_ALIAS)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from wpl.models import Institution, User

    post_save.connect(_institution_saved, sender=Institution, dispatch_uid="wpl.freshness.institution")
    post_delete.connect(_institution_saved, sender=Institution, dispatch_uid="wpl.freshness.institution_gone")
    post_save.connect(_person_saved, sender=User, dispatch_uid="wpl.freshness.person")
    post_delete.connect(_person_deleted, sender=User, dispatch_uid="wpl.freshness.person_gone")
