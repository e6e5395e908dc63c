"""Reads for workplaces: organisations, sites, mentors, capacity, criteria and approvals.

Every read starts from `Model.objects.visible_to(membership)`. List and detail reads use a
fixed number of queries however many rows there are (prefetches and subqueries), and the
criteria checklist is evaluated in memory from the prefetched rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from catalogue.models import ProfessionalRole, Programme
from workplaces import criteria as engine
from workplaces import permissions
from workplaces.models import (
    AccessInvitation,
    Mentor,
    OfferDecision,
    Organisation,
    OrganisationCapacity,
    PlacementOffer,
    Region,
    Site,
    WorkplaceApproval,
    WorkplaceCriterion,
)
from wpl.academic_years import current_academic_year
from wpl.ids import parse_id
from wpl.models import Membership


def organisation_export_queryset(
    *,
    membership: Membership,
    q: str = "",
    region: str = "",
    status: str = "",
    programme_id: str = "",
    academic_year: str = "",
) -> QuerySet[Organisation]:
    """Workplaces for the export with the workplace list's own filters (same parameters)."""
    from workplaces import permissions
    from workplaces import selectors as workplaces
    from wpl import academic_years as wpl_academic_years

    programme = None
    if parse_id(programme_id):
        programme = workplaces.programmes(membership=membership).filter(pk=parse_id(programme_id)).first()
    if academic_year not in wpl_academic_years.academic_year_choices():
        academic_year = wpl_academic_years.current_academic_year()
    organisations = workplaces.organisation_list(
        membership=membership,
        search=(q or "").strip()[:100],
        region=region if region in Region.values else "",
        status=status if permissions.can_see_workplace_assessment(membership) else "",
        programme=programme,
        academic_year=academic_year,
    )
    # Replace the list's slim prefetch (it defers the street): the export needs whole sites.
    return organisations.prefetch_related(None).prefetch_related(
        Prefetch("sites", queryset=Site.objects.order_by("id"), to_attr="ordered_sites")
    )


def organisation_export_rows(organisations: QuerySet[Organisation]) -> Iterator[list[Any]]:
    regions = dict(Region.choices)
    for o in organisations:
        site = o.ordered_sites[0] if o.ordered_sites else None
        yield [
            o.name,
            o.enterprise_number,
            o.sector,
            site.street if site else "",
            site.postcode if site else "",
            site.municipality if site else "",
            str(regions.get(site.region, site.region)) if site else "",
            o.contact_name,
            o.contact_email,
        ]


PAGE_SIZE = 50


APPROVAL_STATUS_NONE = "none"


def organisations(*, membership: Membership) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(membership)


def organisation_list(
    *,
    membership: Membership,
    search: str = "",
    region: str = "",
    status: str = "",
    programme: Programme | None = None,
    academic_year: str | None = None,
) -> QuerySet[Organisation]:
    """Organisations for the list page, annotated with their current approval decision.

    `current_decision` is the newest approval for the academic year (and programme, when
    given); `status` filters on it ("approved", "rejected" or "none" for undecided).
    """
    academic_year = academic_year or current_academic_year()
    approvals = WorkplaceApproval.objects.filter(organisation=OuterRef("pk"), academic_year=academic_year)
    if programme is not None:
        approvals = approvals.filter(programme=programme)
    qs = organisations(membership=membership).annotate(
        current_decision=Subquery(approvals.order_by("-decided_at", "-id").values("decision")[:1]),
        mentor_count=Coalesce(
            Subquery(
                Mentor.objects.filter(organisation=OuterRef("pk"))
                .order_by()
                .values("organisation")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
    )
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Exists(
                Site.objects.filter(organisation=OuterRef("pk")).filter(
                    Q(municipality__icontains=search) | Q(postcode=search)
                )
            )
        )
    if region:
        qs = qs.filter(Exists(Site.objects.filter(organisation=OuterRef("pk"), region=region)))
    if status == APPROVAL_STATUS_NONE:
        qs = qs.filter(current_decision__isnull=True)
    elif status in WorkplaceApproval.Decision.values:
        qs = qs.filter(current_decision=status)
    return qs.prefetch_related(
        Prefetch(
            "sites",
            queryset=Site.objects.order_by("name", "id").only(
                "id", "organisation_id", "name", "municipality", "postcode", "region", "institution_id"
            ),
        )
    ).order_by("name", "id")


def organisation_detail(*, membership: Membership, pk: int) -> Organisation:
    """One organisation with everything the detail page shows (raises DoesNotExist)."""
    prefetches = [
        Prefetch("sites", queryset=Site.objects.order_by("name", "id")),
        Prefetch("roles", queryset=ProfessionalRole.objects.select_related("programme")),
        Prefetch(
            "capacities",
            queryset=OrganisationCapacity.objects.select_related("programme").order_by(
                "programme__name", "year"
            ),
        ),
    ]
    prefetches.append(
        Prefetch(
            "mentors", queryset=Mentor.objects.visible_to(membership).order_by("last_name", "first_name")
        )
    )
    prefetches.append(
        Prefetch(
            "approvals",
            queryset=WorkplaceApproval.objects.visible_to(membership)
            .select_related("programme", "decided_by")
            .order_by("-decided_at", "-id"),
        )
    )
    return organisations(membership=membership).prefetch_related(*prefetches).get(pk=pk)


@dataclass
class ApprovalState:
    programme: Programme
    academic_year: str
    current: WorkplaceApproval | None
    history: list[WorkplaceApproval] = field(default_factory=list)


def approval_states(organisation: Organisation) -> list[ApprovalState]:
    """Per programme and academic year: newest decision = current, older rows = history."""
    groups: dict[tuple[int, str], list[WorkplaceApproval]] = defaultdict(list)
    for approval in organisation.approvals.all():  # prefetched, newest first
        groups[(approval.programme_id, approval.academic_year)].append(approval)
    states = [
        ApprovalState(programme=rows[0].programme, academic_year=year, current=rows[0], history=rows)
        for (_pid, year), rows in groups.items()
    ]
    return sorted(states, key=lambda s: (s.academic_year, s.programme.name), reverse=True)


def criteria_by_programme(*, membership: Membership) -> list[tuple[Programme, list[WorkplaceCriterion]]]:
    """Every programme that has criteria, with its criteria in order (two queries)."""
    rows = (
        WorkplaceCriterion.objects.visible_to(membership)
        .select_related("programme")
        .order_by("programme__name", "programme_id", "order", "id")
    )
    grouped: dict[int, tuple[Programme, list[WorkplaceCriterion]]] = {}
    for criterion in rows:
        grouped.setdefault(criterion.programme_id, (criterion.programme, []))[1].append(criterion)
    programmes = [p for p, _c in grouped.values()]
    if programmes:
        prefetch_related_objects(programmes, "roles")
    return list(grouped.values())


def checklists(*, membership: Membership, organisation: Organisation) -> list[engine.Checklist]:
    """The criteria checklist per programme for an organisation from `organisation_detail`."""
    if not permissions.can_see_workplace_assessment(membership):
        return []
    facts = engine.WorkplaceFacts.from_organisation(organisation)
    return [
        engine.checklist(programme, items, facts)
        for programme, items in criteria_by_programme(membership=membership)
    ]


def programme_checklist(
    *, membership: Membership, organisation_pk: int, programme: Programme
) -> engine.Checklist:
    """One programme's criteria checklist for an organisation (used when deciding approval)."""
    organisation = organisation_detail(membership=membership, pk=organisation_pk)
    items = list(
        WorkplaceCriterion.objects.visible_to(membership).filter(programme=programme).order_by("order", "id")
    )
    prefetch_related_objects([programme], "roles")
    return engine.checklist(programme, items, engine.WorkplaceFacts.from_organisation(organisation))


def programmes(*, membership: Membership) -> QuerySet[Programme]:
    return Programme.objects.visible_to(membership).order_by("name")


def criteria(*, membership: Membership) -> QuerySet[WorkplaceCriterion]:
    return WorkplaceCriterion.objects.visible_to(membership).select_related("programme")


def sites(*, membership: Membership) -> QuerySet[Site]:
    return Site.objects.visible_to(membership).select_related("organisation")


def mentors(*, membership: Membership) -> QuerySet[Mentor]:
    return Mentor.objects.visible_to(membership).select_related("organisation")


def approvals(*, membership: Membership) -> QuerySet[WorkplaceApproval]:
    return WorkplaceApproval.objects.visible_to(membership).select_related(
        "organisation", "programme", "decided_by"
    )


def professional_roles(*, membership: Membership) -> QuerySet[ProfessionalRole]:
    return (
        ProfessionalRole.objects.visible_to(membership)
        .select_related("programme")
        .order_by("programme__name", "order", "name")
    )


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
    from workplaces import permissions

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
