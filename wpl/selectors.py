"""Reads of the platform core."""

from __future__ import annotations

from django.db.models import QuerySet

from wpl.models import Heartbeat, Membership, User


def memberships_of(user: User) -> list[Membership]:
    """Every active role the user holds, across institutions (for the switcher).

    Deliberately unscoped: a person must see all the institutions they belong to in
    order to switch between them. Only the user's own rows are read.
    """
    return list(
        Membership.all_tenants.filter(user=user, is_active=True, institution__is_active=True)
        .select_related("institution")
        .order_by("institution__name", "role")
    )


def people(*, membership: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.visible_to(membership)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "role")
    )


def heartbeat(name: str) -> Heartbeat | None:
    return Heartbeat.objects.filter(name=name).first()
