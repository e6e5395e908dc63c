"""Start-page items of the evaluations (one query per membership)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations import permissions, selectors
from wpl.registry import StartItem


def start_items(membership) -> list[StartItem]:
    # Staff follow evaluations from the list (the start page's query budget is spent on
    # their own figures); supervisors, mentors and students get what waits on them.
    if not permissions.can_see_evaluations(membership) or permissions.can_author_rubrics(membership):
        return []
    counts = selectors.todo_counts(membership)
    url = reverse("evaluation-list")
    if permissions.is_mentor(membership):
        return [StartItem(label=_("Rubrics to fill in"), url=url + "?todo=1", count=counts["fill"], order=35)]
    if permissions.is_student(membership):
        return [
            StartItem(
                label=_("Self-evaluations to fill in"), url=url + "?todo=1", count=counts["fill"], order=35
            ),
            StartItem(
                label=_("Reflections to write"), url=url + "?todo=1", count=counts["reflect"], order=36
            ),
        ]
    return [
        StartItem(
            label=_("Evaluation meetings to record"), url=url + "?todo=1", count=counts["meet"], order=35
        ),
        StartItem(label=_("Scores to set and publish"), url=url + "?todo=1", count=counts["score"], order=36),
    ]
