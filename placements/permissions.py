"""placements.permissions."""

from __future__ import annotations

from django.db.models import QuerySet

from workplaces.permissions import visible_organisations
from wpl import permissions as core
from wpl.models import Membership, Role


def visible_placements(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_staff(membership):
        return qs
    if membership.role == Role.SUPERVISOR:
        return qs.filter(supervisor=membership)
    if membership.role == Role.STUDENT:
        return qs.filter(student__user_id=membership.user_id)
    if membership.role == Role.MENTOR:
        return qs.filter(mentor__user_id=membership.user_id)
    if membership.role == Role.ORG_ADMIN:
        from workplaces.models import Organisation

        return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))
    return qs.none()
