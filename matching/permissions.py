"""matching.permissions."""

from __future__ import annotations

from django.db.models import QuerySet

from workplaces.permissions import visible_organisations
from wpl import permissions as core
from wpl.models import Membership, Role


def visible_rounds(qs: QuerySet, membership: Membership) -> QuerySet:
    """School roles see every round; students their programme's; hosts rounds they have offers in."""
    if core.is_school(membership):
        return qs
    if membership.role == Role.STUDENT:
        return qs.filter(programme__students__user_id=membership.user_id).distinct()
    from workplaces.models import Organisation

    return qs.filter(
        programme__offers__organisation__in=visible_organisations(Organisation.objects.all(), membership)
    ).distinct()


def visible_round_rows(qs: QuerySet, membership: Membership) -> QuerySet:
    """Preferences, visits, ratings, assignments, changes and proposals of a round."""
    if core.is_staff(membership):
        return qs
    if membership.role == Role.SUPERVISOR:
        return qs
    if membership.role == Role.STUDENT:
        return qs.filter(student__user_id=membership.user_id)
    from workplaces.models import Organisation

    organisations = visible_organisations(Organisation.objects.all(), membership)
    if hasattr(qs.model, "offer"):
        return qs.filter(offer__organisation__in=organisations)
    return qs.none()


def visible_workplace_changes(qs: QuerySet, membership: Membership) -> QuerySet:
    """Changes of workplace: staff all; supervisors their students'; students their own; hosts theirs."""
    if core.is_staff(membership):
        return qs
    if membership.role == Role.SUPERVISOR:
        return qs.filter(student__placements__supervisor=membership).distinct()
    if membership.role == Role.STUDENT:
        return qs.filter(student__user_id=membership.user_id)
    if membership.role in (Role.MENTOR, Role.ORG_ADMIN):
        from workplaces.models import Organisation

        return qs.filter(from_organisation__in=visible_organisations(Organisation.objects.all(), membership))
    return qs.none()
