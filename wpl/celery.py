"""Celery application. Redis broker when REDIS_URL is set, an embedded one otherwise."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wpl.settings")

app = Celery("wpl")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How often the sweep runs; only the tests (and impatient demos) shorten it.
SWEEP_SECONDS = float(os.environ.get("WPL_SWEEP_SECONDS", "60"))

# A few fixed entries that sweep for what is due, never one schedule per object.
app.conf.beat_schedule = {
    "sweep-institutions": {"task": "wpl.tasks.sweep_institutions", "schedule": SWEEP_SECONDS},
    # Digests (Europe/Brussels, CELERY_TIMEZONE): whatever waits goes out, so a missed run
    # is caught up by the next one.
    "digest-daily": {
        "task": "wpl.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"frequency": "daily"},
    },
    "digest-weekly": {
        "task": "wpl.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
        "kwargs": {"frequency": "weekly"},
    },
}
