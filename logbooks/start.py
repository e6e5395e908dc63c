"""Start-page items of the logbook per role (a fixed number of queries)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from logbooks import permissions, selectors
from wpl.registry import StartItem


def start_items(membership) -> list[StartItem]:
    if permissions.is_student(membership):
        return [
            StartItem(label=_("My logbook"), url=reverse("logbook"), always=True, urgency="info", order=10)
        ]
    if permissions.is_mentor(membership):
        return [
            StartItem(
                label=_("Logbook entries to review"),
                url=reverse("logbook-review"),
                count=selectors.pending_count(membership),
                order=10,
            )
        ]
    return []
