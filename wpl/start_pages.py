"""What each role's start page shows. A fixed number of queries per page.

The figures are cached per membership and language until the institution's data changes
(`wpl.freshness`): a start page seen again costs one cache read instead of a dozen counts.
Start-page providers (`wpl.registry`) run inside that cache, so what they return must
depend only on the membership, the institution's data and, for at most
`WPL_FIGURES_CACHE_SECONDS`, the clock.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import get_language

from wpl import freshness, permissions, registry, selectors
from wpl.models import Membership, Notification, Role


def start_page_context(membership: Membership) -> dict:
    """The start page's figures and to-do list (cached; see the module docstring)."""
    return freshness.cached(
        membership.institution_id,
        f"start:{membership.pk}:{get_language()}",
        lambda: _start_page_context(membership),
    )


def _start_page_context(membership: Membership) -> dict:
    context: dict = {"role": membership.role}
    if permissions.is_school(membership):
        counts = dict(
            Membership.objects.filter(is_active=True)
            .values_list("role")
            .annotate(n=Count("id"))
            .values_list("role", "n")
        )
        context["role_counts"] = counts
        # Shown with the translated role names, in the order of the Role choices.
        context["role_rows"] = [(label, counts[value]) for value, label in Role.choices if value in counts]
    if permissions.is_staff(membership):
        context["institution_heartbeat"] = selectors.heartbeat(f"institution:{membership.institution_id}")
    # Feature apps contribute their own figures and to-do items through the registry.
    for provider in registry.start_context_providers():
        context.update(provider(membership))
    context["start_items"] = registry.start_items(membership)
    # What needs this person now, built from the figures above (see wpl/todo.py).
    from wpl.todo import build_todo

    context["todo_items"] = build_todo(membership, context)
    # The header's badge (wpl.context_processors counts it on other pages).
    context["unread_notifications"] = Notification.objects.filter(
        recipient_id=membership.user_id, read_at__isnull=True
    ).count()
    return context
