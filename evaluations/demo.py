"""Demo evaluations: a published rubric per programme (from its professional roles and learning
objectives) and evaluations in several states, so every role finds something on `make run`:

- the demo student's placement: the mid-term closed with a reflection (the competence
  overview has content), the final open with the mentor half-way (mentor: rubric to fill;
  student: self-evaluation to fill);
- other placements: a final scored but not published (supervisor: score to publish), a final
  published, a mid-term with the mentor's rubric submitted (meeting to record).

Runs after the placements, logbook and meetings seeders. Idempotent.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from catalogue.models import LearningObjective, Programme
from evaluations import services
from evaluations.models import Criterion, CriterionScore, Evaluation, Party, PerformanceLevel, Rubric
from placements.models import Placement
from wpl.models import Membership, Role

COMMENTS = [
    "Neemt initiatief en vraagt gericht feedback.",
    "Werkt nauwkeurig; houdt afspraken goed na.",
    "Communiceert helder met cliënten en collega's.",
    "Kan het eigen handelen nog beter onderbouwen.",
]


def _definition(programme: Programme) -> dict:
    definition = services.starter_definition(programme)
    objectives = LearningObjective.objects.filter(unit__programme=programme).order_by("unit__phase", "order")[
        :3
    ]
    for objective in objectives:
        definition["criteria"].append(services._criterion(objective.text[:300], objective=objective))
    definition["title"] = {
        "nl": f"Evaluatie werkplekleren · {programme.name}",
        "fr": f"Évaluation de l'apprentissage en milieu de travail · {programme.name}",
        "en": f"Workplace learning evaluation · {programme.name}",
    }
    return definition


def _fill(evaluation: Evaluation, party: str, *, upto: int | None = None, shift: int = 0, user=None) -> None:
    levels = list(PerformanceLevel.objects.filter(version_id=evaluation.version_id))
    criteria = list(Criterion.objects.filter(version_id=evaluation.version_id))
    for i, criterion in enumerate(criteria[:upto]):
        level = levels[
            min(
                len(levels) - 1,
                max(0, 2 + ((i + shift) % 2) - (1 if party == Party.STUDENT and i % 3 == 0 else 0)),
            )
        ]
        CriterionScore.objects.update_or_create(
            evaluation=evaluation,
            party=party,
            criterion=criterion,
            defaults={"level": level, "comment": COMMENTS[(i + shift) % len(COMMENTS)], "updated_by": user},
        )
    if upto is None:
        field = "mentor_submitted_at" if party == Party.MENTOR else "student_submitted_at"
        setattr(evaluation, field, timezone.now())
        evaluation.save(update_fields=[field])


def _meet(actor, evaluation: Evaluation) -> Evaluation:
    agreed = {
        s.criterion_id: (s.level_id, "Samen besproken en bevestigd.")
        for s in CriterionScore.objects.filter(evaluation=evaluation, party=Party.MENTOR)
    }
    return services.record_meeting(
        actor=actor,
        evaluation=evaluation,
        agreed=agreed,
        present=["student", "mentor", "supervisor"],
        notes="Rubric overlopen; sterke punten en groeipunten afgesproken.",
    )


def seed(institution) -> None:
    coordinator = Membership.objects.filter(role=Role.COORDINATOR).order_by("pk").first()
    supervisor = Membership.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    if coordinator is None:
        return
    for programme in Programme.objects.all():
        if Rubric.objects.filter(programme=programme).exists():
            continue
        rubric = services.create_rubric(
            actor=coordinator,
            programme=programme,
            name=f"Rubric {programme.name}",
            definition=_definition(programme),
        )
        services.publish_version(actor=coordinator, version=rubric.versions.get())
    if Evaluation.objects.exists():
        return
    placements = list(
        Placement.objects.select_related("programme", "student__user", "mentor__user").order_by("pk")[:6]
    )
    own = next((p for p in placements if p.student.email == f"student@{institution.slug}.demo"), None)
    others = [p for p in placements if p is not own]
    for placement in others[:2]:
        if placement.supervisor_id is None and supervisor is not None:
            placement.supervisor = supervisor
            placement.save(update_fields=["supervisor"])
    if own is not None:
        midterm = services.open_evaluation(actor=coordinator, placement=own, moment="midterm")
        _fill(midterm, Party.MENTOR)
        _fill(midterm, Party.STUDENT, shift=1)
        _meet(coordinator, midterm)
        Evaluation.objects.filter(pk=midterm.pk).update(
            status=Evaluation.Status.CLOSED,
            reflection="Ik leerde gesprekken beter voorbereiden. Volgende periode vraag ik vaker feedback "
            "en noteer ik na elk gesprek wat ik anders wil doen.",
            reflection_at=timezone.now(),
            workplace_rating=4,
        )
        final = services.open_evaluation(actor=coordinator, placement=own, moment="final")
        _fill(final, Party.MENTOR, upto=2)
    for i, placement in enumerate(others[:2]):
        final = services.open_evaluation(actor=coordinator, placement=placement, moment="final")
        _fill(final, Party.MENTOR, shift=i)
        _fill(final, Party.STUDENT, shift=i + 1)
        _meet(coordinator, final)
        services.set_score(
            actor=coordinator, evaluation=final, component_values={"guidance": Decimal(100 - 25 * i)}
        )
        if i == 1:
            services.publish_score(actor=coordinator, evaluation=final)
        midterm = services.open_evaluation(actor=coordinator, placement=placement, moment="midterm")
        _fill(midterm, Party.MENTOR, shift=i)
