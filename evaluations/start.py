"""Start-page items of the evaluations: what waits on this person, per role.

The counts are unevaluated querysets: `wpl.registry.start_items` counts them together with
the other apps' in one query, so the evaluations add no query to a start page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations import permissions, selectors
from wpl.academic_years import current_academic_year
from wpl.registry import StartItem


def start_items(membership) -> list[StartItem]:
    if not permissions.can_see_evaluations(membership):
        return []
    url = reverse("evaluation-list") + "?todo="
    labels = {
        "fill_mentor": (_("Rubrics to fill in"), "todo", 35),
        "fill_student": (_("Self-evaluations to fill in"), "todo", 35),
        "reflect": (_("Reflections to write"), "todo", 36),
        "meet": (_("Evaluation meetings to record"), "todo", 35),
        "score": (_("Scores to set and publish"), "todo", 36),
        "meet_late": (_("Evaluations past due: no meeting yet after the placement ended"), "late", 35),
        "score_late": (_("Evaluations past due: score not published"), "late", 36),
    }
    items = [
        StartItem(
            label=labels[key][0],
            url=url + key,
            count=selectors.waiting(membership, key),
            urgency=labels[key][1],
            order=labels[key][2],
        )
        for key in selectors.todo_keys(membership)
    ]
    if permissions.can_author_rubrics(membership):
        items.append(
            StartItem(
                label=_("Placements without an evaluation moment opened"),
                url=reverse("evaluation-open"),
                count=selectors.placements_without_evaluation(membership, current_academic_year()),
                urgency="info",
                order=37,
            )
        )
    return items
