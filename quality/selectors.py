"""Reads for the quality checklist: templates, self-evaluations and the summary per workplace."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from quality.models import (
    ChecklistAnswer,
    ChecklistItem,
    ChecklistResponse,
    ChecklistTemplate,
    QualityAnswer,
    QualityParty,
    QualityStage,
)
from workplaces.models import Organisation
from wpl.models import Membership


def templates(*, membership: Membership) -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.visible_to(membership).annotate(
        n_items=Count("items", distinct=True), n_responses=Count("responses", distinct=True)
    )


def template(*, membership: Membership, pk: int) -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.visible_to(membership).filter(pk=pk).first()


def items_of(template: ChecklistTemplate) -> list[ChecklistItem]:
    return list(
        ChecklistItem.objects.filter(template=template)
        .annotate(n_answers=Count("answers"))
        .order_by("order", "id")
    )


def item(*, membership: Membership, pk: int) -> ChecklistItem | None:
    return (
        ChecklistItem.objects.visible_to(membership)
        .select_related("template")
        .annotate(n_answers=Count("answers"))
        .filter(pk=pk)
        .first()
    )


def template_for_year(academic_year: str) -> ChecklistTemplate | None:
    """The checklist that applies in a year: the newest one that started by then, else the newest."""
    qs = ChecklistTemplate.objects.order_by("-year", "-id")
    return qs.filter(year__lte=academic_year).first() or qs.first()


def organisations(*, membership: Membership) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(membership).order_by("name")


def organisation(*, membership: Membership, pk: int) -> Organisation | None:
    return organisations(membership=membership).filter(pk=pk).first()


def response_progress(*, membership: Membership, academic_year: str) -> dict[tuple[int, str], int]:
    """(organisation id, party) -> number of answers, for one academic year (one query)."""
    rows = (
        ChecklistResponse.objects.visible_to(membership)
        .filter(academic_year=academic_year)
        .annotate(n=Count("answers"))
        .values_list("organisation_id", "party", "n")
    )
    return {(org, party): n for org, party, n in rows}


def response_for(*, organisation: Organisation, academic_year: str, party: str) -> ChecklistResponse | None:
    return (
        ChecklistResponse.objects.filter(organisation=organisation, academic_year=academic_year, party=party)
        .select_related("template", "updated_by")
        .first()
    )


def answers_of(response: ChecklistResponse | None) -> dict[int, ChecklistAnswer]:
    if response is None:
        return {}
    return {a.item_id: a for a in ChecklistAnswer.objects.filter(response=response)}


@dataclass
class StageScore:
    """Answers of one party in one stage; `share_yes` ignores "not applicable"."""

    yes: int = 0
    partly: int = 0
    no: int = 0
    na: int = 0

    @property
    def answered(self) -> int:
        return self.yes + self.partly + self.no

    @property
    def share_yes(self) -> int | None:
        return round(100 * self.yes / self.answered) if self.answered else None


@dataclass
class YearSummary:
    academic_year: str
    # stage -> party -> score
    stages: dict[str, dict[str, StageScore]] = field(default_factory=dict)

    def rows(self):
        """(stage label, workplace score, school score, difference in points) per stage."""
        for value, label in QualityStage.choices:
            by_party = self.stages.get(value, {})
            workplace = by_party.get(QualityParty.WORKPLACE, StageScore())
            school = by_party.get(QualityParty.SCHOOL, StageScore())
            diff = None
            if workplace.share_yes is not None and school.share_yes is not None:
                diff = workplace.share_yes - school.share_yes
            yield label, workplace, school, diff


def summary(*, organisation: Organisation) -> list[YearSummary]:
    """Per academic year (newest first) and stage: the share of "yes" for workplace and school."""
    rows = (
        ChecklistAnswer.objects.filter(response__organisation=organisation)
        .values_list("response__academic_year", "response__party", "item__stage", "answer")
        .annotate(n=Count("id"))
        .order_by()
    )
    years: dict[str, YearSummary] = {}
    for year, party, stage, answer, n in rows:
        summary_row = years.setdefault(year, YearSummary(academic_year=year))
        score = summary_row.stages.setdefault(stage, {}).setdefault(party, StageScore())
        attr = {
            QualityAnswer.YES: "yes",
            QualityAnswer.PARTLY: "partly",
            QualityAnswer.NO: "no",
            QualityAnswer.NOT_APPLICABLE: "na",
        }.get(answer)
        if attr:
            setattr(score, attr, getattr(score, attr) + n)
    return [years[y] for y in sorted(years, reverse=True)]


def responses_of(*, membership: Membership, organisation: Organisation) -> QuerySet[ChecklistResponse]:
    return (
        ChecklistResponse.objects.visible_to(membership)
        .filter(organisation=organisation)
        .select_related("template", "updated_by")
        .annotate(n_answers=Count("answers"))
        .order_by("-academic_year", "party")
    )


def group_items(items) -> list[tuple[str, list[tuple[str, list]]]]:
    """[(stage label, [(topic label, [items])])] in the checklist's order."""
    stage_labels = dict(QualityStage.choices)
    grouped: dict[str, dict[str, list]] = defaultdict(dict)
    topic_labels = {}
    for it in items:
        grouped[it.stage].setdefault(it.topic, []).append(it)
        topic_labels[it.topic] = it.get_topic_display()
    return [
        (stage_labels[s], [(topic_labels[t], its) for t, its in grouped[s].items()])
        for s in stage_labels
        if s in grouped
    ]
