"""Celery tasks of the agreements app (thin: ids in, work in `batch.py`)."""

from __future__ import annotations

from wpl.tasks import tenant_task


@tenant_task(name="agreements.tasks.build_batch", acks_late=True)
def build_batch(*, institution_id: int, batch_id: int) -> int:
    """Build one batch ZIP (idempotent: a finished batch is left alone)."""
    from agreements.batch import build

    return build(batch_id=batch_id)
