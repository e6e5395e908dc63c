"""matching.permissions."""

from __future__ import annotations

from django.db.models import QuerySet

from workplaces.permissions import is_host, visible_organisations
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


def can_state_preferences(membership: Membership | None) -> bool:
    """A student's side of matching: rounds, offers, ranking, visits, own employer."""
    return core.is_student(membership)


def can_rate_candidates(membership: Membership | None) -> bool:
    """Mentors and workplace contacts rate the candidates of their offers."""
    return is_host(membership)


def can_manage_matching(membership: Membership | None) -> bool:
    """Rounds, the board, proposals, publishing, supervisors, changes of workplace: staff."""
    return core.is_staff(membership)


def can_see_workplace_changes(membership: Membership | None) -> bool:
    return core.is_school(membership)


# The date each party's own agreement to a change of workplace is stored in.
AGREEMENT_FIELD_BY_ROLE = {
    Role.STUDENT: "agreed_by_student_at",
    Role.MENTOR: "agreed_by_mentor_at",
    Role.SUPERVISOR: "agreed_by_supervisor_at",
}


def agreement_field(membership: Membership | None) -> str | None:
    """The field in which this person's agreement to a change of workplace is recorded."""
    return AGREEMENT_FIELD_BY_ROLE.get(membership.role) if membership is not None else None


def can_agree_to_workplace_change(membership: Membership | None) -> bool:
    """The student, the mentor and the supervisor each give their own agreement."""
    return agreement_field(membership) is not None
