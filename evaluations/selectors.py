"""Reads of the evaluations area; every one starts from `visible_to(membership)`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from evaluations import permissions
from evaluations.models import (
    Criterion,
    CriterionScore,
    Evaluation,
    EvaluationSettings,
    Party,
    PerformanceLevel,
    Rubric,
    RubricVersion,
    tr,
)
from wpl import registry
from wpl.models import Membership


def settings_for_programmes(programme_ids) -> dict[int, EvaluationSettings]:
    """Settings per programme id in one query; programmes without a row get the defaults."""
    from catalogue.models import Programme

    ids = set(programme_ids)
    found = {s.programme_id: s for s in EvaluationSettings.objects.filter(programme_id__in=ids)}
    missing = ids - set(found)
    if missing:
        for programme in Programme.objects.filter(pk__in=missing):
            found[programme.pk] = EvaluationSettings.defaults(programme)
    return found


def evaluations_for(*, membership: Membership, status: str = "", moment: str = "") -> QuerySet[Evaluation]:
    qs = Evaluation.objects.visible_to(membership).select_related(
        "placement__student",
        "placement__organisation",
        "placement__programme",
        "placement__mentor",
        "placement__supervisor__user",
        "version__rubric",
    )
    if status in Evaluation.Status.values:
        qs = qs.filter(status=status)
    if moment:
        qs = qs.filter(moment=moment[:40])
    return qs.order_by("placement__student__last_name", "placement__student__first_name", "moment", "id")


@dataclass
class ListRow:
    evaluation: Evaluation
    moment_label: str
    show_score: bool


def list_rows(*, membership: Membership, evaluations) -> list[ListRow]:
    """Rows for the list page with the moment's label (one query for all settings)."""
    rows = list(evaluations)
    settings = settings_for_programmes({e.placement.programme_id for e in rows})
    school = permissions.can_see_rubrics(membership)
    return [
        ListRow(
            evaluation=e,
            moment_label=settings[e.placement.programme_id].moment_label(e.moment),
            show_score=school or e.published_at is not None,
        )
        for e in rows
    ]


def evaluation_detail(*, membership: Membership, pk: int) -> Evaluation:
    """Raises Evaluation.DoesNotExist for another institution's or someone else's evaluation."""
    return (
        Evaluation.objects.visible_to(membership)
        .select_related(
            "placement__student__user",
            "placement__organisation",
            "placement__programme",
            "placement__mentor__user",
            "placement__supervisor__user",
            "placement__wpl_unit",
            "version__rubric",
        )
        .get(pk=pk)
    )


@dataclass
class SheetRow:
    criterion: Criterion
    descriptors: list[tuple[PerformanceLevel, str]]
    scores: dict[str, CriterionScore | None] = field(default_factory=dict)


@dataclass
class Sheet:
    levels: list[PerformanceLevel]
    rows: list[SheetRow]
    parties: list[str]  # the parties whose assessment this person may see

    def filled(self, party: str) -> int:
        return sum(1 for r in self.rows if r.scores.get(party) and r.scores[party].level_id)


def sheet(*, evaluation: Evaluation, membership: Membership) -> Sheet:
    """The rubric with, per criterion, the assessments this person may see (3 queries)."""
    levels = list(PerformanceLevel.objects.filter(version_id=evaluation.version_id))
    criteria = list(
        Criterion.objects.filter(version_id=evaluation.version_id).select_related(
            "competence", "role", "objective"
        )
    )
    scores = (
        CriterionScore.objects.visible_to(membership).filter(evaluation=evaluation).select_related("level")
    )
    by_key = {(s.criterion_id, s.party): s for s in scores}
    parties = sorted({party for _, party in by_key}, key=[Party.MENTOR, Party.STUDENT, Party.AGREED].index)
    own = permissions.party_of(membership, evaluation.placement)
    if own and own not in parties:
        parties.insert(0, own)
    rows = [
        SheetRow(
            criterion=c,
            descriptors=[(lv, c.descriptor(i)) for i, lv in enumerate(levels)],
            scores={p: by_key.get((c.pk, p)) for p in (Party.MENTOR, Party.STUDENT, Party.AGREED)},
        )
        for c in criteria
    ]
    return Sheet(levels=levels, rows=rows, parties=parties)


def phrases_for(rubric: Rubric, language: str | None = None) -> list[str]:
    """The comment bank in the person's language (Dutch when it has none in that language)."""
    from django.utils import translation

    language = (language or translation.get_language() or "nl")[:2]
    by_language: dict[str, list[str]] = defaultdict(list)
    for language_, text in rubric.phrases.values_list("language", "text"):
        by_language[language_].append(text)
    return (by_language.get(language) or by_language.get("nl") or [])[:50]


def evidence_labels(placement, sheet_: Sheet) -> dict[str, registry.EvidenceOption]:
    """The evidence options of the placement by key (to show linked evidence with a label)."""
    if not any(s and s.evidence for r in sheet_.rows for s in r.scores.values()):
        return {}
    return {o.key: o for o in registry.evidence_options(placement)}


def rubrics_for(*, membership: Membership) -> QuerySet[Rubric]:
    return (
        Rubric.objects.visible_to(membership)
        .select_related("programme", "wpl_unit")
        .prefetch_related("versions")
        .order_by("programme__name", "name")
    )


def rubric_detail(*, membership: Membership, pk: int) -> Rubric:
    return Rubric.objects.visible_to(membership).select_related("programme", "wpl_unit").get(pk=pk)


def version_of(rubric: Rubric, number: int | None) -> RubricVersion | None:
    versions = rubric.versions.all()
    if number:
        return versions.filter(number=number).first()
    return versions.order_by("-number").first()


# --- what waits on whom (start page and the list's `?todo=`) ---------------------------------
SCORE_DUE_DAYS = 14  # after the meeting, the school publishes the score within two weeks


def _waiting(key: str) -> Q:
    """What an evaluation looks like while it waits for step `key`."""
    open_ = Q(status=Evaluation.Status.OPEN)
    to_score = Q(status__in=[Evaluation.Status.MET, Evaluation.Status.SCORED], scored=True)
    if key == "fill_mentor":
        return open_ & Q(mentor_submitted_at__isnull=True)
    if key == "fill_student":
        return open_ & Q(student_submitted_at__isnull=True)
    if key == "reflect":
        # After the published score; for a moment without a score, right after the meeting.
        return Q(status=Evaluation.Status.PUBLISHED) | Q(status=Evaluation.Status.MET, scored=False)
    if key == "meet":
        return open_ & Q(mentor_submitted_at__isnull=False)
    if key == "score":
        return to_score
    if key == "meet_late":
        return open_ & Q(placement__end_date__lt=timezone.localdate())
    if key == "score_late":
        return to_score & (
            Q(placement__end_date__lt=timezone.localdate())
            | Q(meeting_at__lt=timezone.now() - timedelta(days=SCORE_DUE_DAYS))
        )
    raise KeyError(key)


def todo_keys(membership: Membership) -> list[str]:
    """The steps that wait on this person, by role (the keys of `_waiting`)."""
    if permissions.is_mentor(membership):
        return ["fill_mentor"]
    if permissions.is_student(membership):
        return ["fill_student", "reflect"]
    if permissions.can_author_rubrics(membership):
        return ["meet_late", "score_late"]
    if permissions.can_see_rubrics(membership):
        return ["meet", "score"]
    return []


def waiting(membership: Membership, key: str = "") -> QuerySet[Evaluation]:
    """Evaluations waiting on this person: for step `key`, or for any of their steps."""
    keys = todo_keys(membership)
    if key:
        keys = [key] if key in keys else []
    q = Q(pk__in=[])
    for k in keys:
        q |= _waiting(k)
    return Evaluation.objects.visible_to(membership).filter(q)


def placements_without_evaluation(membership: Membership, academic_year: str):
    """Placements of the year that started, whose programme has a published rubric, and that
    have no evaluation open yet (staff open the moments)."""
    from placements.models import Placement

    published = RubricVersion.objects.filter(
        status=RubricVersion.Status.PUBLISHED, rubric__programme_id=OuterRef("programme_id")
    )
    opened = Evaluation.objects.filter(placement_id=OuterRef("pk"))
    return (
        Placement.objects.visible_to(membership)
        .filter(academic_year=academic_year)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=timezone.localdate()))
        .filter(Exists(published), ~Exists(opened))
    )


def todo_counts(membership: Membership) -> dict[str, int]:
    """What waits on this person, per step (one query; the start page counts these querysets
    together with the other apps' in `wpl.registry.start_items`)."""
    querysets = {key: waiting(membership, key) for key in todo_keys(membership)}
    return dict(zip(querysets, registry.count_together(list(querysets.values())), strict=True))


# --- competence overview (portfolio) -----------------------------------------------------------
@dataclass
class OverviewLine:
    heading: str  # competence, role or objective
    criterion: str
    level: str
    points: str
    moment: str
    unit: str
    academic_year: str
    comment: str
    evidence: list  # wpl.registry.EvidenceOption: label and link


def competence_overview(*, membership: Membership, student) -> list[tuple[str, list[OverviewLine]]]:
    """Levels reached per competence/role/objective over units and years (the agreed version of
    every evaluation whose meeting was held), grouped by heading. A fixed number of queries."""
    evaluations = {
        e.pk: e
        for e in Evaluation.objects.visible_to(membership)
        .filter(placement__student=student, meeting_at__isnull=False)
        .select_related("placement__programme", "placement__wpl_unit")
    }
    settings = settings_for_programmes({e.placement.programme_id for e in evaluations.values()})
    scores = list(
        CriterionScore.objects.visible_to(membership)
        .filter(evaluation_id__in=list(evaluations))
        .select_related("criterion__competence", "criterion__role", "criterion__objective", "level")
        .order_by("criterion__order")
    )
    # The agreed version has no evidence of its own: the evidence is what the mentor and the
    # student linked to the same criterion (as far as this person may see it), with labels.
    evidence: dict[tuple[int, int], list[str]] = defaultdict(list)
    for s in scores:
        if s.party != Party.AGREED:
            for key in s.evidence or []:
                if key not in evidence[(s.evaluation_id, s.criterion_id)]:
                    evidence[(s.evaluation_id, s.criterion_id)].append(key)
    labels: dict[int, dict[str, registry.EvidenceOption]] = {}
    if evidence:
        placements = {e.placement_id: e.placement for e in evaluations.values()}
        for pk, placement in placements.items():
            labels[pk] = {o.key: o for o in registry.evidence_options(placement)}
    rows = [s for s in scores if s.party == Party.AGREED]
    groups: dict[str, list[OverviewLine]] = defaultdict(list)
    for s in rows:
        e = evaluations[s.evaluation_id]
        c = s.criterion
        known = labels.get(e.placement_id, {})
        linked = [known[k] for k in evidence.get((s.evaluation_id, s.criterion_id), []) if k in known]
        heading = str(c.competence or c.role or c.objective or tr(c.title))
        groups[heading].append(
            OverviewLine(
                heading=heading,
                criterion=tr(c.title),
                level=tr(s.level.label) if s.level else "—",
                points=f"{s.level.points.normalize()}" if s.level else "",
                moment=settings[e.placement.programme_id].moment_label(e.moment),
                unit=str(e.placement.wpl_unit or e.placement.programme),
                academic_year=e.placement.academic_year,
                comment=s.comment,
                evidence=linked,
            )
        )
    for lines in groups.values():
        lines.sort(key=lambda line: (line.academic_year, line.unit, line.moment))
    return sorted(groups.items())


def score_rows(*, membership: Membership, programme: str = "", academic_year: str = "") -> list[list]:
    """Published scores for the CSV export (optionally of one programme code and year)."""
    qs = Evaluation.objects.visible_to(membership).filter(published_at__isnull=False)
    if programme:
        qs = qs.filter(placement__programme__code=programme[:50])
    if academic_year:
        qs = qs.filter(placement__academic_year=academic_year[:9])
    qs = qs.select_related(
        "placement__student", "placement__programme", "placement__wpl_unit", "placement__organisation"
    ).order_by("placement__academic_year", "placement__student__last_name", "moment")
    return [
        [
            e.placement.student.student_number,
            e.placement.student.last_name,
            e.placement.student.first_name,
            e.placement.programme.code,
            str(e.placement.wpl_unit or ""),
            e.placement.academic_year,
            e.moment,
            e.computed_score,
            e.final_score,
            e.max_score,
            e.override_reason,
            e.published_at.date().isoformat(),
        ]
        for e in qs[:20000]
    ]


# --- students' ratings of a workplace (wpl.registry.register_workplace_feedback) --------------
MIN_RATINGS_FOR_HOSTS = 3  # a host never sees one identifiable student's rating


def workplace_feedback(organisation, membership) -> list:
    """Average rating (1-5) the students gave the workplace in their reflection, per year.

    The school sees every year; the workplace's own people only years with at least
    MIN_RATINGS_FOR_HOSTS ratings.
    """
    from django.db.models import Avg, Count
    from django.utils.translation import gettext as _

    from wpl.registry import WorkplaceFeedback

    if membership is None:
        return []
    rows = (
        Evaluation.objects.filter(placement__organisation_id=organisation.pk, workplace_rating__isnull=False)
        .values("placement__academic_year")
        .annotate(avg=Avg("workplace_rating"), n=Count("id"))
        .order_by("-placement__academic_year")
    )
    minimum = 1 if permissions.can_see_rubrics(membership) else MIN_RATINGS_FOR_HOSTS
    return [
        WorkplaceFeedback(
            academic_year=row["placement__academic_year"],
            label=_("Students' rating of the workplace (1-5)"),
            value=f"{row['avg']:.1f}",
            count=row["n"],
        )
        for row in rows
        if row["n"] >= minimum
    ]
