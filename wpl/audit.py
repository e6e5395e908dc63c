"""The audit trail: every write service records who did what through `record()`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import models, transaction

from wpl.models import AuditEvent

if TYPE_CHECKING:
    from wpl.models import Membership

F = TypeVar("F", bound=Callable)


def record(
    *,
    actor: Membership | None,
    action: str,
    obj: models.Model | None = None,
    summary: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the active institution's trail.

    `actor` is the acting membership (None for the system: sweeps, the seeder);
    `action` is a dotted verb such as ``logbook.entry.approve``.
    """
    return AuditEvent.objects.create(
        actor_user_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        summary=summary[:300],
        data=data or {},
    )


def audited(action: str, *, target: str | None = None) -> Callable[[F], F]:
    """Decorator for a write service: record `action` by its `actor=` in the same transaction.

    The object recorded is the keyword argument named `target` (recorded before the call, so
    a deleted object keeps its id in the trail) or else the model instance the service
    returns. The service must take `actor` as a keyword-only argument (checked here, once,
    when the module loads). Services that record something more specific call `record()`.
    """

    def decorator(func: F) -> F:
        parameter = inspect.signature(func).parameters.get("actor")
        if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{func.__qualname__} must take `actor` as a keyword-only argument")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            actor = kwargs.get("actor")
            with transaction.atomic():
                if target is not None:
                    obj = kwargs.get(target)
                    record(actor=actor, action=action, obj=obj, summary=str(obj) if obj is not None else "")
                    return func(*args, **kwargs)
                result = func(*args, **kwargs)
                obj = result if isinstance(result, models.Model) else None
                record(actor=actor, action=action, obj=obj, summary=str(obj) if obj is not None else "")
                return result

        return wrapper  # type: ignore[return-value]

    return decorator
