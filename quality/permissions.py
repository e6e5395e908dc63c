"""quality.permissions."""

from __future__ import annotations

from django.db.models import QuerySet

from workplaces.permissions import is_host, visible_organisations
from wpl import permissions as core
from wpl.models import Membership


def can_manage_quality(membership: Membership | None) -> bool:
    """Adapting checklist templates: institution admins and coordinators."""
    return core.is_staff(membership)


def can_use_quality(membership: Membership | None) -> bool:
    return core.is_school(membership) or is_host(membership)


def quality_party_of(membership: Membership | None) -> str | None:
    """The party a person answers the checklist for: the school or the workplace."""
    if core.is_school(membership):
        return "school"
    if is_host(membership):
        return "workplace"
    return None


def visible_checklist_templates(qs: QuerySet, membership: Membership) -> QuerySet:
    return qs if can_use_quality(membership) else qs.none()


def visible_checklist_responses(qs: QuerySet, membership: Membership) -> QuerySet:
    """School roles see every self-evaluation; hosts those of their own organisations."""
    if core.is_school(membership):
        return qs
    if is_host(membership):
        from workplaces.models import Organisation

        return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))
    return qs.none()
