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


def can_edit_workplace(membership: Membership | None) -> bool:
    """Profile, sites, mentors and capacity: staff, and workplace contacts for their own one
    (the object lookup through `visible_organisations` limits contacts to their organisation)."""
    return core.is_staff(membership) or (membership is not None and membership.role == Role.ORG_ADMIN)


def can_approve_workplaces(membership: Membership | None) -> bool:
    return core.is_staff(membership)


def can_see_workplace_assessment(membership: Membership | None) -> bool:
    """Criteria checklists and approval history: school roles and the workplace's own people."""
    return membership is not None and membership.role != Role.STUDENT


def visible_criteria(qs: QuerySet, membership: Membership) -> QuerySet:
    return qs if can_see_workplace_assessment(membership) else qs.none()


def visible_approvals(qs: QuerySet, membership: Membership) -> QuerySet:
    if not can_see_workplace_assessment(membership):
        return qs.none()
    if core.is_school(membership):
        return qs
    from placements.models import Organisation

    return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))


def visible_programmes(qs: QuerySet, membership: Membership) -> QuerySet:
    return qs


def can_view_students(membership: Membership | None) -> bool:
    """Student pages: school roles see the institution's students, a student only themselves."""
    return core.is_school(membership) or (membership is not None and membership.role == Role.STUDENT)


def can_manage_students(membership: Membership | None) -> bool:
    """Create, edit, import and export students and workplaces: coordinators and admins."""
    return core.is_staff(membership)


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
        # Accepted offers, plus the own-employer proposals the student made themselves.
        return qs.filter(Q(status="accepted") | Q(proposed_by_student__user_id=membership.user_id))
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


def visible_workplace_changes(qs: QuerySet, membership: Membership) -> QuerySet:
    """Changes of workplace: staff all; supervisors their students'; students their own; hosts theirs."""
    if core.is_staff(membership):
        return qs
    if membership.role == Role.SUPERVISOR:
        return qs.filter(student__placements__supervisor=membership).distinct()
    if membership.role == Role.STUDENT:
        return qs.filter(student__user_id=membership.user_id)
    if membership.role in (Role.MENTOR, Role.ORG_ADMIN):
        from placements.models import Organisation

        return qs.filter(from_organisation__in=visible_organisations(Organisation.objects.all(), membership))
    return qs.none()


# --- offers, host self-service and the quality checklist -------------------------------
HOST_ROLES = frozenset({Role.ORG_ADMIN, Role.MENTOR})


def is_host(membership: Membership | None) -> bool:
    """Workplace contacts and mentors: people of a host organisation."""
    return membership is not None and membership.role in HOST_ROLES


def can_submit_offers(membership: Membership | None) -> bool:
    return is_host(membership)


def can_review_offers(membership: Membership | None) -> bool:
    return core.is_staff(membership)


def can_edit_own_organisation(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ORG_ADMIN


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
        from placements.models import Organisation

        return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))
    return qs.none()
