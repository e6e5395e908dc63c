"""Reads for placement offers, host self-service and access invitations."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from placements.academic_years import academic_year_choices, current_academic_year  # noqa: F401 (re-exported)
from placements.models import Mentor, OfferDecision, Organisation, PlacementOffer, ProfessionalRole, Site
from wpl.models import AccessInvitation, Membership

WEEKDAY_NUMBERS = (1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class OfferFilters:
    status: str = ""
    programme: int | None = None
    academic_year: str = ""
    q: str = ""


def offers(*, membership: Membership, filters: OfferFilters | None = None) -> QuerySet[PlacementOffer]:
    """Offers the person may see, newest first, with everything the list shows (fixed queries)."""
    filters = filters or OfferFilters()
    qs = PlacementOffer.objects.visible_to(membership)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.programme:
        qs = qs.filter(programme_id=filters.programme)
    if filters.academic_year:
        qs = qs.filter(academic_year=filters.academic_year)
    if filters.q:
        qs = qs.filter(Q(organisation__name__icontains=filters.q) | Q(tasks__icontains=filters.q))
    return (
        qs.select_related("organisation", "programme", "site", "mentor")
        .prefetch_related(Prefetch("roles", queryset=ProfessionalRole.objects.order_by("order", "name")))
        .order_by("-created_at", "-id")
    )


def offer_detail(*, membership: Membership, pk: int) -> PlacementOffer | None:
    return (
        offers(membership=membership)
        .prefetch_related(
            Prefetch("decisions", queryset=OfferDecision.objects.select_related("decided_by")),
        )
        .filter(pk=pk)
        .first()
    )


def host_organisations(*, membership: Membership) -> QuerySet[Organisation]:
    """The organisations a workplace contact or mentor works for."""
    from placements import permissions

    if not permissions.is_host(membership):
        return Organisation.objects.none()
    return Organisation.objects.visible_to(membership).order_by("name")


def host_organisation(*, membership: Membership, pk: int) -> Organisation | None:
    return (
        host_organisations(membership=membership)
        .prefetch_related(
            Prefetch("sites", queryset=Site.objects.order_by("name")),
            Prefetch("mentors", queryset=Mentor.objects.order_by("last_name", "first_name")),
            "roles",
        )
        .filter(pk=pk)
        .first()
    )


def sites_of(organisations) -> QuerySet[Site]:
    return Site.objects.filter(organisation__in=organisations).select_related("organisation")


def mentors_of(organisations) -> QuerySet[Mentor]:
    return Mentor.objects.filter(organisation__in=organisations).select_related("organisation")


def invitations(*, membership: Membership) -> QuerySet[AccessInvitation]:
    return AccessInvitation.objects.visible_to(membership).select_related(
        "organisation", "mentor", "created_by", "accepted_by"
    )


def invitation(*, membership: Membership, pk: int) -> AccessInvitation | None:
    return invitations(membership=membership).filter(pk=pk).first()
