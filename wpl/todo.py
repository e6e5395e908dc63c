"""The start page's to-do list: what needs this person now, with a count and a link.

All items are built here, in one place, from the figures the start page already fetched
(`wpl.start_pages.start_page_context`); a new feature adds its figure to
`placements.selectors.start.start_figures` (or its own selector) and one rule below.
Items are sorted by urgency, most urgent first; an item whose count is 0 is left out
unless it is marked `keep` (a standing entry such as "My placement").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpl import permissions
from wpl.models import Membership, Role

URGENCIES = ("now", "soon", "info", "done")  # `now`: something waits on this person


@dataclass(frozen=True)
class TodoItem:
    """One line of the to-do list (rendered by templates/components/todo_list.html)."""

    label: str
    url: str
    count: int | None = None
    urgency: str = "info"
    hint: str = ""
    icon: str = "chevron-right"
    keep: bool = False  # shown even when count is 0
    dom_id: str = ""  # a stable id on the item, for links and tests

    def __post_init__(self):
        if self.urgency not in URGENCIES:
            raise ValueError(f"unknown urgency {self.urgency!r}")


def build_todo(membership: Membership, figures: dict) -> list[TodoItem]:
    """The to-do list of `membership`'s start page, from the start page's figures."""
    items: list[TodoItem] = []
    role = membership.role
    offers = figures.get("offers_to_review")
    if offers is not None:
        items.append(
            TodoItem(
                label=_("Offers to review"),
                hint=_("Workplaces wait for your decision."),
                count=offers,
                url=reverse("offer-list") + "?status=submitted",
                urgency="now",
                icon="clipboard-list",
            )
        )
    rounds = figures.get("open_rounds")
    if rounds is not None:
        if role == Role.STUDENT:
            items.append(
                TodoItem(
                    label=_("State your preferences"),
                    hint=ngettext(
                        "%(n)s matching round in progress.", "%(n)s matching rounds in progress.", rounds
                    )
                    % {"n": rounds},
                    count=rounds,
                    url=reverse("preferences-home"),
                    urgency="now",
                    icon="star",
                    dom_id="state-preferences",
                )
            )
        elif permissions.is_staff(membership):
            items.append(
                TodoItem(
                    label=_("Open the matching board"),
                    hint=ngettext(
                        "%(n)s matching round in progress.", "%(n)s matching rounds in progress.", rounds
                    )
                    % {"n": rounds},
                    count=rounds,
                    url=reverse("matching-rounds"),
                    urgency="soon",
                    icon="shuffle",
                )
            )
    if role in (Role.MENTOR, Role.ORG_ADMIN):
        items.append(
            TodoItem(
                label=_("Rate your candidates"),
                hint=_("Students who chose your organisation during matching."),
                url=reverse("candidates-list"),
                urgency="info",
                icon="users",
                keep=True,
            )
        )
    if role == Role.STUDENT:
        items.append(
            TodoItem(
                label=_("My placement"),
                hint=_("Where, with whom and on which days."),
                count=figures.get("placement_count"),
                url=reverse("my-placement"),
                urgency="info",
                icon="briefcase",
                keep=True,
            )
        )
    elif permissions.is_school(membership):
        items.append(
            TodoItem(
                label=_("Placements"),
                hint=_("Students placed at a workplace."),
                count=figures.get("placement_count"),
                url=reverse("student-list"),
                urgency="info",
                icon="briefcase",
                keep=True,
            )
        )
    if role == Role.INSTITUTION_ADMIN and not membership.institution.logo:
        items.append(
            TodoItem(
                label=_("Give the platform your institution's look"),
                hint=_("Logo and accent colour."),
                url=reverse("institution-settings"),
                urgency="soon",
                icon="settings",
            )
        )
    short = figures.get("placements_short_of_hours")
    if short:
        items.append(
            TodoItem(
                label=_("Placements that plan fewer hours than required"),
                hint=_("Check the calendar or the WPL weekdays of these programme years."),
                count=short,
                url=reverse("calendar-list"),
                urgency="soon",
                icon="calendar",
                dom_id="hours-short",
            )
        )
    # Items the feature apps registered (wpl.registry.register_start_items).
    urgency = {"late": "now", "todo": "soon", "info": "info"}
    for entry in figures.get("start_items", []):
        items.append(
            TodoItem(
                label=entry.label,
                url=entry.url,
                count=entry.count,
                urgency=urgency.get(entry.urgency, "info"),
                keep=entry.always,
            )
        )
    shown = [item for item in items if item.keep or item.count is None or item.count > 0]
    return sorted(shown, key=lambda item: URGENCIES.index(item.urgency))
