"""Reads for the students' and workplaces' side of matching, and the year-2 rule."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalogue.models import ProgrammeYear
from matching.algorithms import (
    DEFERRED_ACCEPTANCE,
    MIN_TOTAL_RANK,
    MatchingProblem,
    MatchingResult,
    rank_distribution,
)
from matching.models import (
    Assignment,
    AssignmentChange,
    CandidateRating,
    MatchingProposal,
    MatchingRound,
    StudentPreference,
    WorkplaceChange,
    WorkplaceVisit,
)
from placements.models import Placement
from students.models import Student
from workplaces.models import Organisation, PlacementOffer, WorkplaceApproval
from wpl.models import Membership, Role
from wpl.validators import parse_weekdays

WEEKDAYS = range(1, 8)


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
    """Matching rounds of the student's programme and year, newest first.

    A follow-up round only counts for the students it is for: those without a placement
    for its academic year when it is open, and those it placed.
    """
    placed = Placement.objects.filter(
        student_id=student.pk,
        academic_year=OuterRef("academic_year"),
        year=OuterRef("year"),
        wpl_unit__isnull=True,
    )
    in_round = Assignment.objects.filter(round_id=OuterRef("pk"), student_id=student.pk)
    return (
        MatchingRound.objects.visible_to(membership)
        .filter(programme_id=student.programme_id, year=student.year)
        .filter(Q(follow_up_of__isnull=True) | ~Exists(placed) | Exists(in_round))
        .select_related("programme")
        .order_by("-academic_year", "-id")
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
    if matching_round.follow_up_of_id:
        # A follow-up round offers only what still has a place after the earlier rounds.
        from matching.selectors import round_offers

        qs = qs.filter(pk__in=round_offers(matching_round).values("pk"))
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


@dataclass
class UnavailableChoice:
    """A student's ranked choice that can no longer be matched, and why (shown, not dropped)."""

    rank: int
    offer: PlacementOffer
    reason: str


def unavailable_choices(
    *, membership: Membership, matching_round: MatchingRound, preferences: list
) -> list[UnavailableChoice]:
    """The student's choices that are no longer open in the round: offer withdrawn or closed,
    workplace not (or no longer) approved, or (follow-up round) no place left. Two queries."""
    if not preferences:
        return []
    from django.utils.translation import gettext as _

    open_ids = set(
        offers_for_round(membership=membership, matching_round=matching_round)
        .filter(pk__in=[p.offer_id for p in preferences])
        .values_list("pk", flat=True)
    )
    gone = [p for p in preferences if p.offer_id not in open_ids]
    if not gone:
        return []
    decisions = dict(
        PlacementOffer.objects.filter(pk__in=[p.offer_id for p in gone])
        .annotate(
            approval=latest_approval_decision(
                programme_id=matching_round.programme_id, academic_year=matching_round.academic_year
            )
        )
        .values_list("pk", "approval")
    )
    found = []
    for p in gone:
        if p.offer.status == PlacementOffer.Status.WITHDRAWN:
            reason = _("the workplace withdrew the offer")
        elif p.offer.status != PlacementOffer.Status.ACCEPTED:
            reason = _("the offer is no longer open")
        elif decisions.get(p.offer_id) == WorkplaceApproval.Decision.REJECTED:
            reason = _("the workplace is not approved for your programme")
        elif decisions.get(p.offer_id) != WorkplaceApproval.Decision.APPROVED:
            reason = _("the workplace is not approved yet for your programme")
        else:
            reason = _("it has no place left")
        found.append(UnavailableChoice(rank=p.rank, offer=p.offer, reason=reason))
    return found


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


def round_of_offer(offer: PlacementOffer) -> MatchingRound | None:
    """The offer's current round: the newest one (a follow-up round after the first)."""
    return (
        MatchingRound.objects.filter(
            programme_id=offer.programme_id, year=offer.year, academic_year=offer.academic_year
        )
        .select_related("programme")
        .order_by("-id")
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
    # Only the running rounds' candidates (a follow-up round shares offers with its parent).
    round_ids = [r.pk for r in rounds.values()]
    candidates: dict[int, set[int]] = {}
    rated: dict[int, set[int]] = {}
    for model in (StudentPreference, WorkplaceVisit):
        for offer_id, student_id in (
            model.objects.visible_to(membership)
            .filter(offer_id__in=offer_ids, round_id__in=round_ids)
            .values_list("offer_id", "student_id")
        ):
            candidates.setdefault(offer_id, set()).add(student_id)
    for offer_id, student_id in (
        CandidateRating.objects.visible_to(membership)
        .filter(offer_id__in=offer_ids, round_id__in=round_ids)
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


#: Ratings of the workplace for the algorithm (lower is better); "no" is forbidden.
VERDICT_BASE = {CandidateRating.Verdict.YES: 1, CandidateRating.Verdict.MAYBE: 2}


#: Within a verdict, the workplace's optional ranking orders candidates; unranked last.
RANK_SPAN = 1000


#: How many of a student's choices the board shows in the row.
BOARD_CHOICES = 5


BOARD_PAGE_SIZE = 100


MODES = {
    DEFERRED_ACCEPTANCE: gettext_lazy("Deferred acceptance (stable; recommended)"),
    MIN_TOTAL_RANK: gettext_lazy("Minimum total rank (may be unstable)"),
}


# Hard constraints that make a (student, offer) pair forbidden, with their labels.
FORBIDDEN_LABELS = {
    "rated_no": gettext_lazy("the workplace said no"),
    "not_approved": gettext_lazy("workplace not approved for this programme"),
    "weekdays": gettext_lazy("weekdays do not match the programme"),
    "previous_workplace": gettext_lazy("must stay at the previous workplace"),
}


SHORT_WEEKDAYS = {
    1: gettext_lazy("Mon"),
    2: gettext_lazy("Tue"),
    3: gettext_lazy("Wed"),
    4: gettext_lazy("Thu"),
    5: gettext_lazy("Fri"),
    6: gettext_lazy("Sat"),
    7: gettext_lazy("Sun"),
}


CONFLICT_LABELS = {
    "over_capacity": gettext_lazy("over capacity"),
    "not_ranked": gettext_lazy("not ranked by the student"),
    "rated_no": gettext_lazy("the workplace said no"),
    "not_approved": gettext_lazy("workplace not approved"),
    "offer_closed": gettext_lazy("offer no longer open"),
    "previous_workplace": gettext_lazy("must stay at the previous workplace"),
    "weekdays": gettext_lazy("weekdays do not match the programme"),
}


def rounds(*, membership: Membership) -> QuerySet[MatchingRound]:
    return MatchingRound.objects.visible_to(membership).select_related("programme", "follow_up_of")


def _year_placements(round: MatchingRound) -> QuerySet[Placement]:
    """The programme year's placements (not per WPL unit) in the round's academic year."""
    return Placement.objects.filter(
        programme_id=round.programme_id,
        academic_year=round.academic_year,
        year=round.year,
        wpl_unit__isnull=True,
    )


def _earlier_placements(round: MatchingRound) -> QuerySet[Placement]:
    """Placements made before this follow-up round (its own published ones excluded)."""
    own = Assignment.objects.filter(round_id=round.pk).values("student_id")
    return _year_placements(round).exclude(student_id__in=own)


def round_offers(round: MatchingRound) -> QuerySet[PlacementOffer]:
    """Accepted offers of the round's programme, year and academic year.

    A follow-up round keeps only the offers that still have a place left after the
    placements of the earlier rounds.
    """
    qs = PlacementOffer.objects.filter(
        status=PlacementOffer.Status.ACCEPTED,
        programme_id=round.programme_id,
        year=round.year,
        academic_year=round.academic_year,
    )
    if round.follow_up_of_id:
        used = (
            _earlier_placements(round)
            .filter(offer_id=OuterRef("pk"))
            .order_by()
            .values("offer_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        qs = qs.annotate(places_used=Coalesce(Subquery(used), 0)).filter(places__gt=F("places_used"))
    return qs


def used_places(round: MatchingRound) -> dict[int, int]:
    """Offer id -> places already taken by earlier rounds (follow-up rounds only; else no query)."""
    if not round.follow_up_of_id:
        return {}
    return dict(
        _earlier_placements(round)
        .filter(offer_id__isnull=False)
        .order_by()
        .values_list("offer_id")
        .annotate(n=Count("pk"))
        .values_list("offer_id", "n")
    )


def round_students(round: MatchingRound) -> QuerySet[Student]:
    """The programme year's students; a follow-up round only those still without a placement."""
    qs = Student.objects.filter(programme_id=round.programme_id, year=round.year)
    if round.follow_up_of_id:
        qs = qs.exclude(pk__in=_earlier_placements(round).values("student_id"))
    return qs


def round_offers_left(round: MatchingRound) -> int:
    """How many offers of the programme year still have a place after this round's placements."""
    used = dict(
        _year_placements(round)
        .filter(offer_id__isnull=False)
        .order_by()
        .values_list("offer_id")
        .annotate(n=Count("pk"))
        .values_list("offer_id", "n")
    )
    return sum(
        1
        for pk, places in PlacementOffer.objects.filter(
            status=PlacementOffer.Status.ACCEPTED,
            programme_id=round.programme_id,
            year=round.year,
            academic_year=round.academic_year,
        ).values_list("pk", "places")
        if places > used.get(pk, 0)
    )


def unplaced_after(round: MatchingRound) -> int:
    """How many of the programme year's students have no placement yet (for a follow-up round)."""
    return (
        Student.objects.filter(programme_id=round.programme_id, year=round.year)
        .exclude(pk__in=_year_placements(round).values("student_id"))
        .count()
    )


def approval_status(round: MatchingRound) -> dict[int, str]:
    """Organisation id -> latest decision for the round's programme and academic year."""
    latest: dict[int, str] = {}
    rows = (
        WorkplaceApproval.objects.filter(programme_id=round.programme_id, academic_year=round.academic_year)
        .order_by("organisation_id", "-decided_at", "-id")
        .values_list("organisation_id", "decision")
    )
    for organisation_id, decision in rows:
        latest.setdefault(organisation_id, decision)
    return latest


def _weekday_set(value: str | None) -> frozenset[int]:
    return frozenset(parse_weekdays(value))


def programme_weekdays(round: MatchingRound) -> frozenset[int]:
    """The programme's default WPL days for the round's year (ProgrammeYear), if recorded."""
    value = (
        ProgrammeYear.objects.filter(programme_id=round.programme_id, year=round.year)
        .values_list("wpl_weekdays", flat=True)
        .first()
    )
    return _weekday_set(value)


@lru_cache(maxsize=8)
def board_labels(language: str | None) -> dict:
    """The board's fixed words in one language, translated and escaped once.

    A board page builds 100 student rows and 500 offer rows; asking gettext for the
    same dozen words in each of them was a large part of the page's time.
    """
    with translation.override(language):
        return {
            "approved": format_html('<span class="status-pass">{}</span>', _("approved")),
            "rejected": format_html('<span class="status-fail">{}</span>', _("rejected")),
            "undecided": format_html('<span class="status-unknown">{}</span>', _("not approved yet")),
            "taken": _("%(taken)s of %(places)s"),
            "over_capacity": _("over capacity"),
            "no_preferences": format_html('<li style="list-style:none">{}</li>', _("no preferences")),
            "verdicts": {
                value: format_html(' <small class="verdict-{}">({})</small>', value, label)
                for value, label in CandidateRating.Verdict.choices
            },
            "weekdays": {day: str(label) for day, label in SHORT_WEEKDAYS.items()},
            "conflicts": {key: escape(label) for key, label in CONFLICT_LABELS.items()},
            "choice": _("choice %(n)s"),
            "locked": escape(_("locked")),
            "unplaced": escape(_("unplaced")),
            "offer_for": _("Offer for %(name)s"),
            "assign": escape(_("Assign")),
            "unassign": escape(_("Unassign")),
            "lock": escape(_("Lock")),
            "unlock": escape(_("Unlock")),
            "all_offers": escape(_("All offers…")),
        }


def current_board_labels() -> dict:
    """`board_labels()` in the active language."""
    return board_labels(translation.get_language())


@lru_cache(maxsize=256)
def _weekdays_label(language: str | None, weekdays: str | None) -> str:
    names = board_labels(language)["weekdays"]
    return ", ".join(names[d] for d in parse_weekdays(weekdays) if d in names)


@dataclass
class OfferInfo:
    id: int
    organisation_id: int
    organisation: str
    site: str
    mentor: str
    places: int
    weekdays: str
    status: str
    approval: str | None  # "approved", "rejected" or None (no decision)
    taken: int = 0

    @property
    def label(self) -> str:
        return f"{self.organisation} · {self.site}" if self.site else self.organisation

    @property
    def approved(self) -> bool:
        return self.approval == WorkplaceApproval.Decision.APPROVED

    @property
    def over_capacity(self) -> bool:
        return self.taken > self.places

    @property
    def free(self) -> int:
        return max(self.places - self.taken, 0)

    def row_html(self, oob: bool = False) -> str:
        """The offer's row of the board's offers table (built here: 500 rows render fast)."""
        labels = current_board_labels()
        if self.approved:
            approval = labels["approved"]
        elif self.approval:
            approval = labels["rejected"]
        else:
            approval = labels["undecided"]
        taken = labels["taken"] % {"taken": self.taken, "places": self.places}
        if self.over_capacity:
            taken = f"{taken} · {labels['over_capacity']}"
        swap = ' hx-swap-oob="true"' if oob else ""
        over = ' class="status-fail"' if self.over_capacity else ""
        return SafeString(
            f'<tr id="offer-{self.id}"{swap}>'
            f'<th scope="row">{escape(self.label)}</th><td>{escape(self.mentor or "—")}</td>'
            f"<td{over}>{escape(taken)}</td>"
            f"<td>{approval}</td><td>{escape(self.weekdays_label or '—')}</td></tr>"
        )

    @property
    def weekdays_label(self) -> str:
        """The offer's weekdays as translated short names ("wo, do, vr"), not "3,4,5"."""
        return _weekdays_label(translation.get_language(), self.weekdays)

    def oob_row_html(self) -> str:
        return self.row_html(oob=True)


@dataclass(frozen=True)
class StudentInfo:
    """The few fields of a student the board shows (no model instances for 1,000 rows)."""

    pk: int
    first_name: str
    last_name: str
    student_number: str

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Choice:
    rank: int
    offer: OfferInfo | None
    verdict: str | None

    @property
    def verdict_label(self) -> str:
        return CandidateRating.Verdict(self.verdict).label if self.verdict else ""


@dataclass
class BoardRow:
    student: Student
    offer: OfferInfo | None = None
    locked: bool = False
    pref_rank: int | None = None
    verdict: str | None = None
    conflicts: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    error: str = ""

    @property
    def conflict_labels(self) -> list[str]:
        return [str(CONFLICT_LABELS[c]) for c in self.conflicts]

    @property
    def verdict_label(self) -> str:
        return CandidateRating.Verdict(self.verdict).label if self.verdict else ""

    def choices_html(self) -> str:
        """The student's first choices as list items (built here: the board has many rows)."""
        labels = current_board_labels()
        if not self.choices:
            return labels["no_preferences"]
        verdicts = labels["verdicts"]
        return SafeString(
            "".join(
                f'<li value="{c.rank}">{escape(c.offer.label) if c.offer else "?"}'
                f"{verdicts.get(c.verdict, '') if c.verdict else ''}</li>"
                for c in self.choices
            )
        )

    def options_html(self) -> str:
        """<option>s of the row's offer select: the student's choices, plus the current offer."""
        current = self.offer.id if self.offer else None
        items = [
            f'<option value="{c.offer.id}"{" selected" if c.offer.id == current else ""}>'
            f"{c.rank}. {escape(c.offer.label)} ({c.offer.taken}/{c.offer.places})</option>"
            for c in self.choices
            if c.offer
        ]
        if self.offer and not any(c.offer and c.offer.id == current for c in self.choices):
            items.append(
                f'<option value="{self.offer.id}" selected>{escape(self.offer.label)} '
                f"({self.offer.taken}/{self.offer.places})</option>"
            )
        return SafeString("".join(items))

    @property
    def rank_label(self) -> str:
        return _("choice %(n)s") % {"n": self.pref_rank} if self.pref_rank else ""


@dataclass
class Board:
    round: MatchingRound
    rows: list[BoardRow]
    offers: list[OfferInfo]
    offers_by_id: dict[int, OfferInfo]
    total_students: int
    placed: int
    locked: int
    with_conflicts: int
    places: int
    weekdays_known: bool
    previous_rules: int

    @property
    def unplaced(self) -> int:
        return self.total_students - self.placed

    def offers_html(self) -> SafeString:
        """Every row of the offers table (one string: no template loop over 500 offers)."""
        return SafeString("".join([offer.row_html() for offer in self.offers]))


def _offer_infos(round: MatchingRound, approvals: dict[int, str]) -> dict[int, OfferInfo]:
    assigned = Assignment.objects.filter(round=round).values("offer_id")
    if round.follow_up_of_id:
        open_offers = Q(pk__in=round_offers(round).values("pk"))
    else:
        open_offers = Q(
            status=PlacementOffer.Status.ACCEPTED,
            programme_id=round.programme_id,
            year=round.year,
            academic_year=round.academic_year,
        )
    used = used_places(round)
    rows = (
        PlacementOffer.objects.filter(open_offers | Q(pk__in=assigned))
        .order_by("organisation__name", "id")
        .values_list(
            "id",
            "organisation_id",
            "organisation__name",
            "site__name",
            "mentor__first_name",
            "mentor__last_name",
            "places",
            "weekdays",
            "status",
        )
    )
    return {
        pk: OfferInfo(
            id=pk,
            organisation_id=organisation_id,
            organisation=organisation,
            site=site or "",
            mentor=f"{first or ''} {last or ''}".strip(),
            places=max(places - used.get(pk, 0), 0),
            weekdays=weekdays,
            status=status,
            approval=approvals.get(organisation_id),
        )
        for pk, organisation_id, organisation, site, first, last, places, weekdays, status in rows
    }


def _assignment_rows(round: MatchingRound) -> list[dict]:
    """Every assignment of the round with the student's rank and the workplace's verdict.

    `order_by()` everywhere: the models' default orderings would join the round,
    programme, student and organisation into each correlated lookup and sort the lot.
    """
    rank = (
        StudentPreference.objects.filter(
            round_id=round.pk, student_id=OuterRef("student_id"), offer_id=OuterRef("offer_id")
        )
        .order_by()
        .values("rank")[:1]
    )
    verdict = (
        CandidateRating.objects.filter(
            round_id=round.pk, student_id=OuterRef("student_id"), offer_id=OuterRef("offer_id")
        )
        .order_by()
        .values("verdict")[:1]
    )
    return list(
        Assignment.objects.filter(round=round)
        .order_by()
        .annotate(pref_rank=Subquery(rank), verdict=Subquery(verdict))
        .values("student_id", "offer_id", "locked", "pref_rank", "verdict")
    )


def _conflicts(
    row: BoardRow, offer: OfferInfo, required_org: int | None, programme_days: frozenset[int]
) -> list[str]:
    found = []
    if offer.over_capacity:
        found.append("over_capacity")
    if row.pref_rank is None:
        found.append("not_ranked")
    if row.verdict == CandidateRating.Verdict.NO:
        found.append("rated_no")
    if not offer.approved:
        found.append("not_approved")
    if offer.status != PlacementOffer.Status.ACCEPTED:
        found.append("offer_closed")
    if required_org is not None and offer.organisation_id != required_org:
        found.append("previous_workplace")
    if programme_days and not programme_days <= _weekday_set(offer.weekdays) and offer.weekdays:
        found.append("weekdays")
    return found


def board(
    round: MatchingRound,
    *,
    only: str = "",
    page: int | None = 1,
    student_ids: list[int] | None = None,
    page_size: int = BOARD_PAGE_SIZE,
) -> tuple[Board, dict]:
    """The coordinator's board and pagination info; a constant number of queries.

    `only`: "" (everybody), "unplaced" or "conflicts". `student_ids` restricts the rows
    (one row for an HTMX update). `page=None` shows every row.
    """
    approvals = approval_status(round)
    offers = _offer_infos(round, approvals)
    required = previous_workplace_rules(round) if round.year > 1 else {}
    programme_days = programme_weekdays(round)
    students = [
        StudentInfo(*values)
        for values in round_students(round)
        .order_by("last_name", "first_name", "id")
        .values_list("id", "first_name", "last_name", "student_number")
    ]
    assignments = {a["student_id"]: a for a in _assignment_rows(round)}
    for a in assignments.values():
        if a["offer_id"] in offers:
            offers[a["offer_id"]].taken += 1
    rows: list[BoardRow] = []
    placed = locked = with_conflicts = 0
    known = set()
    for student in students:
        known.add(student.pk)
        rows.append(_row(student, assignments.get(student.pk), offers, required, programme_days))
    # Assigned students who left the programme year still show (and count).
    missing = [sid for sid in assignments if sid not in known]
    if missing:
        for values in (
            Student.objects.filter(pk__in=missing)
            .order_by("last_name", "first_name", "id")
            .values_list("id", "first_name", "last_name", "student_number")
        ):
            student = StudentInfo(*values)
            rows.append(_row(student, assignments[student.pk], offers, required, programme_days))
    for row in rows:
        placed += row.offer is not None
        locked += row.locked
        with_conflicts += bool(row.conflicts)
    total = len(rows)
    if only == "unplaced":
        rows = [r for r in rows if r.offer is None]
    elif only == "conflicts":
        rows = [r for r in rows if r.conflicts]
    if student_ids is not None:
        wanted = set(student_ids)
        rows = [r for r in rows if r.student.pk in wanted]
    pages = max((len(rows) + page_size - 1) // page_size, 1)
    if page is not None and student_ids is None:
        page = min(max(page, 1), pages)
        rows = rows[(page - 1) * page_size : page * page_size]
    _attach_choices(round, rows, offers)
    result = Board(
        round=round,
        rows=rows,
        offers=list(offers.values()),
        offers_by_id=offers,
        total_students=total,
        placed=placed,
        locked=locked,
        with_conflicts=with_conflicts,
        places=sum(o.places for o in offers.values() if o.status == PlacementOffer.Status.ACCEPTED),
        weekdays_known=bool(programme_days),
        previous_rules=len(required),
    )
    return result, {"page": page or 1, "pages": pages if page is not None else 1}


@dataclass
class PublishCheck:
    """What publishing the round would do wrong: refusals block, warnings need a confirmation."""

    assigned: int
    unplaced: int
    conflicts: int
    conflict_kinds: dict[str, int]
    not_approved: list[str]
    over_capacity: list[str]

    @property
    def refusals(self) -> list[str]:
        found = []
        if self.not_approved:
            found.append(
                ngettext(
                    "%(n)s assignment is to a workplace that is not approved for this programme "
                    "and academic year: %(names)s.",
                    "%(n)s assignments are to workplaces that are not approved for this programme "
                    "and academic year: %(names)s.",
                    self.conflict_kinds.get("not_approved", 0),
                )
                % {"n": self.conflict_kinds.get("not_approved", 0), "names": ", ".join(self.not_approved)}
            )
        if self.over_capacity:
            found.append(
                _("These offers are over capacity: %(names)s.") % {"names": ", ".join(self.over_capacity)}
            )
        return found

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.conflicts:
            kinds = ", ".join(
                f"{CONFLICT_LABELS[k]} ({n})" for k, n in sorted(self.conflict_kinds.items()) if n
            )
            found.append(
                ngettext(
                    "%(n)s student has a conflict on the board: %(kinds)s.",
                    "%(n)s students have conflicts on the board: %(kinds)s.",
                    self.conflicts,
                )
                % {"n": self.conflicts, "kinds": kinds}
            )
        if self.unplaced:
            found.append(
                ngettext(
                    "%(n)s student stays without a placement.",
                    "%(n)s students stay without a placement.",
                    self.unplaced,
                )
                % {"n": self.unplaced}
            )
        return found

    @property
    def acknowledgements(self) -> frozenset[str]:
        """The kinds of warning a coordinator must confirm before publishing."""
        kinds = set()
        if self.conflicts:
            kinds.add("conflicts")
        if self.unplaced:
            kinds.add("unplaced")
        return frozenset(kinds)

    @property
    def token(self) -> str:
        """Identifies what the coordinator saw; publishing re-asks when the board changed since."""
        kinds = ",".join(f"{k}={n}" for k, n in sorted(self.conflict_kinds.items()))
        return f"a={self.assigned};u={self.unplaced};c={self.conflicts};{kinds}"


def publish_check(round: MatchingRound) -> PublishCheck:
    """The board's problems that publishing must refuse or have confirmed (a few queries)."""
    data, _pages = board(round, page=None)
    kinds: dict[str, int] = {}
    not_approved: dict[int, str] = {}
    over: dict[int, str] = {}
    for row in data.rows:
        for kind in row.conflicts:
            kinds[kind] = kinds.get(kind, 0) + 1
        if row.offer is not None and "not_approved" in row.conflicts:
            not_approved[row.offer.organisation_id] = row.offer.organisation
        if row.offer is not None and "over_capacity" in row.conflicts:
            over[row.offer.id] = row.offer.label
    return PublishCheck(
        assigned=data.placed,
        unplaced=data.unplaced,
        conflicts=data.with_conflicts,
        conflict_kinds=kinds,
        not_approved=sorted(not_approved.values()),
        over_capacity=sorted(over.values()),
    )


def _row(student, assignment, offers, required, programme_days) -> BoardRow:
    row = BoardRow(student=student)
    if assignment is not None:
        row.offer = offers.get(assignment["offer_id"])
        row.locked = assignment["locked"]
        row.pref_rank = assignment["pref_rank"]
        row.verdict = assignment["verdict"]
        if row.offer is not None:
            row.conflicts = _conflicts(row, row.offer, required.get(student.pk), programme_days)
    return row


def _attach_choices(round: MatchingRound, rows: list[BoardRow], offers: dict[int, OfferInfo]) -> None:
    """The first choices of the shown students, with the workplace's verdict (one query)."""
    ids = [r.student.pk for r in rows]
    if not ids:
        return
    # The verdict is looked up per shown choice (the rating's unique index) rather than
    # reading every rating of the shown students: one query, a few hundred probes.
    verdict = (
        CandidateRating.objects.filter(
            round_id=round.pk, offer_id=OuterRef("offer_id"), student_id=OuterRef("student_id")
        )
        .order_by()
        .values("verdict")[:1]
    )
    prefs = (
        StudentPreference.objects.filter(round=round, student_id__in=ids, rank__lte=BOARD_CHOICES)
        .order_by()
        .annotate(verdict=Subquery(verdict))
        .values_list("student_id", "offer_id", "rank", "verdict")
    )
    by_student: dict[int, list[Choice]] = {}
    for student_id, offer_id, rank, verdict_value in prefs:
        by_student.setdefault(student_id, []).append(
            Choice(rank=rank, offer=offers.get(offer_id), verdict=verdict_value)
        )
    for row in rows:
        row.choices = sorted(by_student.get(row.student.pk, []), key=lambda c: c.rank)


def student_choices(round: MatchingRound, student: Student) -> list[Choice]:
    """Every choice of one student with the workplace's verdict (for the student's page)."""
    offers = _offer_infos(round, approval_status(round))
    verdicts = dict(
        CandidateRating.objects.filter(round=round, student=student).values_list("offer_id", "verdict")
    )
    return [
        Choice(rank=rank, offer=offers.get(offer_id), verdict=verdicts.get(offer_id))
        for offer_id, rank in StudentPreference.objects.filter(round=round, student=student)
        .order_by("rank")
        .values_list("offer_id", "rank")
    ]


def history(round: MatchingRound, *, limit: int = 200) -> QuerySet[AssignmentChange]:
    return (
        AssignmentChange.objects.filter(round=round)
        .select_related("student", "changed_by", "before_offer__organisation", "after_offer__organisation")
        .order_by("-changed_at", "-id")[:limit]
    )


@dataclass
class ProblemData:
    problem: MatchingProblem
    forbidden_reasons: dict[tuple[int, int], str]
    verdicts: dict[tuple[int, int], str]
    workplace_ranks: dict[tuple[int, int], int]


def rating_value(verdict: str, rank: int | None) -> int:
    """yes=1, maybe=2; the workplace's optional ranking orders within a verdict."""
    within = min(rank, RANK_SPAN - 1) if rank else RANK_SPAN - 1
    return VERDICT_BASE[verdict] * RANK_SPAN + within


def build_problem(round: MatchingRound) -> ProblemData:
    """Translate the round's rows into a MatchingProblem (a fixed number of queries)."""
    approvals = approval_status(round)
    offers = {o["id"]: o for o in round_offers(round).values("id", "places", "organisation_id", "weekdays")}
    student_ids = list(round_students(round).values_list("id", flat=True))
    prefs: dict[int, list[int]] = {s: [] for s in student_ids}
    for student_id, offer_id in (
        StudentPreference.objects.filter(round=round, student_id__in=student_ids)
        .order_by("student_id", "rank")
        .values_list("student_id", "offer_id")
        .iterator(chunk_size=5000)
    ):
        prefs[student_id].append(offer_id)
    ratings: dict[int, dict[int, int]] = {}
    verdicts: dict[tuple[int, int], str] = {}
    workplace_ranks: dict[tuple[int, int], int] = {}
    forbidden: dict[tuple[int, int], str] = {}
    for offer_id, student_id, verdict, rank in CandidateRating.objects.filter(round=round).values_list(
        "offer_id", "student_id", "verdict", "rank"
    ):
        verdicts[(student_id, offer_id)] = verdict
        if rank:
            workplace_ranks[(student_id, offer_id)] = rank
        if verdict == CandidateRating.Verdict.NO:
            forbidden[(student_id, offer_id)] = "rated_no"
        elif verdict in VERDICT_BASE:
            ratings.setdefault(offer_id, {})[student_id] = rating_value(verdict, rank)
    locks = dict(
        Assignment.objects.filter(round=round, locked=True, student_id__in=student_ids).values_list(
            "student_id", "offer_id"
        )
    )
    required = previous_workplace_rules(round) if round.year > 1 else {}
    days = programme_weekdays(round)
    for student_id, listed in prefs.items():
        must = required.get(student_id)
        for offer_id in listed:
            offer = offers.get(offer_id)
            if offer is None or (student_id, offer_id) in forbidden:
                continue
            if approvals.get(offer["organisation_id"]) != WorkplaceApproval.Decision.APPROVED:
                forbidden[(student_id, offer_id)] = "not_approved"
            elif must is not None and offer["organisation_id"] != must:
                forbidden[(student_id, offer_id)] = "previous_workplace"
            elif days and offer["weekdays"] and not days <= _weekday_set(offer["weekdays"]):
                forbidden[(student_id, offer_id)] = "weekdays"
    used = used_places(round)
    problem = MatchingProblem(
        student_prefs=prefs,
        capacities={o: row["places"] - used.get(o, 0) for o, row in offers.items()},
        offer_ratings=ratings,
        forbidden=frozenset(forbidden),
        locks=locks,
    )
    return ProblemData(problem, forbidden, verdicts, workplace_ranks)


def problem_to_json(problem: MatchingProblem) -> dict:
    """A canonical, JSON-ready form of the problem (keys as strings, sorted)."""
    return {
        "student_prefs": {str(s): list(p) for s, p in sorted(problem.student_prefs.items())},
        "capacities": {str(o): n for o, n in sorted(problem.capacities.items())},
        "offer_ratings": {
            str(o): {str(s): r for s, r in sorted(per.items())}
            for o, per in sorted(problem.offer_ratings.items())
        },
        "forbidden": sorted([s, o] for s, o in problem.forbidden),
        "locks": {str(s): o for s, o in sorted(problem.locks.items())},
    }


def problem_from_json(data: dict) -> MatchingProblem:
    """Inverse of `problem_to_json` (used by anyone recomputing an exported round)."""
    return MatchingProblem(
        student_prefs={int(s): [int(o) for o in p] for s, p in data["student_prefs"].items()},
        capacities={int(o): int(n) for o, n in data["capacities"].items()},
        offer_ratings={
            int(o): {int(s): int(r) for s, r in per.items()} for o, per in data["offer_ratings"].items()
        },
        forbidden=frozenset((int(s), int(o)) for s, o in data["forbidden"]),
        locks={int(s): int(o) for s, o in data["locks"].items()},
    )


def problem_digest(problem: MatchingProblem) -> str:
    payload = json.dumps(problem_to_json(problem), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def distribution_json(problem: MatchingProblem, result: MatchingResult) -> dict[str, int]:
    return {
        ("unplaced" if rank is None else str(rank)): n
        for rank, n in sorted(
            rank_distribution(problem, result).items(), key=lambda kv: (kv[0] is None, kv[0])
        )
    }


_CAUSES = {
    "not allowed": gettext_lazy("not allowed"),
    "without places": gettext_lazy("without places"),
    "full with locked students": gettext_lazy("full with locked students"),
    "full with students ranked higher by the workplace": gettext_lazy(
        "full with students ranked higher by the workplace"
    ),
    "full with students placed to lower the total rank": gettext_lazy(
        "full with students placed to lower the total rank"
    ),
    "left with a free place": gettext_lazy("left with a free place"),
}


_CAUSE_RE = re.compile(r"choices? (\d+)(?:-(\d+))? (.+)")


def _causes_text(text: str) -> str:
    parts = []
    for part in text.split("; "):
        match = _CAUSE_RE.fullmatch(part)
        if not match:
            parts.append(part)
            continue
        start, end, cause = match.groups()
        label = (
            _("choice %(n)s") % {"n": start}
            if end is None
            else _("choices %(a)s-%(b)s") % {"a": start, "b": end}
        )
        parts.append(f"{label} {_CAUSES.get(cause, cause)}")
    return "; ".join(parts)


def reason_text(reason: str) -> str:
    """Translate an algorithm explanation such as "choice 3: choices 1-2 full ..."."""
    if reason == "locked":
        return _("Locked by the coordinator")
    if reason == "first_choice":
        return _("First choice")
    if reason == "unplaced: no preferences":
        return _("Unplaced: no preferences")
    if reason == "unplaced: no acceptable offers":
        return _("Unplaced: no acceptable offers")
    if reason == "unplaced: all acceptable offers full":
        return _("Unplaced: all acceptable offers full")
    match = re.fullmatch(r"choice (\d+): (.*)", reason)
    if match:
        return _("Choice %(n)s: %(why)s") % {"n": match.group(1), "why": _causes_text(match.group(2))}
    if reason.startswith("unplaced: "):
        return _("Unplaced: %(why)s") % {"why": _causes_text(reason.removeprefix("unplaced: "))}
    return reason


@dataclass
class DiffRow:
    student: Student
    kind: str  # added / moved / removed / unchanged
    before: OfferInfo | None
    after: OfferInfo | None
    rank: int | None
    reason: str
    locked: bool


DIFF_LABELS = {
    "added": gettext_lazy("added"),
    "moved": gettext_lazy("moved"),
    "removed": gettext_lazy("removed"),
    "unchanged": gettext_lazy("unchanged"),
}


def proposal_diff(proposal: MatchingProposal) -> tuple[list[DiffRow], dict[str, int]]:
    """The proposal against the current board: added / moved / removed / unchanged."""
    round = proposal.round
    offers = _offer_infos(round, approval_status(round))
    current = {
        a["student_id"]: a
        for a in Assignment.objects.filter(round=round).values("student_id", "offer_id", "locked")
    }
    proposed = {int(s): o for s, o in proposal.result.get("assignment", {}).items()}
    ranks = {int(s): r for s, r in proposal.result.get("ranks", {}).items()}
    reasons = proposal.result.get("reasons", {})
    ids = set(proposed) | set(current)
    students = {
        s.pk: s
        for s in Student.objects.filter(pk__in=ids).only("id", "first_name", "last_name", "student_number")
    }
    rows = []
    counts = dict.fromkeys(DIFF_LABELS, 0)
    for student_id in sorted(
        ids,
        key=lambda s: (students[s].last_name, students[s].first_name, s) if s in students else ("", "", s),
    ):
        if student_id not in students:
            continue
        before = current.get(student_id, {}).get("offer_id")
        after = proposed.get(student_id)
        if before is None and after is not None:
            kind = "added"
        elif before is not None and after is None:
            kind = "removed"
        elif before != after:
            kind = "moved"
        else:
            kind = "unchanged"
        counts[kind] += 1
        rows.append(
            DiffRow(
                student=students[student_id],
                kind=kind,
                before=offers.get(before) if before else None,
                after=offers.get(after) if after else None,
                rank=ranks.get(student_id),
                reason=reason_text(reasons.get(str(student_id), "")),
                locked=current.get(student_id, {}).get("locked", False),
            )
        )
    return rows, counts


def distribution_rows(proposal: MatchingProposal) -> list[tuple[str, int]]:
    rows = []
    for key, n in proposal.result.get("rank_distribution", {}).items():
        if key == "unplaced":
            label = _("unplaced")
        elif key == "0":
            label = _("locked, not on the list")
        else:
            label = _("choice %(n)s") % {"n": key}
        rows.append((label, n))
    return rows


def round_placements(round: MatchingRound) -> QuerySet[Placement]:
    """Placements made by publishing the round (its offers, programme, year)."""
    return (
        Placement.objects.filter(
            programme_id=round.programme_id,
            academic_year=round.academic_year,
            year=round.year,
            offer__in=Assignment.objects.filter(round=round).values("offer_id"),
            # Follow-up rounds share offers with earlier rounds: only this round's students.
            student__in=Assignment.objects.filter(round=round).values("student_id"),
        )
        .select_related("student", "organisation", "site", "mentor", "supervisor__user")
        .order_by("student__last_name", "student__first_name", "id")
    )


def supervisors() -> QuerySet[Membership]:
    return (
        Membership.objects.filter(role=Role.SUPERVISOR, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )


def supervisor_load(round: MatchingRound) -> list[tuple[Membership, int, int]]:
    """Per supervisor: placements in this round and in the whole academic year."""
    from django.db.models import Count

    people = list(supervisors())
    year_counts = dict(
        Placement.objects.filter(academic_year=round.academic_year, supervisor__isnull=False)
        .values_list("supervisor_id")
        .annotate(n=Count("id"))
        .values_list("supervisor_id", "n")
    )
    round_counts = dict(
        round_placements(round)
        .filter(supervisor__isnull=False)
        .order_by()
        .values_list("supervisor_id")
        .annotate(n=Count("id"))
        .values_list("supervisor_id", "n")
    )
    return [(m, round_counts.get(m.pk, 0), year_counts.get(m.pk, 0)) for m in people]


EXPORT_FORMAT = "wpl-matching-round/1"


def export_round(round: MatchingRound) -> dict:
    """Everything needed to recompute the round: both sides' preferences, capacities, locks,
    the hard constraints, every proposal with its lottery seed, and the published result."""
    data = build_problem(round)
    approvals = approval_status(round)
    offers = _offer_infos(round, approvals)
    students = list(
        round_students(round)
        .order_by("last_name", "first_name", "id")
        .values("id", "student_number", "first_name", "last_name")
    )
    proposals = list(
        MatchingProposal.objects.filter(round=round)
        .order_by("created_at", "id")
        .values("id", "mode", "seed", "result", "created_at", "applied_at")
    )
    assignments = list(
        Assignment.objects.filter(round=round)
        .order_by("student_id")
        .values("student_id", "offer_id", "locked", "reason")
    )
    placements = list(
        round_placements(round).values(
            "id", "student_id", "offer_id", "organisation_id", "site_id", "mentor_id", "supervisor_id"
        )
    )
    return {
        "format": EXPORT_FORMAT,
        "round": {
            "id": round.pk,
            "name": round.name,
            "programme": round.programme.name,
            "programme_id": round.programme_id,
            "academic_year": round.academic_year,
            "year": round.year,
            "status": round.status,
            "max_choices": round.max_choices,
            "published_at": round.published_at.isoformat() if round.published_at else None,
        },
        "rating_scale": {
            "yes": VERDICT_BASE["yes"],
            "maybe": VERDICT_BASE["maybe"],
            "no": "forbidden",
            "value": "verdict * 1000 + (workplace ranking or 999)",
        },
        "students": [
            {
                "id": s["id"],
                "student_number": s["student_number"],
                "name": f"{s['first_name']} {s['last_name']}",
            }
            for s in students
        ],
        "offers": [
            {
                "id": o.id,
                "organisation_id": o.organisation_id,
                "organisation": o.organisation,
                "site": o.site,
                "places": o.places,
                "status": o.status,
                "approval": o.approval,
                "weekdays": o.weekdays,
            }
            for o in offers.values()
        ],
        "preferences": [
            {"student": s, "offer": o, "rank": i + 1}
            for s, listed in sorted(data.problem.student_prefs.items())
            for i, o in enumerate(listed)
        ],
        "ratings": [
            {"student": s, "offer": o, "verdict": v, "rank": data.workplace_ranks.get((s, o))}
            for (s, o), v in sorted(data.verdicts.items())
        ],
        "forbidden": [
            {"student": s, "offer": o, "reason": reason}
            for (s, o), reason in sorted(data.forbidden_reasons.items())
        ],
        "locks": {str(s): o for s, o in sorted(data.problem.locks.items())},
        "assignments": assignments,
        "problem": problem_to_json(data.problem),
        "input_digest": problem_digest(data.problem),
        "proposals": [
            {
                "id": p["id"],
                "mode": p["mode"],
                "seed": p["seed"],
                "created_at": p["created_at"].isoformat(),
                "applied_at": p["applied_at"].isoformat() if p["applied_at"] else None,
                "input_digest": p["result"].get("input_digest"),
                "assignment": p["result"].get("assignment", {}),
                "rank_distribution": p["result"].get("rank_distribution", {}),
            }
            for p in proposals
        ],
        "published": placements,
    }


def export_csv_rows(data: dict):
    """The export as one long table: a `section` column, then generic columns."""
    yield [
        "section",
        "student",
        "student_number",
        "name",
        "offer",
        "organisation",
        "places",
        "rank",
        "verdict",
        "locked",
        "detail",
    ]
    r = data["round"]
    yield [
        "round",
        "",
        "",
        r["name"],
        "",
        r["programme"],
        "",
        "",
        "",
        "",
        f"academic_year={r['academic_year']};year={r['year']};status={r['status']};digest={data['input_digest']}",
    ]
    names = {s["id"]: s for s in data["students"]}
    for s in data["students"]:
        yield ["student", s["id"], s["student_number"], s["name"], "", "", "", "", "", "", ""]
    for o in data["offers"]:
        yield [
            "offer",
            "",
            "",
            "",
            o["id"],
            o["organisation"],
            o["places"],
            "",
            "",
            "",
            f"approval={o['approval'] or ''};status={o['status']};weekdays={o['weekdays']}",
        ]
    for p in data["preferences"]:
        yield [
            "preference",
            p["student"],
            names.get(p["student"], {}).get("student_number", ""),
            "",
            p["offer"],
            "",
            "",
            p["rank"],
            "",
            "",
            "",
        ]
    for p in data["ratings"]:
        yield ["rating", p["student"], "", "", p["offer"], "", "", p["rank"] or "", p["verdict"], "", ""]
    for p in data["forbidden"]:
        yield ["forbidden", p["student"], "", "", p["offer"], "", "", "", "", "", p["reason"]]
    for a in data["assignments"]:
        yield [
            "assignment",
            a["student_id"],
            "",
            "",
            a["offer_id"],
            "",
            "",
            "",
            "",
            int(a["locked"]),
            a["reason"],
        ]
    for p in data["proposals"]:
        yield [
            "proposal",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            f"id={p['id']};mode={p['mode']};seed={p['seed']};digest={p['input_digest']}",
        ]
        for student, offer in p["assignment"].items():
            yield [
                "proposal_assignment",
                student,
                "",
                "",
                offer or "",
                "",
                "",
                "",
                "",
                "",
                f"proposal={p['id']}",
            ]
    for p in data["published"]:
        yield [
            "placement",
            p["student_id"],
            "",
            "",
            p["offer_id"] or "",
            p["organisation_id"],
            "",
            "",
            "",
            "",
            f"mentor={p['mentor_id'] or ''};supervisor={p['supervisor_id'] or ''}",
        ]
