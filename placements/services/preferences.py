"""Writes for the students' and workplaces' side of matching, and changes of workplace.

Every function refuses bad input with a translated `ValidationError`; views show it on the
form they re-render.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from placements.models import (
    CandidateRating,
    MatchingRound,
    Organisation,
    PlacementOffer,
    Site,
    Student,
    StudentPreference,
    WorkplaceChange,
    WorkplaceVisit,
)
from placements.selectors import preferences as selectors
from wpl.models import User


@dataclass(frozen=True)
class Choice:
    rank: int
    offer: PlacementOffer
    motivation: str = ""


@dataclass(frozen=True)
class RatingInput:
    student: Student
    verdict: str  # "" removes the rating
    rank: int | None = None


def _check_round_open(matching_round: MatchingRound, now: datetime) -> None:
    if matching_round.status != MatchingRound.Status.OPEN:
        raise ValidationError(_("This matching round no longer accepts preferences."), code="round_closed")
    if matching_round.preferences_deadline is not None and now > matching_round.preferences_deadline:
        raise ValidationError(
            _("The deadline for preferences has passed (%(deadline)s); your choices were not saved.")
            % {
                "deadline": timezone.localtime(matching_round.preferences_deadline).strftime("%d/%m/%Y %H:%M")
            },
            code="deadline",
        )


def _check_student_in_round(matching_round: MatchingRound, student: Student) -> None:
    if student.programme_id != matching_round.programme_id or student.year != matching_round.year:
        raise ValidationError(_("This matching round is not for your programme year."), code="wrong_round")


@transaction.atomic
def save_preferences(
    *,
    matching_round: MatchingRound,
    student: Student,
    choices: Sequence[Choice],
    now: datetime | None = None,
) -> list[StudentPreference]:
    """Replace the student's ranking in the round by `choices` (rank 1 = first choice)."""
    now = now or timezone.now()
    _check_student_in_round(matching_round, student)
    _check_round_open(matching_round, now)
    stay = selectors.stay_organisation(matching_round=matching_round, student=student)
    if stay is not None:
        raise ValidationError(
            _("You stay at %(organisation)s in this programme year; there is nothing to rank.")
            % {"organisation": stay.name},
            code="stays",
        )
    if len(choices) > matching_round.max_choices:
        raise ValidationError(
            _("You can choose at most %(max)s workplaces.") % {"max": matching_round.max_choices},
            code="too_many",
        )
    ranks = sorted(c.rank for c in choices)
    if ranks != list(range(1, len(choices) + 1)):
        raise ValidationError(_("Number your choices 1, 2, 3, … without gaps or duplicates."), code="ranks")
    offer_ids = [c.offer.pk for c in choices]
    if len(set(offer_ids)) != len(offer_ids):
        raise ValidationError(_("You chose the same workplace more than once."), code="duplicate")
    eligible = set(
        selectors.offers_for_round(membership=None, matching_round=matching_round)
        .filter(pk__in=offer_ids)
        .values_list("pk", flat=True)
    )
    if set(offer_ids) - eligible:
        raise ValidationError(_("One of your choices is not open for this round."), code="not_eligible")
    # Serialise concurrent saves of the same student's ranking.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    StudentPreference.objects.filter(round=matching_round, student=student).delete()
    return StudentPreference.objects.bulk_create(
        [
            StudentPreference(
                institution_id=matching_round.institution_id,
                round=matching_round,
                student=student,
                offer=c.offer,
                rank=c.rank,
                motivation=c.motivation.strip(),
            )
            for c in sorted(choices, key=lambda c: c.rank)
        ]
    )


@transaction.atomic
def record_visit(
    *,
    matching_round: MatchingRound,
    student: Student,
    offer: PlacementOffer,
    kind: str,
    date: date,
    notes: str = "",
) -> WorkplaceVisit:
    """Record a visit or introductory interview of the student at an offer of the round."""
    _check_student_in_round(matching_round, student)
    if matching_round.status == MatchingRound.Status.PUBLISHED:
        raise ValidationError(_("This matching round is closed."), code="round_closed")
    if kind not in WorkplaceVisit.Kind.values:
        raise ValidationError({"kind": _("Choose a visit or an introductory interview.")}, code="kind")
    if (
        not selectors.offers_for_round(membership=None, matching_round=matching_round)
        .filter(pk=offer.pk)
        .exists()
    ):
        raise ValidationError(_("This workplace is not open for this round."), code="not_eligible")
    return WorkplaceVisit.objects.create(
        round=matching_round, student=student, offer=offer, kind=kind, date=date, notes=notes.strip()
    )


@transaction.atomic
def delete_visit(*, visit: WorkplaceVisit) -> None:
    visit.delete()


@transaction.atomic
def propose_own_employer(
    *,
    matching_round: MatchingRound,
    student: Student,
    organisation_name: str,
    enterprise_number: str = "",
    sector: str = "",
    languages: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    site_name: str = "",
    street: str = "",
    postcode: str = "",
    municipality: str,
    region: str,
    tasks: str = "",
    weekdays: str = "",
) -> PlacementOffer:
    """A working student proposes their own employer: a new organisation with a submitted offer.

    The coordinator reviews it like any other workplace (criteria, approval, acceptance).
    """
    _check_student_in_round(matching_round, student)
    if matching_round.status == MatchingRound.Status.PUBLISHED:
        raise ValidationError(_("This matching round is closed."), code="round_closed")
    pending = PlacementOffer.objects.filter(
        proposed_by_student=student,
        academic_year=matching_round.academic_year,
        status=PlacementOffer.Status.SUBMITTED,
    ).exists()
    if pending:
        raise ValidationError(
            _("You already proposed your employer for this year; the coordinator is reviewing it."),
            code="pending",
        )
    organisation = Organisation.objects.create(
        name=organisation_name.strip(),
        enterprise_number=enterprise_number.strip(),
        sector=sector.strip(),
        languages=languages.strip(),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
    )
    site = Site.objects.create(
        organisation=organisation,
        name=site_name.strip() or organisation.name,
        street=street.strip(),
        postcode=postcode.strip(),
        municipality=municipality.strip(),
        region=region,
    )
    offer = PlacementOffer.objects.create(
        organisation=organisation,
        site=site,
        programme_id=matching_round.programme_id,
        academic_year=matching_round.academic_year,
        year=matching_round.year,
        places=1,
        tasks=tasks.strip(),
        weekdays=weekdays,
        status=PlacementOffer.Status.SUBMITTED,
        proposed_by_student=student,
    )
    student.context = Student.Context.OWN_EMPLOYEE
    student.is_working_student = True
    student.save(update_fields=["context", "is_working_student"])
    return offer


@transaction.atomic
def save_ratings(
    *,
    matching_round: MatchingRound,
    offer: PlacementOffer,
    ratings: Sequence[RatingInput],
    rated_by: User,
    candidate_ids: set[int],
    now: datetime | None = None,
) -> None:
    """Save the workplace's yes / maybe / no (and optional ranking) for the offer's candidates."""
    now = now or timezone.now()
    if not selectors.ratings_are_open(matching_round, now=now):
        raise ValidationError(
            _("The deadline for rating candidates has passed; your ratings were not saved."),
            code="deadline",
        )
    if (offer.programme_id, offer.year, offer.academic_year) != (
        matching_round.programme_id,
        matching_round.year,
        matching_round.academic_year,
    ):
        raise ValidationError(_("This offer is not part of the matching round."), code="wrong_round")
    ranks = [r.rank for r in ratings if r.rank is not None]
    if len(ranks) != len(set(ranks)):
        raise ValidationError(_("Give every candidate a different ranking."), code="duplicate_rank")
    for item in ratings:
        if item.student.pk not in candidate_ids:
            raise ValidationError(_("You can only rate candidates who met you."), code="not_candidate")
        if item.verdict and item.verdict not in CandidateRating.Verdict.values:
            raise ValidationError(_("Choose yes, maybe or no."), code="verdict")
        if item.rank is not None and item.verdict not in (
            CandidateRating.Verdict.YES,
            CandidateRating.Verdict.MAYBE,
        ):
            raise ValidationError(
                _("Only candidates rated yes or maybe can get a ranking."), code="rank_without_yes"
            )
        if item.rank is not None and item.rank < 1:
            raise ValidationError(_("A ranking starts at 1."), code="rank")
    for item in ratings:
        existing = CandidateRating.objects.filter(round=matching_round, offer=offer, student=item.student)
        if not item.verdict:
            existing.delete()
            continue
        CandidateRating.objects.update_or_create(
            round=matching_round,
            offer=offer,
            student=item.student,
            defaults={"verdict": item.verdict, "rank": item.rank, "rated_by": rated_by},
        )


@transaction.atomic
def record_workplace_change(
    *,
    student: Student,
    academic_year: str,
    from_organisation: Organisation,
    to_organisation: Organisation | None,
    reason: str,
    agreed_by_student_at: date | None,
    agreed_by_mentor_at: date | None,
    agreed_by_supervisor_at: date | None,
    recorded_by: User,
    change: WorkplaceChange | None = None,
    today: date | None = None,
) -> WorkplaceChange:
    """Record (or update) a change of workplace with the dates on which each party agreed."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if to_organisation is not None and to_organisation.pk == from_organisation.pk:
        errors["to_organisation"] = _("The new workplace must differ from the current one.")
    for name, value in (
        ("agreed_by_student_at", agreed_by_student_at),
        ("agreed_by_mentor_at", agreed_by_mentor_at),
        ("agreed_by_supervisor_at", agreed_by_supervisor_at),
    ):
        if value is not None and value > today:
            errors[name] = _("An agreement cannot be dated in the future.")
    duplicate = WorkplaceChange.objects.filter(student=student, academic_year=academic_year)
    if change is not None:
        duplicate = duplicate.exclude(pk=change.pk)
    if duplicate.exists():
        errors["student"] = _("A change of workplace is already recorded for this student and year.")
    if errors:
        raise ValidationError(errors)
    change = change or WorkplaceChange(student=student)
    change.student = student
    change.academic_year = academic_year
    change.from_organisation = from_organisation
    change.to_organisation = to_organisation
    change.reason = reason.strip()
    change.agreed_by_student_at = agreed_by_student_at
    change.agreed_by_mentor_at = agreed_by_mentor_at
    change.agreed_by_supervisor_at = agreed_by_supervisor_at
    change.recorded_by = recorded_by
    change.save()
    return change


AGREEMENT_FIELDS = ("agreed_by_student_at", "agreed_by_mentor_at", "agreed_by_supervisor_at")


@transaction.atomic
def agree_to_workplace_change(
    *, change: WorkplaceChange, party: str, today: date | None = None
) -> WorkplaceChange:
    """One party (student, mentor or supervisor) agrees today; an earlier agreement is kept."""
    if party not in AGREEMENT_FIELDS:
        raise ValueError(party)
    change = WorkplaceChange.objects.select_for_update().get(pk=change.pk)
    if getattr(change, party) is None:
        setattr(change, party, today or timezone.localdate())
        change.save(update_fields=[party, "updated_at"])
    return change
