"""Writes of the evaluations area: rubrics and versions, settings, filling, the meeting, the
score and the reflection. Every write checks who acts, runs in a transaction and is audited.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import permissions, rubric_io, scoring
from evaluations.models import (
    DEFAULT_COMPONENTS,
    LANGUAGES,
    CommentPhrase,
    Criterion,
    CriterionScore,
    Evaluation,
    EvaluationSettings,
    Party,
    PerformanceLevel,
    Reveal,
    Rubric,
    RubricVersion,
    tr,
)
from wpl import audit, registry
from wpl.models import Membership
from wpl.notifications import notify, recipient_key

# Public helpers of this module that write nothing for a person (tests/test_audit_trail.py).
NOT_ACTOR_SERVICES = {
    "starter_definition": "builds a first rubric draft in memory from the catalogue; writes nothing",
    "draft_of": "reads a rubric's draft version",
    "current_version": "reads the published version a placement's evaluation uses",
    "valid_evidence": "checks evidence keys against the registered providers; writes nothing",
    "components_for": "reads the programme's score components",
    "compute_score": "applies the score procedure to stored data; writes nothing",
    "proposed_inputs": "asks other apps for proposed score inputs; writes nothing",
    "is_scored_moment": "reads whether a moment counts for the score",
    "can_reflect": "a pure check of an evaluation's state",
}

MAX_COMMENT = 4000
MAX_EVIDENCE = 20

DEFAULT_LEVELS = [
    ({"nl": "Onvoldoende", "fr": "Insuffisant", "en": "Insufficient"}, 0),
    ({"nl": "In ontwikkeling", "fr": "En développement", "en": "Developing"}, 1),
    ({"nl": "Goed", "fr": "Bien", "en": "Good"}, 2),
    ({"nl": "Uitstekend", "fr": "Excellent", "en": "Excellent"}, 3),
]


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


# --- rubrics ------------------------------------------------------------------------------
def _write_definition(version: RubricVersion, definition: dict) -> None:
    """Replace a draft's levels and criteria with `definition` (from rubric_io.parse)."""
    version.levels.all().delete()
    version.criteria.all().delete()
    version.title = definition["title"]
    version.save(update_fields=["title"])
    PerformanceLevel.objects.bulk_create(
        PerformanceLevel(
            institution_id=version.institution_id,
            version=version,
            order=i,
            label=lv["label"],
            points=lv["points"],
        )
        for i, lv in enumerate(definition["levels"])
    )
    Criterion.objects.bulk_create(
        Criterion(
            institution_id=version.institution_id,
            version=version,
            order=i,
            title=c["title"],
            weight=c["weight"],
            competence=c["competence"],
            role=c["role"],
            objective=c["objective"],
            descriptors=c["descriptors"],
        )
        for i, c in enumerate(definition["criteria"])
    )


def _set_phrases(rubric: Rubric, comments: list[dict]) -> None:
    rubric.phrases.all().delete()
    CommentPhrase.objects.bulk_create(
        CommentPhrase(institution_id=rubric.institution_id, rubric=rubric, order=i, **c)
        for i, c in enumerate(comments)
    )


def starter_definition(programme, wpl_unit=None) -> dict:
    """A first draft built from the programme's catalogue: one criterion per professional role
    (with its competences named), else per learning objective of the unit, with four levels."""
    from catalogue.models import LearningObjective, ProfessionalRole

    levels = [{"label": label, "points": Decimal(points)} for label, points in DEFAULT_LEVELS]
    criteria = []
    objectives = (
        LearningObjective.objects.filter(unit=wpl_unit)
        if wpl_unit is not None
        else LearningObjective.objects.none()
    )
    for objective in objectives[:12]:
        criteria.append(_criterion(objective.text[:300], objective=objective))
    if not criteria:
        for role in ProfessionalRole.objects.filter(programme=programme).prefetch_related("competences")[:12]:
            criterion = _criterion(role.name, role=role)
            competence = next(iter(role.competences.all()), None)
            criterion["competence"] = competence
            criteria.append(criterion)
    if not criteria:
        criteria.append(_criterion(_("Professional attitude")))
    return {
        "title": {"nl": f"Rubric {wpl_unit or programme}"},
        "levels": levels,
        "criteria": criteria,
        "comments": [
            {"text": "Neemt initiatief en vraagt gericht feedback.", "language": "nl"},
            {"text": "Werkt nauwkeurig en houdt afspraken na.", "language": "nl"},
            {"text": "Kan het eigen handelen nog beter onderbouwen.", "language": "nl"},
        ],
    }


def _criterion(title: str, *, role=None, objective=None) -> dict:
    return {
        "title": {"nl": title},
        "weight": Decimal(1),
        "competence": None,
        "role": role,
        "objective": objective,
        "descriptors": [
            {
                "nl": "Toont dit nog niet of enkel met veel sturing.",
                "fr": "Ne le montre pas encore, ou seulement avec beaucoup d'aide.",
                "en": "Does not show this yet, or only with a lot of guidance.",
            },
            {
                "nl": "Toont dit soms, met sturing.",
                "fr": "Le montre parfois, avec de l'aide.",
                "en": "Shows this at times, with guidance.",
            },
            {
                "nl": "Toont dit zelfstandig in gewone situaties.",
                "fr": "Le montre de façon autonome dans les situations habituelles.",
                "en": "Shows this independently in usual situations.",
            },
            {
                "nl": "Toont dit zelfstandig, ook in nieuwe situaties, en onderbouwt het.",
                "fr": "Le montre de façon autonome, aussi dans des situations nouvelles, et le justifie.",
                "en": "Shows this independently, also in new situations, and explains why.",
            },
        ],
    }


@transaction.atomic
def create_rubric(
    *, actor: Membership, programme, name: str, wpl_unit=None, definition: dict | None = None
) -> Rubric:
    """A new rubric with draft version 1 (from `definition`, else a starter from the catalogue)."""
    _require(permissions.can_author_rubrics(actor))
    name = (name or "").strip()[:200]
    if not name:
        raise ValidationError({"name": _("Give the rubric a name.")})
    if wpl_unit is not None and wpl_unit.programme_id != programme.pk:
        raise ValidationError({"wpl_unit": _("Choose a WPL unit of this programme.")})
    rubric = Rubric.objects.create(programme=programme, wpl_unit=wpl_unit, name=name)
    version = RubricVersion.objects.create(rubric=rubric, number=1)
    definition = definition or starter_definition(programme, wpl_unit)
    _write_definition(version, definition)
    _set_phrases(rubric, definition.get("comments", []))
    audit.record(actor=actor, action="evaluations.rubric.create", obj=rubric, summary=name)
    return rubric


def draft_of(rubric: Rubric) -> RubricVersion | None:
    return rubric.versions.filter(status=RubricVersion.Status.DRAFT).order_by("-number").first()


@transaction.atomic
def edit_rubric(*, actor: Membership, rubric: Rubric) -> RubricVersion:
    """The rubric's draft; when there is none, a new version copied from the newest one.

    A published version is never changed: evaluations keep the version they were filled
    with, and the copy becomes the next version.
    """
    _require(permissions.can_author_rubrics(actor))
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    draft = draft_of(rubric)
    if draft is not None:
        return draft
    latest = rubric.versions.order_by("-number").first()
    number = (rubric.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = RubricVersion.objects.create(rubric=rubric, number=number, title=latest.title if latest else {})
    if latest is not None:
        definition = {
            "title": latest.title,
            "levels": [{"label": lv.label, "points": lv.points} for lv in latest.levels.all()],
            "criteria": [
                {
                    "title": c.title,
                    "weight": c.weight,
                    "competence": c.competence,
                    "role": c.role,
                    "objective": c.objective,
                    "descriptors": c.descriptors,
                }
                for c in latest.criteria.select_related("competence", "role", "objective")
            ],
        }
        _write_definition(draft, definition)
    audit.record(actor=actor, action="evaluations.rubric.new_version", obj=draft, summary=f"v{number}")
    return draft


@transaction.atomic
def save_draft(*, actor: Membership, version: RubricVersion, document: dict) -> RubricVersion:
    """Replace a draft with a JSON document (validated: every problem is reported)."""
    _require(permissions.can_author_rubrics(actor))
    version = RubricVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_frozen:
        raise ValidationError(
            _("This version is published and can no longer change; edit the rubric to make a new version.")
        )
    definition = rubric_io.parse(document, programme=version.rubric.programme)
    _write_definition(version, definition)
    if "comments" in document:
        _set_phrases(version.rubric, definition["comments"])
    audit.record(
        actor=actor, action="evaluations.rubric.save_draft", obj=version, summary=f"v{version.number}"
    )
    return version


@transaction.atomic
def import_rubric(*, actor: Membership, programme, name: str, document: dict, wpl_unit=None) -> Rubric:
    """A new rubric from an exported JSON document (validated first; nothing is saved on error)."""
    definition = rubric_io.parse(document, programme=programme)
    rubric = create_rubric(
        actor=actor, programme=programme, name=name, wpl_unit=wpl_unit, definition=definition
    )
    audit.record(actor=actor, action="evaluations.rubric.import", obj=rubric, summary=name)
    return rubric


@transaction.atomic
def publish_version(*, actor: Membership, version: RubricVersion) -> RubricVersion:
    """Publish a draft: it becomes the version new evaluations use; the previous one is retired."""
    _require(permissions.can_author_rubrics(actor))
    version = RubricVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != RubricVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    # The stored draft is checked with the same rules as an import.
    rubric_io.parse(rubric_io.export(version, phrases=[]), programme=version.rubric.programme)
    RubricVersion.objects.filter(rubric=version.rubric, status=RubricVersion.Status.PUBLISHED).update(
        status=RubricVersion.Status.RETIRED
    )
    version.status = RubricVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="evaluations.rubric.publish", obj=version, summary=f"v{version.number}")
    return version


@transaction.atomic
def save_phrases(*, actor: Membership, rubric: Rubric, phrases: dict[str, list[str]]) -> int:
    """Replace the rubric's comment bank: per language, one phrase per line (empty lines skipped)."""
    _require(permissions.can_author_rubrics(actor))
    if not set(phrases) <= set(LANGUAGES):
        raise ValidationError(_("Unknown language."))
    rows = [
        {"text": line.strip()[:500], "language": language}
        for language in LANGUAGES
        for line in phrases.get(language, [])
        if line.strip()
    ][:200]
    _set_phrases(rubric, rows)
    audit.record(actor=actor, action="evaluations.rubric.phrases", obj=rubric, summary=str(len(rows)))
    return len(rows)


# --- programme settings -------------------------------------------------------------------
@transaction.atomic
def save_settings(
    *,
    actor: Membership,
    programme,
    moments: list[dict],
    student_sees_mentor: str,
    mentor_sees_student: str,
    max_score: Decimal,
    rubric_share_pct: int,
    components: list[dict],
) -> EvaluationSettings:
    """Save a programme's evaluation rules (moments need a unique key and a label)."""
    _require(permissions.can_author_rubrics(actor))
    errors = {}
    keys = [m.get("key") for m in moments]
    if not moments or any(not k for k in keys) or len(set(keys)) != len(keys):
        errors["moments"] = _("Give every moment a name; names must differ.")
    if student_sees_mentor not in Reveal.values or mentor_sees_student not in Reveal.values:
        errors["student_sees_mentor"] = _("Choose when each party sees the other's assessment.")
    total = Decimal(rubric_share_pct) + sum((Decimal(c.get("share_pct", 0)) for c in components), Decimal(0))
    if total != 100:
        errors["rubric_share_pct"] = _("The shares add up to %(total)s %%; they must add up to 100 %%.") % {
            "total": total
        }
    used = set(
        Evaluation.objects.filter(placement__programme=programme).values_list("moment", flat=True).distinct()
    )
    dropped = sorted(used - set(keys))
    if dropped and "moments" not in errors:
        errors["moments"] = _(
            "Evaluations exist for the moment “%(keys)s”; keep it (you may rename its label)."
        ) % {"keys": ", ".join(dropped)}
    if errors:
        raise ValidationError(errors)
    found = EvaluationSettings.objects.select_for_update().filter(programme=programme).first()
    row = found or EvaluationSettings(programme=programme)
    row.moments = moments
    row.student_sees_mentor = student_sees_mentor
    row.mentor_sees_student = mentor_sees_student
    row.max_score = max_score
    row.rubric_share_pct = rubric_share_pct
    row.components = components
    row.full_clean(exclude=["institution", "programme"])
    row.save()
    # Evaluations not scored yet follow whether their moment now counts for the score.
    for moment in moments:
        Evaluation.objects.filter(
            placement__programme=programme,
            moment=moment["key"],
            status__in=[Evaluation.Status.OPEN, Evaluation.Status.MET],
        ).exclude(scored=bool(moment.get("scored", True))).update(scored=bool(moment.get("scored", True)))
    audit.record(actor=actor, action="evaluations.settings.save", obj=row, summary=str(programme))
    return row


# --- opening evaluations ----------------------------------------------------------------------
def current_version(placement) -> RubricVersion | None:
    """The published version for the placement: its WPL unit's rubric first, else the programme's."""
    published = RubricVersion.objects.filter(
        status=RubricVersion.Status.PUBLISHED, rubric__programme_id=placement.programme_id
    ).select_related("rubric")
    if placement.wpl_unit_id:
        unit = published.filter(rubric__wpl_unit_id=placement.wpl_unit_id).order_by("-published_at").first()
        if unit is not None:
            return unit
    return published.filter(rubric__wpl_unit__isnull=True).order_by("-published_at").first()


@transaction.atomic
def open_evaluation(*, actor: Membership, placement, moment: str) -> Evaluation:
    """Open one evaluation moment of a placement with the current rubric version (idempotent)."""
    _require(permissions.can_lead(actor, placement))
    settings_row = EvaluationSettings.for_programme(placement.programme)
    if settings_row.moment(moment) is None:
        raise ValidationError(_("This programme has no evaluation moment “%(m)s”.") % {"m": moment[:40]})
    existing = Evaluation.objects.filter(placement=placement, moment=moment).first()
    if existing is not None:
        return existing
    version = current_version(placement)
    if version is None:
        raise ValidationError(_("This programme has no published rubric yet."))
    evaluation = Evaluation.objects.create(
        placement=placement,
        moment=moment,
        version=version,
        scored=bool(settings_row.moment(moment).get("scored", True)),
    )
    audit.record(actor=actor, action="evaluations.open", obj=evaluation, summary=moment)
    _tell_fillers(evaluation)
    _invite_mentor_without_account(actor, placement)
    return evaluation


@transaction.atomic
def open_for_programme(*, actor: Membership, programme, moment: str, academic_year: str) -> int:
    """Open `moment` for every placement of the programme and year that has none; how many."""
    from placements.models import Placement

    _require(permissions.can_author_rubrics(actor))
    placements = (
        Placement.objects.filter(programme=programme, academic_year=academic_year)
        .exclude(evaluations__moment=moment)
        .select_related("programme", "student__user", "mentor__user")
    )
    opened = 0
    for placement in placements[:2000]:
        open_evaluation(actor=actor, placement=placement, moment=moment)
        opened += 1
    return opened


def _url(evaluation: Evaluation, name: str = "evaluation-detail") -> str:
    return reverse(name, kwargs={"pk": evaluation.pk})


def _tell_fillers(evaluation: Evaluation) -> None:
    placement = evaluation.placement
    label = EvaluationSettings.for_programme(placement.programme).moment_label(evaluation.moment)
    people = []
    if placement.mentor_id and placement.mentor.user_id:
        people.append(placement.mentor.user)
    if placement.student.user_id:
        people.append(placement.student.user)
    for user in people:
        notify(
            recipient=user,
            key=f"evaluations.open:{evaluation.pk}:{recipient_key(user)}",
            template="evaluations/notifications/open",
            context={"student": str(placement.student), "moment": label},
            url=_url(evaluation, "evaluation-fill"),
        )


def _invite_mentor_without_account(actor: Membership, placement) -> None:
    """A mentor without an account gets the platform's password-free access (an e-mailed,
    single-use link, then sign-in by e-mailed code); the start page then shows the rubric."""
    from workplaces.models import AccessInvitation
    from workplaces.services import create_invitation

    mentor = placement.mentor
    if mentor is None or mentor.user_id or not mentor.email:
        return
    if AccessInvitation.objects.pending().filter(mentor=mentor).exists():
        return
    from wpl.notifications import absolute_url

    create_invitation(
        actor=actor,
        organisation=placement.organisation,
        email=mentor.email,
        role=AccessInvitation.InvitedRole.MENTOR,
        purpose=AccessInvitation.Purpose.GENERAL,
        base_url=absolute_url("/"),
        first_name=mentor.first_name,
        last_name=mentor.last_name,
        mentor=mentor,
        message=_("Please fill in the rubric of %(student)s online; it takes a few minutes, on a phone too.")
        % {"student": placement.student},
    )


# --- filling: the mentor's assessment and the student's self-evaluation ----------------------
def _party(actor: Membership, evaluation: Evaluation) -> str:
    party = permissions.party_of(actor, evaluation.placement)
    _require(party is not None)
    return party


def _check_open_for(evaluation: Evaluation, party: str) -> None:
    if evaluation.status != Evaluation.Status.OPEN:
        raise ValidationError(
            _("The evaluation meeting has been held; the assessments can no longer change.")
        )
    if evaluation.submitted_at(party) is not None:
        raise ValidationError(_("You have submitted this assessment; it can no longer change."))


def valid_evidence(placement, keys: list[str]) -> list[str]:
    """The keys that a registered provider offers for this placement (order kept, no doubles)."""
    if not keys:
        return []
    offered = {option.key for option in registry.evidence_options(placement)}
    unknown = [k for k in keys if k not in offered]
    if unknown:
        raise ValidationError({"evidence": _("Choose evidence from this placement only.")})
    return list(dict.fromkeys(keys))[:MAX_EVIDENCE]


@transaction.atomic
def save_criterion(
    *,
    actor: Membership,
    evaluation: Evaluation,
    criterion_id: int,
    level_id: int | None,
    comment: str,
    evidence: list[str] | None = None,
) -> CriterionScore:
    """Autosave one criterion of the actor's own assessment (mentor or student)."""
    party = _party(actor, evaluation)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_open_for(evaluation, party)
    criterion = Criterion.objects.filter(pk=criterion_id, version_id=evaluation.version_id).first()
    if criterion is None:
        raise ValidationError({"criterion": _("This criterion is not part of the rubric.")})
    level = None
    if level_id is not None:
        level = PerformanceLevel.objects.filter(pk=level_id, version_id=evaluation.version_id).first()
        if level is None:
            raise ValidationError({"level": _("Choose one of the rubric's levels.")})
    if len(comment or "") > MAX_COMMENT:
        raise ValidationError({"comment": _("At most %(n)s characters.") % {"n": MAX_COMMENT}})
    row, _created = CriterionScore.objects.update_or_create(
        evaluation=evaluation,
        party=party,
        criterion=criterion,
        defaults={
            "level": level,
            "comment": (comment or "").strip(),
            **({"evidence": valid_evidence(evaluation.placement, evidence)} if evidence is not None else {}),
            "updated_by_id": actor.user_id,
        },
    )
    return row


@transaction.atomic
def submit(*, actor: Membership, evaluation: Evaluation) -> Evaluation:
    """Submit the actor's assessment: every criterion needs a level; then it is frozen."""
    party = _party(actor, evaluation)
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("placement__supervisor__user")
        .get(pk=evaluation.pk)
    )
    _check_open_for(evaluation, party)
    filled = CriterionScore.objects.filter(evaluation=evaluation, party=party, level__isnull=False).count()
    total = Criterion.objects.filter(version_id=evaluation.version_id).count()
    if filled < total:
        raise ValidationError(
            _("Choose a level for every criterion first (%(missing)s of %(total)s still open).")
            % {"missing": total - filled, "total": total}
        )
    now = timezone.now()
    field = "mentor_submitted_at" if party == Party.MENTOR else "student_submitted_at"
    setattr(evaluation, field, now)
    evaluation.save(update_fields=[field])
    audit.record(actor=actor, action=f"evaluations.submit.{party}", obj=evaluation)
    supervisor = evaluation.placement.supervisor
    if supervisor is not None:
        notify(
            recipient=supervisor.user,
            key=f"evaluations.submitted:{evaluation.pk}:{party}",
            template="evaluations/notifications/submitted",
            context={"student": str(evaluation.placement.student), "party": Party(party).label},
            url=_url(evaluation),
        )
    return evaluation


# --- the evaluation meeting ------------------------------------------------------------------
PRESENT_ROLES = ("student", "mentor", "supervisor")


@transaction.atomic
def record_meeting(
    *,
    actor: Membership,
    evaluation: Evaluation,
    agreed: dict[int, tuple[int | None, str]],
    present: list[str],
    present_others: str = "",
    notes: str = "",
    held_at=None,
) -> Evaluation:
    """Record the agreed version (a level and comment per criterion) and who was present.

    The mentor's and the student's assessments stay as they were, side by side; the agreed
    version is a third, separate set (never an average).
    """
    _require(permissions.can_lead(actor, evaluation.placement))
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status not in (Evaluation.Status.OPEN, Evaluation.Status.MET):
        raise ValidationError(_("The score is set; the meeting can no longer change."))
    if evaluation.mentor_submitted_at is None:
        raise ValidationError(_("The mentor has not submitted the rubric yet."))
    criteria = {c.pk: c for c in Criterion.objects.filter(version_id=evaluation.version_id)}
    levels = {lv.pk: lv for lv in PerformanceLevel.objects.filter(version_id=evaluation.version_id)}
    errors = []
    for criterion_id in criteria:
        level_id, _comment = agreed.get(criterion_id, (None, ""))
        if level_id not in levels:
            errors.append(_("Choose the agreed level of “%(c)s”.") % {"c": tr(criteria[criterion_id].title)})
    if not set(present) <= set(PRESENT_ROLES):
        errors.append(_("Unknown participant."))
    if errors:
        raise ValidationError(errors)
    existing = {
        s.criterion_id: s for s in CriterionScore.objects.filter(evaluation=evaluation, party=Party.AGREED)
    }
    for criterion_id, (level_id, comment) in agreed.items():
        if criterion_id not in criteria:
            continue
        row = existing.get(criterion_id) or CriterionScore(
            evaluation=evaluation, party=Party.AGREED, criterion_id=criterion_id
        )
        row.level_id = level_id
        row.comment = (comment or "").strip()[:MAX_COMMENT]
        row.updated_by_id = actor.user_id
        row.save()
    evaluation.present = [r for r in PRESENT_ROLES if r in present]
    evaluation.present_others = (present_others or "").strip()[:300]
    evaluation.meeting_notes = (notes or "").strip()[:10000]
    evaluation.meeting_at = held_at or evaluation.meeting_at or timezone.now()
    evaluation.status = Evaluation.Status.MET
    evaluation.save()
    audit.record(
        actor=actor, action="evaluations.meeting", obj=evaluation, data={"present": evaluation.present}
    )
    return evaluation


# --- the score ----------------------------------------------------------------------------------
def components_for(evaluation: Evaluation) -> list[dict]:
    settings_row = EvaluationSettings.for_programme(evaluation.placement.programme)
    return list(settings_row.components if settings_row.pk else DEFAULT_COMPONENTS)


def compute_score(evaluation: Evaluation, component_values: dict[str, Decimal]) -> Decimal:
    """The programme's procedure applied to the agreed version and the other agreements."""
    settings_row = EvaluationSettings.for_programme(evaluation.placement.programme)
    levels = list(PerformanceLevel.objects.filter(version_id=evaluation.version_id))
    max_points = max((lv.points for lv in levels), default=Decimal(0))
    agreed = {
        s.criterion_id: s.level.points
        for s in CriterionScore.objects.filter(
            evaluation=evaluation, party=Party.AGREED, level__isnull=False
        ).select_related("level")
    }
    rows = [(c.weight, agreed.get(c.pk)) for c in Criterion.objects.filter(version_id=evaluation.version_id)]
    components = [
        scoring.Component(
            key=c["key"],
            share_pct=Decimal(str(c.get("share_pct", 0))),
            value_pct=Decimal(component_values.get(c["key"], 0)),
        )
        for c in components_for(evaluation)
    ]
    try:
        return scoring.compute(
            rows=rows,
            max_points=max_points,
            max_score=settings_row.max_score,
            rubric_share_pct=Decimal(settings_row.rubric_share_pct),
            components=components,
        )
    except scoring.ScoreError:
        raise ValidationError(_("The agreed version is incomplete; record the meeting first.")) from None


def proposed_inputs(evaluation: Evaluation) -> dict[str, Decimal | None]:
    """What other apps propose for each extra input (e.g. the meetings app: attendance)."""
    return {
        c["key"]: registry.score_input(c["key"], evaluation.placement) for c in components_for(evaluation)
    }


@transaction.atomic
def set_score(
    *,
    actor: Membership,
    evaluation: Evaluation,
    component_values: dict[str, str | Decimal],
    final_score: Decimal | str | None = None,
    reason: str = "",
) -> Evaluation:
    """Compute the score; an overriding final score needs a reason. Both values are kept."""
    _require(permissions.can_lead(actor, evaluation.placement))
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status not in (Evaluation.Status.MET, Evaluation.Status.SCORED):
        raise ValidationError(
            _("The score is published; it can no longer change.")
            if evaluation.published_at
            else _("Record the evaluation meeting first.")
        )
    settings_row = EvaluationSettings.for_programme(evaluation.placement.programme)
    values: dict[str, Decimal] = {}
    errors: dict[str, str] = {}
    for component in components_for(evaluation):
        key = component["key"]
        try:
            value = Decimal(str(component_values.get(key, "")).replace(",", "."))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not 0 <= value <= 100:
            errors[f"component_{key}"] = _("Enter a percentage from 0 to 100.")
            continue
        values[key] = value
    final = None
    if final_score not in (None, ""):
        try:
            final = Decimal(str(final_score).replace(",", "."))
        except InvalidOperation:
            final = None
        if final is None or not final.is_finite() or not 0 <= final <= settings_row.max_score:
            errors["final_score"] = _("Enter a score from 0 to %(max)s.") % {
                "max": settings_row.max_score.normalize()
            }
            final = None
    if errors:
        raise ValidationError(errors)
    computed = compute_score(evaluation, values)
    reason = (reason or "").strip()
    if final is not None and final != computed and not reason:
        raise ValidationError(
            {"reason": _("Give the reason why the final score differs from the computed one.")}
        )
    evaluation.component_values = {k: str(v) for k, v in values.items()}
    evaluation.computed_score = computed
    evaluation.final_score = final if final is not None else computed
    evaluation.override_reason = reason if evaluation.final_score != computed else ""
    evaluation.max_score = settings_row.max_score
    evaluation.scored_by_id = actor.user_id
    evaluation.scored_at = timezone.now()
    evaluation.status = Evaluation.Status.SCORED
    evaluation.save()
    audit.record(
        actor=actor,
        action="evaluations.score",
        obj=evaluation,
        data={
            "computed": str(computed),
            "final": str(evaluation.final_score),
            "reason": evaluation.override_reason,
        },
    )
    return evaluation


@transaction.atomic
def publish_score(*, actor: Membership, evaluation: Evaluation) -> Evaluation:
    """Publish the final score to the student (and the mentor); notifies both."""
    _require(permissions.can_lead(actor, evaluation.placement))
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != Evaluation.Status.SCORED:
        raise ValidationError(_("Set the score before publishing it."))
    evaluation.status = Evaluation.Status.PUBLISHED
    evaluation.published_at = timezone.now()
    evaluation.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor, action="evaluations.publish", obj=evaluation, summary=str(evaluation.final_score)
    )
    placement = evaluation.placement
    label = EvaluationSettings.for_programme(placement.programme).moment_label(evaluation.moment)
    if placement.student.user_id:
        notify(
            recipient=placement.student.user,
            key=f"evaluations.published:{evaluation.pk}",
            template="evaluations/notifications/published",
            context={"moment": label, "score": evaluation.final_score, "max": evaluation.max_score},
            url=_url(evaluation, "evaluation-reflection"),
        )
    return evaluation


def is_scored_moment(evaluation: Evaluation) -> bool:
    """Whether the moment counts for the score (the programme's setting, kept on the evaluation)."""
    return evaluation.scored


def can_reflect(evaluation: Evaluation) -> bool:
    """After the published score; for a moment without a score, after the meeting."""
    if evaluation.status == Evaluation.Status.PUBLISHED:
        return True
    return evaluation.status == Evaluation.Status.MET and not is_scored_moment(evaluation)


@transaction.atomic
def write_reflection(
    *,
    actor: Membership,
    evaluation: Evaluation,
    text: str,
    workplace_rating: int | None = None,
    workplace_comment: str = "",
) -> Evaluation:
    """The student's reflection closes the evaluation; an optional rating of the workplace
    goes to the quality data of that workplace (`quality` app)."""
    _require(permissions.party_of(actor, evaluation.placement) == Party.STUDENT)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not can_reflect(evaluation):
        raise ValidationError(_("You can write your reflection once the evaluation is published."))
    text = (text or "").strip()
    errors = {}
    if len(text) < 20:
        errors["reflection"] = _("Write at least a few sentences (20 characters or more).")
    if len(text) > 10000:
        errors["reflection"] = _("At most %(n)s characters.") % {"n": 10000}
    if workplace_rating is not None and workplace_rating not in range(1, 6):
        errors["workplace_rating"] = _("Choose from 1 to 5 stars.")
    if errors:
        raise ValidationError(errors)
    evaluation.reflection = text
    evaluation.reflection_at = timezone.now()
    evaluation.status = Evaluation.Status.CLOSED
    evaluation.workplace_rating = workplace_rating
    evaluation.workplace_comment = (workplace_comment or "").strip()[:2000]
    evaluation.save()
    audit.record(actor=actor, action="evaluations.reflection", obj=evaluation)
    if workplace_rating is not None:
        registry.emit(
            "evaluations.workplace_rated",
            organisation_id=evaluation.placement.organisation_id,
            academic_year=evaluation.placement.academic_year,
            rating=workplace_rating,
            comment=evaluation.workplace_comment,
        )
    return evaluation
