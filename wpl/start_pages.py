"""What each role's start page shows. A fixed number of queries per page."""

from __future__ import annotations

from django.db.models import Count

from wpl import permissions, registry, selectors
from wpl.models import Membership, Role


def start_page_context(membership: Membership) -> dict:
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
    return context
