"""Writes for the students' and workplaces' side of matching, and changes of workplace.

Every function refuses bad input with a translated `ValidationError`; views show it on the
form they re-render.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Programme
from matching import algorithms, selectors
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
from workplaces.models import Organisation, PlacementOffer, Site
from wpl.audit import audited
from wpl.errors import ServiceError
from wpl.models import Membership, Role, User
from wpl.tasks import enqueue_on_commit

# Public functions here that are not write services of a person (tests/test_audit_trail.py).
NOT_ACTOR_SERVICES = {"new_seed": "draws a lottery seed; writes nothing"}


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
@audited("matching.preferences.save", target="student")
def save_preferences(
    *,
    actor: Membership | None,
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
@audited("matching.visit.record")
def record_visit(
    *,
    actor: Membership | None,
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
@audited("matching.visit.delete", target="visit")
def delete_visit(*, actor: Membership | None, visit: WorkplaceVisit) -> None:
    visit.delete()


@transaction.atomic
@audited("matching.own_employer.propose")
def propose_own_employer(
    *,
    actor: Membership | None,
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
@audited("matching.ratings.save", target="offer")
def save_ratings(
    *,
    matching_round: MatchingRound,
    offer: PlacementOffer,
    ratings: Sequence[RatingInput],
    actor: Membership | None,
    candidate_ids: set[int],
    now: datetime | None = None,
) -> None:
    """Save the workplace's yes / maybe / no (and optional ranking) for the offer's candidates."""
    rated_by = actor.user if actor is not None else None
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
@audited("matching.workplace_change.record")
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
    actor: Membership | None,
    change: WorkplaceChange | None = None,
    today: date | None = None,
) -> WorkplaceChange:
    """Record (or update) a change of workplace with the dates on which each party agreed."""
    recorded_by = actor.user if actor is not None else None
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
@audited("matching.workplace_change.agree")
def agree_to_workplace_change(
    *, actor: Membership | None, change: WorkplaceChange, party: str, today: date | None = None
) -> WorkplaceChange:
    """One party (student, mentor or supervisor) agrees today; an earlier agreement is kept."""
    if party not in AGREEMENT_FIELDS:
        raise ValueError(party)
    change = WorkplaceChange.objects.select_for_update().get(pk=change.pk)
    if getattr(change, party) is None:
        setattr(change, party, today or timezone.localdate())
        change.save(update_fields=[party, "updated_at"])
    return change


class MatchingError(ServiceError):
    """Bad input for a matching write; the message is translated and safe to show."""

    status = 400


class MatchingConflict(MatchingError):
    """Someone else changed the same data first, or a capacity / uniqueness rule refused it."""

    status = 409


class PublishNeedsConfirmation(MatchingError):
    """Publishing would leave conflicts or unplaced students; the coordinator must confirm them."""

    status = 409

    def __init__(self, check: selectors.PublishCheck):
        super().__init__(" ".join([*check.warnings, _("Confirm that you want to publish the round anyway.")]))
        self.check = check


UNSET = object()


@transaction.atomic
@audited("matching.round.create")
def create_round(
    *,
    programme: Programme,
    academic_year: str,
    year: int,
    name: str,
    actor: Membership | None,
    preferences_deadline: datetime | None = None,
    ratings_deadline: datetime | None = None,
    max_choices: int = 5,
) -> MatchingRound:
    if MatchingRound.objects.filter(
        programme=programme, academic_year=academic_year, year=year, follow_up_of__isnull=True
    ).exists():
        raise MatchingConflict(_("There already is a round for this programme, year and academic year."))
    try:
        with transaction.atomic():
            return MatchingRound.objects.create(
                programme=programme,
                academic_year=academic_year,
                year=year,
                name=name,
                preferences_deadline=preferences_deadline,
                ratings_deadline=ratings_deadline,
                max_choices=max_choices,
            )
    except IntegrityError as exc:
        raise MatchingConflict(
            _("There already is a round for this programme, year and academic year.")
        ) from exc


def _ensure_open(round_id: int) -> None:
    """Lock the round row, then re-read its status inside the transaction.

    Every board write takes the round lock first and the offer locks after it, the same
    order as `publish`, so concurrent writes queue instead of deadlocking.
    """
    status = (
        MatchingRound.objects.select_for_update().filter(pk=round_id).values_list("status", flat=True).first()
    )
    if status == MatchingRound.Status.PUBLISHED:
        raise MatchingConflict(_("This round has been published; the board can no longer change."))


def _lock_offer(round: MatchingRound, offer_id: int) -> PlacementOffer:
    offer = selectors.round_offers(round).select_for_update().filter(pk=offer_id).first()
    if offer is None:
        raise MatchingError(_("This offer is not an accepted offer of this round."))
    return offer


def _record(
    *,
    round: MatchingRound,
    student_id: int,
    before: Assignment | None,
    after_offer_id: int | None,
    after_locked: bool,
    action: str,
    by: User | None,
) -> AssignmentChange:
    return AssignmentChange.objects.create(
        round=round,
        student_id=student_id,
        before_offer_id=before.offer_id if before else None,
        after_offer_id=after_offer_id,
        before_locked=before.locked if before else False,
        after_locked=after_locked,
        action=action,
        changed_by=by,
    )


def _check_student(round: MatchingRound, student: Student) -> None:
    if student.programme_id != round.programme_id or student.year != round.year:
        raise MatchingError(_("This student does not take part in this round."))


def _check_expected(current: Assignment | None, expected_offer_id) -> None:
    if expected_offer_id is UNSET:
        return
    current_offer = current.offer_id if current else None
    if current_offer != expected_offer_id:
        raise MatchingConflict(
            _(
                "Someone else changed this student's assignment in the meantime. "
                "The row now shows the current state; try again if needed."
            )
        )


@transaction.atomic
@audited("matching.board.assign", target="student")
def assign(
    *,
    round: MatchingRound,
    student: Student,
    offer_id: int,
    actor: Membership | None,
    expected_offer_id: int | None | object = UNSET,
    lock: bool | None = None,
) -> Assignment:
    """Assign `student` to an offer by hand (or move them), checking capacity under a row lock."""
    by = actor.user if actor is not None else None
    _check_student(round, student)
    _ensure_open(round.pk)
    offer = _lock_offer(round, offer_id)
    current = Assignment.objects.select_for_update().filter(round=round, student=student).first()
    _check_expected(current, expected_offer_id)
    if current is not None and current.locked and current.offer_id != offer.pk:
        raise MatchingConflict(_("This assignment is locked; unlock it before moving the student."))
    if current is not None and current.offer_id == offer.pk:
        if lock is not None and lock != current.locked:
            return _set_lock(round=round, current=current, locked=lock, by=by)
        return current
    taken = Assignment.objects.filter(round=round, offer=offer).exclude(student=student).count()
    places = offer.places - selectors.used_places(round).get(offer.pk, 0)
    if taken >= places:
        raise MatchingConflict(
            _("%(offer)s has no free place left (%(taken)s of %(places)s taken).")
            % {"offer": offer.organisation.name, "taken": taken, "places": places}
        )
    locked = current.locked if (current is not None and lock is None) else bool(lock)
    if current is None:
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    round=round, student=student, offer=offer, locked=locked, reason="manual"
                )
        except IntegrityError as exc:
            raise MatchingConflict(
                _("Someone else assigned this student at the same moment; the board shows their choice.")
            ) from exc
        action = "assign"
    else:
        before = Assignment(offer_id=current.offer_id, locked=current.locked)
        current.offer = offer
        current.locked = locked
        current.reason = "manual"
        current.save(update_fields=["offer", "locked", "reason", "updated_at"])
        assignment, action = current, "move"
        _record(
            round=round,
            student_id=student.pk,
            before=before,
            after_offer_id=offer.pk,
            after_locked=locked,
            action=action,
            by=by,
        )
        return assignment
    _record(
        round=round,
        student_id=student.pk,
        before=None,
        after_offer_id=offer.pk,
        after_locked=locked,
        action=action,
        by=by,
    )
    return assignment


@transaction.atomic
@audited("matching.board.unassign", target="student")
def unassign(
    *,
    round: MatchingRound,
    student: Student,
    actor: Membership | None,
    expected_offer_id: int | None | object = UNSET,
) -> None:
    by = actor.user if actor is not None else None
    current = Assignment.objects.filter(round=round, student=student).first()
    if current is None:
        _check_expected(None, expected_offer_id)
        return
    _ensure_open(round.pk)
    PlacementOffer.objects.select_for_update().filter(pk=current.offer_id).first()
    current = Assignment.objects.select_for_update().filter(round=round, student=student).first()
    _check_expected(current, expected_offer_id)
    if current is None:
        return
    if current.locked:
        raise MatchingConflict(_("This assignment is locked; unlock it before removing it."))
    _record(
        round=round,
        student_id=student.pk,
        before=current,
        after_offer_id=None,
        after_locked=False,
        action="unassign",
        by=by,
    )
    current.delete()


def _set_lock(*, round: MatchingRound, current: Assignment, locked: bool, by: User) -> Assignment:
    before = Assignment(offer_id=current.offer_id, locked=current.locked)
    current.locked = locked
    current.save(update_fields=["locked", "updated_at"])
    _record(
        round=round,
        student_id=current.student_id,
        before=before,
        after_offer_id=current.offer_id,
        after_locked=locked,
        action="lock" if locked else "unlock",
        by=by,
    )
    return current


@transaction.atomic
@audited("matching.board.lock", target="student")
def set_lock(*, round: MatchingRound, student: Student, locked: bool, actor: Membership | None) -> Assignment:
    by = actor.user if actor is not None else None
    current = Assignment.objects.filter(round=round, student=student).first()
    if current is None:
        raise MatchingError(_("Assign the student before locking the assignment."))
    _ensure_open(round.pk)
    PlacementOffer.objects.select_for_update().filter(pk=current.offer_id).first()
    current = Assignment.objects.select_for_update().filter(round=round, student=student).first()
    if current is None:
        raise MatchingConflict(_("Someone else removed this assignment in the meantime."))
    if current.locked == locked:
        return current
    return _set_lock(round=round, current=current, locked=locked, by=by)


def new_seed() -> int:
    return secrets.randbelow(2**31)


@transaction.atomic
@audited("matching.proposal.create")
def propose(
    *,
    round: MatchingRound,
    actor: Membership | None,
    mode: str = algorithms.DEFERRED_ACCEPTANCE,
    seed: int | None = None,
) -> MatchingProposal:
    """Compute a proposal with a (recorded) lottery seed; the board itself does not change."""
    by = actor.user if actor is not None else None
    if round.status == MatchingRound.Status.PUBLISHED:
        raise MatchingConflict(_("This round has been published; the board can no longer change."))
    if mode not in selectors.MODES:
        raise MatchingError(_("Choose a matching method."))
    if seed is None:
        seed = new_seed()
    if not 0 <= seed < 2**63:
        raise MatchingError(_("The lottery seed must be a whole number between 0 and 2^63."))
    data = selectors.build_problem(round)
    solve = (
        algorithms.deferred_acceptance
        if mode == algorithms.DEFERRED_ACCEPTANCE
        else algorithms.min_total_rank
    )
    result = solve(data.problem, seed=seed)
    ranks = {}
    for student, offer in result.assignment.items():
        prefs = data.problem.student_prefs.get(student, [])
        ranks[str(student)] = (prefs.index(offer) + 1) if offer is not None and offer in prefs else None
    payload = {
        "assignment": {str(s): o for s, o in sorted(result.assignment.items())},
        "reasons": {str(s): r for s, r in sorted(result.reasons.items())},
        "ranks": ranks,
        "rank_distribution": selectors.distribution_json(data.problem, result),
        "total_rank": algorithms.total_rank(data.problem, result),
        "blocking_pairs": len(algorithms.blocking_pairs(data.problem, result)),
        "forbidden": len(data.problem.forbidden),
        "input_digest": selectors.problem_digest(data.problem),
    }
    return MatchingProposal.objects.create(round=round, mode=mode, seed=seed, result=payload, created_by=by)


@transaction.atomic
@audited("matching.proposal.apply", target="proposal")
def apply_proposal(*, proposal: MatchingProposal, actor: Membership | None) -> dict[str, int]:
    """Write the proposal to the board (locked assignments are kept); every change is recorded."""
    by = actor.user if actor is not None else None
    round = MatchingRound.objects.select_for_update().get(pk=proposal.round_id)
    if round.status == MatchingRound.Status.PUBLISHED:
        raise MatchingConflict(_("This round has been published; the board can no longer change."))
    offers = {o.pk: o for o in selectors.round_offers(round).select_for_update().order_by("pk")}
    current = {a.student_id: a for a in Assignment.objects.select_for_update().filter(round=round)}
    wanted: dict[int, int | None] = {}
    for key, offer_id in proposal.result.get("assignment", {}).items():
        student_id = int(key)
        existing = current.get(student_id)
        if existing is not None and existing.locked:
            continue
        if offer_id is not None and offer_id not in offers:
            raise MatchingConflict(_("An offer of this proposal is no longer open; make a new proposal."))
        wanted[student_id] = offer_id
    load: dict[int, int] = {}
    for student_id, assignment in current.items():
        offer_id = (
            wanted.get(student_id, assignment.offer_id) if student_id in wanted else assignment.offer_id
        )
        if offer_id is not None:
            load[offer_id] = load.get(offer_id, 0) + 1
    for student_id, offer_id in wanted.items():
        if student_id not in current and offer_id is not None:
            load[offer_id] = load.get(offer_id, 0) + 1
    used = selectors.used_places(round)
    if any(n > offers[o].places - used.get(o, 0) for o, n in load.items() if o in offers):
        raise MatchingConflict(
            _("The board changed since this proposal was made (locks or places); make a new proposal.")
        )
    reasons = proposal.result.get("reasons", {})
    creates, updates, deletes, changes = [], [], [], []
    counts = {"added": 0, "moved": 0, "removed": 0, "unchanged": 0}
    for student_id, offer_id in wanted.items():
        existing = current.get(student_id)
        before = existing.offer_id if existing else None
        if before == offer_id:
            counts["unchanged"] += 1
            continue
        reason = str(reasons.get(str(student_id), ""))[:300]
        if existing is None:
            creates.append(Assignment(round=round, student_id=student_id, offer_id=offer_id, reason=reason))
            counts["added"] += 1
        elif offer_id is None:
            deletes.append(existing.pk)
            counts["removed"] += 1
        else:
            existing.offer_id = offer_id
            existing.reason = reason
            existing.updated_at = timezone.now()
            updates.append(existing)
            counts["moved"] += 1
        changes.append(
            AssignmentChange(
                round=round,
                student_id=student_id,
                before_offer_id=before,
                after_offer_id=offer_id,
                before_locked=False,
                after_locked=False,
                action="proposal",
                changed_by=by,
                institution_id=round.institution_id,
            )
        )
    if deletes:
        Assignment.objects.filter(pk__in=deletes).delete()
    if updates:
        Assignment.objects.bulk_update(updates, ["offer", "reason", "updated_at"], batch_size=500)
    for obj in creates:
        obj.institution_id = round.institution_id
    try:
        with transaction.atomic():
            Assignment.objects.bulk_create(creates, batch_size=500)
    except IntegrityError as exc:
        raise MatchingConflict(_("Someone else changed the board at the same moment; try again.")) from exc
    AssignmentChange.objects.bulk_create(changes, batch_size=500)
    proposal.applied_at = timezone.now()
    proposal.save(update_fields=["applied_at"])
    if round.status == MatchingRound.Status.OPEN:
        round.status = MatchingRound.Status.MATCHING
        round.save(update_fields=["status"])
    return counts


@transaction.atomic
@audited("matching.round.publish", target="round")
def publish(
    *, round: MatchingRound, actor: Membership | None, acknowledged: Iterable[str] = ()
) -> list[Placement]:
    """Turn the board into placements, notify everybody concerned, close the round.

    Refused while an assignment is to a workplace that is not approved for the programme
    and academic year, or an offer is over capacity. Conflicts of another kind and students
    left unplaced need the coordinator's confirmation: `acknowledged` names the kinds they
    confirmed ("conflicts", "unplaced"); otherwise `PublishNeedsConfirmation` names them.
    """
    by = actor.user if actor is not None else None
    from matching import tasks

    round = MatchingRound.objects.select_for_update().get(pk=round.pk)
    if round.status == MatchingRound.Status.PUBLISHED:
        raise MatchingConflict(_("This round has already been published."))
    # Lock every offer of the round (after the round, like every board write), so a concurrent
    # assignment either commits before the placements are made or sees the published round.
    round_offer_ids = selectors.round_offers(round).values("pk")
    assigned_offer_ids = Assignment.objects.filter(round=round).values("offer_id")
    offers = {
        o.pk: o
        for o in PlacementOffer.objects.select_for_update()
        .filter(Q(pk__in=round_offer_ids) | Q(pk__in=assigned_offer_ids))
        .order_by("pk")
    }
    assignments = list(Assignment.objects.filter(round=round).select_related("student"))
    if not assignments:
        raise MatchingError(_("Nobody is assigned yet; there is nothing to publish."))
    load: dict[int, int] = {}
    for a in assignments:
        load[a.offer_id] = load.get(a.offer_id, 0) + 1
    used = selectors.used_places(round)
    over = [o for o, n in load.items() if n > offers[o].places - used.get(o, 0)]
    if over:
        raise MatchingConflict(_("Some offers are over capacity; solve the conflicts before publishing."))
    check = selectors.publish_check(round)
    if check.refusals:
        raise MatchingConflict(" ".join([*check.refusals, _("Solve this on the board before publishing.")]))
    if not check.acknowledgements <= set(acknowledged):
        raise PublishNeedsConfirmation(check)
    student_ids = [a.student_id for a in assignments]
    taken = list(
        Placement.objects.filter(
            student_id__in=student_ids,
            academic_year=round.academic_year,
            year=round.year,
            wpl_unit__isnull=True,
        ).select_related("student")[:5]
    )
    if taken:
        names = ", ".join(str(p.student) for p in taken)
        raise MatchingConflict(
            _("These students already have a placement for this year: %(names)s.") % {"names": names}
        )
    placements = [
        Placement(
            institution_id=round.institution_id,
            student_id=a.student_id,
            organisation_id=offers[a.offer_id].organisation_id,
            site_id=offers[a.offer_id].site_id,
            offer_id=a.offer_id,
            mentor_id=offers[a.offer_id].mentor_id,
            programme_id=round.programme_id,
            academic_year=round.academic_year,
            year=round.year,
        )
        for a in assignments
    ]
    try:
        with transaction.atomic():
            Placement.objects.bulk_create(placements, batch_size=500)
    except IntegrityError as exc:
        raise MatchingConflict(
            _("Another placement for one of these students was saved at the same moment; try again.")
        ) from exc
    round.status = MatchingRound.Status.PUBLISHED
    round.published_at = timezone.now()
    round.save(update_fields=["status", "published_at"])
    AssignmentChange.objects.bulk_create(
        [
            AssignmentChange(
                institution_id=round.institution_id,
                round=round,
                student_id=a.student_id,
                before_offer_id=a.offer_id,
                after_offer_id=a.offer_id,
                before_locked=a.locked,
                after_locked=a.locked,
                action="publish",
                changed_by=by,
            )
            for a in assignments
        ],
        batch_size=500,
    )
    placement_ids = list(
        Placement.objects.filter(
            student_id__in=student_ids,
            academic_year=round.academic_year,
            year=round.year,
            wpl_unit__isnull=True,
        ).values_list("pk", flat=True)
    )
    for placement_id in placement_ids:
        enqueue_on_commit(
            tasks.notify_placement_published, institution_id=round.institution_id, placement_id=placement_id
        )
    return placements


@transaction.atomic
@audited("matching.placement.supervisor")
def set_supervisor(
    *, placement: Placement, supervisor: Membership | None, actor: Membership | None
) -> Placement:
    from matching import tasks

    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if supervisor is not None and (
        supervisor.role != Role.SUPERVISOR
        or not supervisor.is_active
        or supervisor.institution_id != placement.institution_id
    ):
        raise MatchingError(_("Choose a supervisor of this institution."))
    new_id = supervisor.pk if supervisor else None
    if placement.supervisor_id == new_id:
        return placement
    placement.supervisor_id = new_id
    placement.save(update_fields=["supervisor"])
    if new_id is not None:
        enqueue_on_commit(
            tasks.notify_supervisor_assigned,
            institution_id=placement.institution_id,
            placement_id=placement.pk,
            supervisor_id=new_id,
        )
    return placement


@transaction.atomic
@audited("matching.round.follow_up")
def create_follow_up(
    *,
    round: MatchingRound,
    actor: Membership | None,
    name: str = "",
    preferences_deadline: datetime | None = None,
    ratings_deadline: datetime | None = None,
) -> MatchingRound:
    """Open a follow-up round for the students a published round left without a placement.

    The new round holds only those students and the offers with places left. The students'
    earlier choices of offers that still have room, and the workplaces' verdicts on them,
    carry over (re-numbered), so nobody starts from scratch; everyone can change them while
    the round is open. Publishing it adds their placements to the earlier ones.
    """
    round = MatchingRound.objects.select_for_update().get(pk=round.pk)
    if round.status != MatchingRound.Status.PUBLISHED:
        raise MatchingError(_("Publish this round before you open a follow-up round."))
    siblings = MatchingRound.objects.filter(
        programme_id=round.programme_id, academic_year=round.academic_year, year=round.year
    )
    if siblings.exclude(status=MatchingRound.Status.PUBLISHED).exists():
        raise MatchingConflict(
            _("A round for this programme, year and academic year is still running; publish it first.")
        )
    if selectors.unplaced_after(round) == 0:
        raise MatchingError(
            _("Every student of this programme year has a placement; no follow-up is needed.")
        )
    follow_up = MatchingRound.objects.create(
        programme_id=round.programme_id,
        academic_year=round.academic_year,
        year=round.year,
        name=(name or "").strip()
        or _("%(name)s – follow-up %(n)s") % {"name": round.name, "n": siblings.count()},
        preferences_deadline=preferences_deadline,
        ratings_deadline=ratings_deadline,
        max_choices=round.max_choices,
        follow_up_of=round,
    )
    student_ids = set(selectors.round_students(follow_up).values_list("pk", flat=True))
    offer_ids = set(selectors.round_offers(follow_up).values_list("pk", flat=True))
    ranks: dict[int, int] = {}
    carried = []
    for student_id, offer_id, motivation in (
        StudentPreference.objects.filter(round=round, student_id__in=student_ids, offer_id__in=offer_ids)
        .order_by("student_id", "rank")
        .values_list("student_id", "offer_id", "motivation")
    ):
        ranks[student_id] = ranks.get(student_id, 0) + 1
        carried.append(
            StudentPreference(
                institution_id=round.institution_id,
                round=follow_up,
                student_id=student_id,
                offer_id=offer_id,
                rank=ranks[student_id],
                motivation=motivation,
            )
        )
    StudentPreference.objects.bulk_create(carried, batch_size=500)
    CandidateRating.objects.bulk_create(
        [
            CandidateRating(
                institution_id=round.institution_id,
                round=follow_up,
                offer_id=r.offer_id,
                student_id=r.student_id,
                verdict=r.verdict,
                rank=r.rank,
                rated_by_id=r.rated_by_id,
            )
            for r in CandidateRating.objects.filter(
                round=round, student_id__in=student_ids, offer_id__in=offer_ids
            )
        ],
        batch_size=500,
    )
    return follow_up
