"""Celery application. Redis broker when REDIS_URL is set, an embedded one otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wpl.settings")

app = Celery("wpl")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How often the sweep runs; only the tests (and impatient demos) shorten it.
SWEEP_SECONDS = float(os.environ.get("WPL_SWEEP_SECONDS", "60"))

# A few fixed entries that sweep for what is due, never one schedule per object.
app.conf.beat_schedule = {
    "sweep-institutions": {"task": "wpl.tasks.sweep_institutions", "schedule": SWEEP_SECONDS},
}
