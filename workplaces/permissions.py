"""Visibility of placement data per role. Pages, API and exports all use these."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalogue.permissions import can_manage_catalogue
from wpl import permissions as core
from wpl.models import Membership, Role


def can_manage_workplaces(membership: Membership | None) -> bool:
    return core.is_staff(membership)


def can_read_workplaces(membership: Membership | None) -> bool:
    """The workplace list, its export and the workplaces API: school roles."""
    return core.is_school(membership)


def can_export_workplaces(membership: Membership | None) -> bool:
    return can_read_workplaces(membership)


def can_edit_workplace(membership: Membership | None) -> bool:
    """Profile, sites, mentors and capacity: staff, and workplace contacts for their own one
    (the object lookup through `visible_organisations` limits contacts to their organisation)."""
    return core.is_staff(membership) or core.is_org_admin(membership)


def can_approve_workplaces(membership: Membership | None) -> bool:
    return core.is_staff(membership)


def can_see_workplace_assessment(membership: Membership | None) -> bool:
    """Criteria checklists and approval history: school roles and the workplace's own people."""
    return membership is not None and not core.is_student(membership)


def can_see_mentors(membership: Membership | None) -> bool:
    """Mentors on a workplace page: everyone but students."""
    return membership is not None and not core.is_student(membership)


def can_configure_criteria(membership: Membership | None) -> bool:
    """The workplace criteria of the programmes belong to the catalogue's managers."""
    return can_manage_catalogue(membership)


def visible_criteria(qs: QuerySet, membership: Membership) -> QuerySet:
    return qs if can_see_workplace_assessment(membership) else qs.none()


def visible_approvals(qs: QuerySet, membership: Membership) -> QuerySet:
    if not can_see_workplace_assessment(membership):
        return qs.none()
    if core.is_school(membership):
        return qs
    from workplaces.models import Organisation

    return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))


def visible_organisations(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_school(membership):
        return qs
    if membership.role == Role.STUDENT:
        return qs.filter(pk__in=_student_organisation_ids(membership))
    # Mentors and contacts see their own organisation, through the explicit links to their
    # account (the mentor record's user, the organisation's contact_user), never through an
    # e-mail field that staff and imports can change.
    user_id = membership.user_id
    return qs.filter(Q(mentors__user_id=user_id) | Q(contact_user_id=user_id)).distinct()


def _student_organisation_ids(membership: Membership):
    """Organisations a student may see: approved for their programme (the latest decision of
    the latest academic year decided), and the ones they are placed at. Never rejected,
    undecided or test workplaces."""
    from django.db.models import OuterRef, Subquery

    from workplaces.models import Organisation, WorkplaceApproval

    latest = (
        WorkplaceApproval.objects.filter(
            organisation_id=OuterRef("pk"), programme__students__user_id=membership.user_id
        )
        .order_by("-academic_year", "-decided_at", "-id")
        .values("decision")[:1]
    )
    approved = (
        Organisation.objects.annotate(student_decision=Subquery(latest))
        .filter(student_decision=WorkplaceApproval.Decision.APPROVED)
        .values("pk")
    )
    # Through the reverse relation: workplaces sit below placements and do not import them.
    placed = Organisation.objects.filter(placements__student__user_id=membership.user_id).values("pk")
    return Organisation.objects.filter(Q(pk__in=approved) | Q(pk__in=placed)).values("pk")


def visible_mentors(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_school(membership):
        return qs
    if membership.role in (Role.MENTOR, Role.ORG_ADMIN):
        from workplaces.models import Organisation

        return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))
    return qs.none()


def visible_offers(qs: QuerySet, membership: Membership) -> QuerySet:
    if core.is_school(membership):
        return qs
    if membership.role == Role.STUDENT:
        # Accepted offers of approved workplaces, plus the own-employer proposals the student
        # made themselves.
        return qs.filter(
            Q(status="accepted", organisation_id__in=_student_organisation_ids(membership))
            | Q(proposed_by_student__user_id=membership.user_id)
        )
    from workplaces.models import Organisation

    return qs.filter(organisation__in=visible_organisations(Organisation.objects.all(), membership))


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
    return core.is_org_admin(membership)
