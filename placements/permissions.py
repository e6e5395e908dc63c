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
