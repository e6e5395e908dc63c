"""Celery plumbing for tenant-aware tasks, and the platform's periodic sweep.

Tasks take ids, never objects, and a tenant task receives `institution_id` explicitly:
`TenantTask` refuses to run without it and activates exactly that institution for the
run, so nothing is inherited from a previous task in the same worker process.
"""

from __future__ import annotations

from celery import Task, shared_task
from django.db import transaction

from wpl import tenancy


class MissingTenant(tenancy.TenantNotSet):
    """A tenant task was called without an institution id."""


class TenantTask(Task):
    def __call__(self, *args, **kwargs):
        institution_id = kwargs.get("institution_id")
        if not isinstance(institution_id, int):
            raise MissingTenant(f"Task {self.name} needs institution_id=<int>, got {institution_id!r}.")
        with tenancy.tenant_context(institution_id):
            return super().__call__(*args, **kwargs)


def tenant_task(*args, **kwargs):
    """Decorator for a task that works inside one institution."""
    kwargs.setdefault("base", TenantTask)
    return shared_task(*args, **kwargs)


def enqueue_on_commit(task, *, institution_id: int, **kwargs) -> None:
    """Queue a tenant task once the surrounding transaction has committed."""
    transaction.on_commit(lambda: task.delay(institution_id=institution_id, **kwargs))


@tenant_task(name="wpl.tasks.ping")
def ping(*, institution_id: int) -> dict:
    """Round trip check: reports which institution the worker ran under, read from the DB."""
    from wpl.models import Institution, Membership

    return {
        "active_institution_id": tenancy.get_current_institution_id(),
        "institution": Institution.objects.get(pk=institution_id).slug,
        "members": Membership.objects.count(),
    }


@tenant_task(name="wpl.tasks.record_institution_heartbeat")
def record_institution_heartbeat(*, institution_id: int) -> None:
    from wpl.services import record_heartbeat

    record_heartbeat(name=f"institution:{institution_id}")


@shared_task(name="wpl.tasks.sweep_institutions")
def sweep_institutions() -> int:
    """Fixed beat entry: fan out per-institution work for every active institution."""
    from wpl.models import Institution
    from wpl.services import record_heartbeat

    record_heartbeat(name="sweep")
    ids = list(Institution.objects.filter(is_active=True).values_list("pk", flat=True))
    for institution_id in ids:
        record_institution_heartbeat.delay(institution_id=institution_id)
        deliver_pending_notifications.delay(institution_id=institution_id)
        run_reminder_sweeps.delay(institution_id=institution_id)
    return len(ids)


@tenant_task(name="wpl.tasks.run_reminder_sweeps")
def run_reminder_sweeps(*, institution_id: int) -> dict[str, int]:
    """Run every registered reminder sweep for one institution; each is idempotent.

    The e-mails of the whole run are queued at its end, a few delivery tasks for the
    institution (each sweep's rows are committed by then; see `deferred_delivery`)."""
    from django.utils import timezone

    from wpl import registry
    from wpl.notifications import deferred_delivery

    now = timezone.now()
    with deferred_delivery():
        return {name: sweep(now) for name, sweep in registry.reminder_sweeps().items()}


@tenant_task(name="wpl.tasks.deliver_notification", acks_late=True)
def deliver_notification(*, institution_id: int, notification_id: int) -> bool:
    """Send one notification's e-mail (a no-op when it already went out)."""
    from wpl.notifications import deliver

    return deliver(notification_id=notification_id)


@tenant_task(name="wpl.tasks.deliver_pending_notifications")
def deliver_pending_notifications(*, institution_id: int) -> int:
    """Retry the e-mails a dead worker or a failed mail server left unsent."""
    from wpl.notifications import DELIVERY_BATCH, deliver_many, pending_ids

    ids = pending_ids()
    return sum(
        deliver_many(notification_ids=ids[start : start + DELIVERY_BATCH])
        for start in range(0, len(ids), DELIVERY_BATCH)
    )


@shared_task(name="wpl.tasks.send_digests")
def send_digests(frequency: str = "daily") -> int:
    """Fixed beat entries (daily, and weekly on Monday): one digest task per institution."""
    from wpl.models import Institution

    ids = list(Institution.objects.filter(is_active=True).values_list("pk", flat=True))
    for institution_id in ids:
        send_institution_digests.delay(institution_id=institution_id, frequency=frequency)
    return len(ids)


@tenant_task(name="wpl.tasks.send_institution_digests", acks_late=True)
def send_institution_digests(*, institution_id: int, frequency: str) -> int:
    """One digest mail per person of this institution with notifications waiting."""
    from wpl.notifications import digest_recipient_ids, send_digest

    sent = 0
    for recipient_id in digest_recipient_ids(frequency=frequency):
        sent += send_digest(recipient_id=recipient_id, frequency=frequency) > 0
    return sent


@tenant_task(name="wpl.tasks.deliver_notifications", acks_late=True)
def deliver_notifications(*, institution_id: int, notification_ids: list[int]) -> int:
    """Send a batch of notifications' e-mails over one mail connection (each one a no-op
    when it already went out)."""
    from wpl.notifications import deliver_many

    return deliver_many(notification_ids=notification_ids)
