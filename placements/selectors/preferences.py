"""Reads for the students' and workplaces' side of matching, and the year-2 rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from placements.academic_years import previous_academic_year  # noqa: F401 (re-exported)
from placements.models import (
    CandidateRating,
    MatchingRound,
    Organisation,
    Placement,
    PlacementOffer,
    Student,
    StudentPreference,
    WorkplaceApproval,
    WorkplaceChange,
    WorkplaceVisit,
)
from placements.validators import parse_weekdays  # noqa: F401 (re-exported)
from wpl.models import Membership, Role

WEEKDAYS = range(1, 8)


# --- students ---------------------------------------------------------------------------------


def student_for(membership: Membership) -> Student | None:
    """The student record of a signed-in student (None for other roles or when not linked)."""
    if membership is None or membership.role != Role.STUDENT:
        return None
    return (
        Student.objects.visible_to(membership)
        .filter(user_id=membership.user_id)
        .select_related("programme")
        .order_by("-year", "id")
        .first()
    )


def rounds_for_student(*, membership: Membership, student: Student) -> QuerySet:
    """Matching rounds of the student's programme and year, newest first."""
    return (
        MatchingRound.objects.visible_to(membership)
        .filter(programme_id=student.programme_id, year=student.year)
        .select_related("programme")
        .order_by("-academic_year")
    )


def round_is_open(matching_round: MatchingRound, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if matching_round.status != MatchingRound.Status.OPEN:
        return False
    return matching_round.preferences_deadline is None or now <= matching_round.preferences_deadline


def ratings_are_open(matching_round: MatchingRound, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if matching_round.status == MatchingRound.Status.PUBLISHED:
        return False
    return matching_round.ratings_deadline is None or now <= matching_round.ratings_deadline


def latest_approval_decision(*, programme_id: int, academic_year: str):
    """Subquery: the latest approval decision of the outer organisation for the programme and year."""
    return Subquery(
        WorkplaceApproval.objects.filter(
            organisation_id=OuterRef("organisation_id"),
            programme_id=programme_id,
            academic_year=academic_year,
        )
        .order_by("-decided_at", "-id")
        .values("decision")[:1]
    )


@dataclass
class OfferFilters:
    role_ids: list[int] = field(default_factory=list)
    region: str = ""
    weekdays: list[int] = field(default_factory=list)  # days the student is available
    language: str = ""


def offers_for_round(
    *,
    membership: Membership | None,
    matching_round: MatchingRound,
    student: Student | None = None,
    filters: OfferFilters | None = None,
) -> QuerySet:
    """Accepted offers of the round's programme, year and academic year at approved organisations.

    Flags per offer whether the student visited it (`visited`) and has it in their ranking
    (`chosen`). A constant number of queries whatever the number of offers.
    """
    base = PlacementOffer.objects.visible_to(membership) if membership else PlacementOffer.objects.all()
    qs = (
        base.filter(
            status=PlacementOffer.Status.ACCEPTED,
            programme_id=matching_round.programme_id,
            year=matching_round.year,
            academic_year=matching_round.academic_year,
        )
        .annotate(
            approval=latest_approval_decision(
                programme_id=matching_round.programme_id, academic_year=matching_round.academic_year
            )
        )
        .filter(approval=WorkplaceApproval.Decision.APPROVED)
        .select_related("organisation", "site", "mentor")
        .prefetch_related("roles")
        .order_by("organisation__name", "id")
    )
    if student is not None:
        qs = qs.annotate(
            visited=Exists(
                WorkplaceVisit.objects.filter(round=matching_round, student=student, offer_id=OuterRef("pk"))
            ),
            chosen=Exists(
                StudentPreference.objects.filter(
                    round=matching_round, student=student, offer_id=OuterRef("pk")
                )
            ),
        )
    if filters is not None:
        qs = apply_offer_filters(qs, filters)
    return qs


def apply_offer_filters(qs: QuerySet, filters: OfferFilters) -> QuerySet:
    if filters.role_ids:
        qs = qs.filter(roles__id__in=filters.role_ids).distinct()
    if filters.region:
        qs = qs.filter(site__region=filters.region)
    if filters.weekdays:
        # Offers that fit in the days the student is available; offers without fixed days stay.
        for day in WEEKDAYS:
            if day not in filters.weekdays:
                qs = qs.exclude(weekdays__contains=str(day))
    if filters.language:
        qs = qs.filter(organisation__languages__icontains=filters.language)
    return qs


def offer_for_student(*, membership: Membership, student: Student, offer_id: int):
    """(offer, round) for an offer the student may see in one of their rounds, or None."""
    offer = (
        PlacementOffer.objects.visible_to(membership)
        .filter(pk=offer_id, programme_id=student.programme_id, year=student.year)
        .select_related("organisation", "site", "mentor", "programme")
        .prefetch_related("roles")
        .first()
    )
    if offer is None:
        return None
    matching_round = (
        rounds_for_student(membership=membership, student=student)
        .filter(academic_year=offer.academic_year)
        .first()
    )
    if matching_round is None:
        return None
    eligible = offers_for_round(membership=membership, matching_round=matching_round).filter(pk=offer.pk)
    if not eligible.exists():
        return None
    return offer, matching_round


def student_preferences(*, membership: Membership, matching_round: MatchingRound, student: Student) -> list:
    return list(
        StudentPreference.objects.visible_to(membership)
        .filter(round=matching_round, student=student)
        .select_related("offer__organisation", "offer__site")
        .order_by("rank")
    )


def student_visits(
    *, membership: Membership, matching_round: MatchingRound, student: Student, offer=None
) -> list:
    qs = (
        WorkplaceVisit.objects.visible_to(membership)
        .filter(round=matching_round, student=student)
        .select_related("offer__organisation", "offer__site")
        .order_by("date", "id")
    )
    if offer is not None:
        qs = qs.filter(offer=offer)
    return list(qs)


def own_employer_proposals(*, membership: Membership, student: Student, academic_year: str) -> list:
    """Offers the student proposed (their own employer), whatever their status."""
    return list(
        PlacementOffer.objects.visible_to(membership)
        .filter(proposed_by_student=student, academic_year=academic_year)
        .select_related("organisation", "site")
        .order_by("-created_at")
    )


# --- year 2: stay at the same workplace ---------------------------------------------------------


def previous_workplace_rules(matching_round: MatchingRound) -> dict[int, int]:
    """{student_id: organisation_id} of students who must stay at their year-(n-1) workplace.

    For a round of year 2 or later: every student of the programme in the round's year with
    a placement in the previous programme year stays at that organisation, unless a change
    of workplace for the round's academic year is agreed by student, mentor and supervisor.
    A whole-year placement wins over unit placements; the latest academic year wins.
    """
    if matching_round.year < 2:
        return {}
    placements = (
        Placement.objects.filter(
            programme_id=matching_round.programme_id,
            year=matching_round.year - 1,
            student__year=matching_round.year,
            academic_year__lt=matching_round.academic_year,
        )
        .order_by(
            "student_id",
            "-academic_year",
            ExpressionWrapper(Q(wpl_unit__isnull=True), output_field=BooleanField()).desc(),
            "-id",
        )
        .values_list("student_id", "organisation_id")
    )
    rules: dict[int, int] = {}
    for student_id, organisation_id in placements:
        rules.setdefault(student_id, organisation_id)
    if not rules:
        return rules
    agreed = set(
        WorkplaceChange.objects.fully_agreed()
        .filter(academic_year=matching_round.academic_year, student_id__in=list(rules))
        .values_list("student_id", flat=True)
    )
    return {s: o for s, o in rules.items() if s not in agreed}


def stay_organisation(*, matching_round: MatchingRound, student: Student) -> Organisation | None:
    """The organisation the student stays at in this round, or None when they choose freely."""
    if matching_round.year < 2:
        return None
    organisation_id = previous_workplace_rules(matching_round).get(student.pk)
    if organisation_id is None:
        return None
    return Organisation.objects.filter(pk=organisation_id).first()


def workplace_changes(*, membership: Membership) -> QuerySet:
    return (
        WorkplaceChange.objects.visible_to(membership)
        .select_related("student__programme", "from_organisation", "to_organisation", "recorded_by")
        .order_by("-academic_year", "student__last_name", "student__first_name", "id")
    )


# --- workplaces: candidates ---------------------------------------------------------------------


def round_of_offer(offer: PlacementOffer) -> MatchingRound | None:
    return (
        MatchingRound.objects.filter(
            programme_id=offer.programme_id, year=offer.year, academic_year=offer.academic_year
        )
        .select_related("programme")
        .first()
    )


def offers_with_candidates(*, membership: Membership) -> list[dict]:
    """Offers of the host's organisations in rounds that are not published, with candidate counts."""
    rounds = {
        (r.programme_id, r.year, r.academic_year): r
        for r in MatchingRound.objects.visible_to(membership)
        .exclude(status=MatchingRound.Status.PUBLISHED)
        .select_related("programme")
    }
    if not rounds:
        return []
    offers = (
        PlacementOffer.objects.visible_to(membership)
        .filter(status=PlacementOffer.Status.ACCEPTED, academic_year__in={k[2] for k in rounds})
        .select_related("organisation", "site", "programme")
        .order_by("organisation__name", "id")
    )
    offers = [o for o in offers if (o.programme_id, o.year, o.academic_year) in rounds]
    offer_ids = [o.pk for o in offers]
    candidates: dict[int, set[int]] = {}
    rated: dict[int, set[int]] = {}
    for model in (StudentPreference, WorkplaceVisit):
        for offer_id, student_id in (
            model.objects.visible_to(membership)
            .filter(offer_id__in=offer_ids)
            .values_list("offer_id", "student_id")
        ):
            candidates.setdefault(offer_id, set()).add(student_id)
    for offer_id, student_id in (
        CandidateRating.objects.visible_to(membership)
        .filter(offer_id__in=offer_ids)
        .values_list("offer_id", "student_id")
    ):
        rated.setdefault(offer_id, set()).add(student_id)
    return [
        {
            "offer": o,
            "round": rounds[(o.programme_id, o.year, o.academic_year)],
            "candidates": len(candidates.get(o.pk, ())),
            "rated": len(candidates.get(o.pk, set()) & rated.get(o.pk, set())),
        }
        for o in offers
    ]


@dataclass
class Candidate:
    student: Student
    visits: list = field(default_factory=list)
    preference: StudentPreference | None = None
    rating: CandidateRating | None = None


def candidates_for_offer(
    *, membership: Membership, matching_round: MatchingRound, offer: PlacementOffer
) -> list[Candidate]:
    """Students who visited or ranked the offer in the round, with the workplace's rating."""
    by_student: dict[int, Candidate] = {}
    for visit in (
        WorkplaceVisit.objects.visible_to(membership)
        .filter(round=matching_round, offer=offer)
        .select_related("student")
        .order_by("date", "id")
    ):
        by_student.setdefault(visit.student_id, Candidate(student=visit.student)).visits.append(visit)
    for preference in (
        StudentPreference.objects.visible_to(membership)
        .filter(round=matching_round, offer=offer)
        .select_related("student")
    ):
        by_student.setdefault(
            preference.student_id, Candidate(student=preference.student)
        ).preference = preference
    for rating in CandidateRating.objects.visible_to(membership).filter(
        round=matching_round, offer=offer, student_id__in=list(by_student)
    ):
        by_student[rating.student_id].rating = rating
    return sorted(
        by_student.values(), key=lambda c: (c.student.last_name.lower(), c.student.first_name.lower())
    )


def host_offers(membership: Membership) -> QuerySet:
    """Offers a mentor or workplace contact may rate candidates for (404 for anything else)."""
    if membership.role not in (Role.MENTOR, Role.ORG_ADMIN):
        return PlacementOffer.objects.none()
    return PlacementOffer.objects.visible_to(membership).select_related("organisation", "site", "programme")


__all__ = [
    "Candidate",
    "OfferFilters",
    "candidates_for_offer",
    "host_offers",
    "offer_for_student",
    "offers_for_round",
    "offers_with_candidates",
    "own_employer_proposals",
    "parse_weekdays",
    "previous_workplace_rules",
    "round_is_open",
    "round_of_offer",
    "rounds_for_student",
    "stay_organisation",
    "student_for",
    "student_preferences",
    "student_visits",
    "workplace_changes",
]
