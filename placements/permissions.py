"""Visibility of placement data per role. Pages, API and exports all use these."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from wpl import permissions as core
from wpl.models import Membership, Role


def can_manage_catalogue(membership: Membership | None) -> bool:
    """Programmes, calendars, units: institution admins and coordinators."""
    return core.is_staff(membership)


def can_manage_workplaces(membership: Membership | None) -> bool:
    return core.is_staff(membership)


def visible_programmes(qs: QuerySet, membership: Membership) -> QuerySet:
    return qs


def visible_students(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_school(membership):
        return qs
    if membership.role == Role.STUDENT:
        return qs.filter(user_id=membership.user_id)
    # Mentors and workplace contacts see students placed with them (added with placements).
    return qs.none()


def visible_organisations(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_school(membership) or membership.role == Role.STUDENT:
        return qs
    # Mentors and contacts see their own organisation.
    return qs.filter(
        Q(mentors__user_id=membership.user_id) | Q(contact_email__iexact=membership.user.email)
    ).distinct()


def visible_mentors(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_school(membership):
        return qs
    if membership.role in (Role.MENTOR, Role.ORG_ADMIN):
        from placements.models import Organisation

        return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))
    return qs.none()


def visible_offers(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_school(membership):
        return qs
    if membership.role == Role.STUDENT:
        return qs.filter(status="accepted")
    from placements.models import Organisation

    return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))


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
        from placements.models import Organisation

        return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))
    return qs.none()


def visible_rounds(qs: QuerySet, membership: Membership) -> QuerySet:
    """School roles see every round; students their programme's; hosts rounds they have offers in."""
    if core.is_school(membership):
        return qs
    if membership.role == Role.STUDENT:
        return qs.filter(programme__students__user_id=membership.user_id).distinct()
    from placements.models import Organisation

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
    from placements.models import Organisation

    organisations = visible_organisations(Organisation.objects.all(), membership)
    if hasattr(qs.model, "offer"):
        return qs.filter(offer__organisation__in=organisations)
    return qs.none()
