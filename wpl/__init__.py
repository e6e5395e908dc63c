"""Project package and the shared core (institutions, memberships, tenant scoping)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
