"""Start pages are to-do lists: items with counts and links, built in wpl/todo.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import shown
from wpl.models import Membership, Role
from wpl.todo import TodoItem, build_todo


def items_of(personas, role, **figures):
    membership = Membership.all_tenants.select_related("institution").get(pk=personas("a", role).pk)
    return {item.label: item for item in build_todo(membership, figures)}


def test_items_with_nothing_to_do_are_left_out_and_urgent_ones_come_first(personas):
    quiet = items_of(personas, Role.COORDINATOR, offers_to_review=0, open_rounds=0, placement_count=3)
    assert list(quiet) == [shown("Placements")]  # standing entry only
    busy = items_of(personas, Role.COORDINATOR, offers_to_review=4, open_rounds=1, placement_count=0)
    labels = list(busy)
    assert labels[0] == shown("Offers to review")  # urgency "now" first
    assert busy[labels[0]].count == 4
    assert busy[labels[0]].url == reverse("offer-list") + "?status=submitted"


def test_student_is_asked_for_preferences_while_a_round_is_open(personas):
    items = items_of(personas, Role.STUDENT, open_rounds=2, placement_count=0)
    first = next(iter(items.values()))
    assert first.label == shown("State your preferences")
    assert first.count == 2 and first.urgency == "now" and first.url == reverse("preferences-home")
    closed = items_of(personas, Role.STUDENT, open_rounds=0, placement_count=0)
    assert shown("State your preferences") not in closed


def test_unknown_urgency_is_refused():
    with pytest.raises(ValueError):
        TodoItem(label="x", url="/", urgency="whenever")


def test_start_pages_render_the_list_and_only_the_admin_sees_the_worker(personas, client_for):
    coordinator = client_for(personas("a", Role.COORDINATOR)).get("/").content.decode()
    assert 'id="todo"' in coordinator
    assert 'id="worker-status"' not in coordinator
    admin = client_for(personas("a", Role.INSTITUTION_ADMIN)).get("/").content.decode()
    assert 'id="worker-status"' in admin
    assert reverse("institution-settings") in admin  # "give the platform your look" while no logo


def test_start_item_counts_given_as_querysets_cost_one_query(personas, django_assert_num_queries):
    """wpl.registry.start_items counts every provider's queryset counts in a single query."""
    from wpl import registry
    from wpl.registry import StartItem
    from wpl.tenancy import tenant_context

    def provider(membership):
        members = Membership.objects.filter(is_active=True)
        return [
            StartItem(label="coordinators", url="/", count=members.filter(role=Role.COORDINATOR)),
            StartItem(label="members", url="/", count=members.filter(role__in=[Role.MENTOR, Role.STUDENT])),
            StartItem(label="none", url="/", count=members.filter(pk=-1)),
            StartItem(label="empty", url="/", count=members.none()),
            StartItem(label="kept", url="/", count=members.filter(pk__in=[]), always=True),
            StartItem(label="plain", url="/", count=7),
        ]

    coordinator = personas("a", Role.COORDINATOR)
    saved = list(registry._registry.start_items)
    registry._registry.start_items[:] = [provider]
    try:
        with tenant_context(personas.a), django_assert_num_queries(1):
            items = {item.label: item.count for item in registry.start_items(coordinator)}
    finally:
        registry._registry.start_items[:] = saved
    # One persona per role in A, plus the mentor shared with B; B's are not counted.
    # A count of 0 is left out unless the item is kept.
    assert items == {"coordinators": 1, "members": 3, "plain": 7, "kept": 0}
