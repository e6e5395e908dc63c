"""Evaluations (002_…txt): rubrics, the mentor's and the student's assessment, the evaluation
meeting, the school's score and the student's reflection.

- A `Rubric` belongs to a programme (optionally one WPL unit) and has numbered
  `RubricVersion`s. A published version never changes: editing it makes a new draft, and
  an `Evaluation` keeps the version it was filled with.
- A version has `PerformanceLevel`s (with points) and `Criterion`s (with a weight, links to
  a competence / learning objective / professional role, and one descriptor per level).
  Texts are JSON objects per language: ``{"nl": "...", "fr": "...", "en": "..."}``.
- An `Evaluation` is one moment (e.g. mid-term, final) of one placement. `CriterionScore`
  rows hold a level, a comment and evidence per criterion and party: the mentor's
  assessment, the student's self-assessment and the version agreed in the meeting, side by
  side (never averaged).
- `EvaluationSettings` per programme: the moments, who sees what when, and the score
  procedure (points per level, weights, other agreements such as attending mandatory
  guidance moments).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from wpl.tenancy import TenantModel, TenantQuerySet, scoped_managers

LANGUAGES = ("nl", "fr", "en")


def tr(value, language: str | None = None) -> str:
    """The text of a translation object in `language` (else Dutch, else any), "" when empty."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    language = (language or translation.get_language() or "nl")[:2]
    for lang in (language, "nl", *LANGUAGES):
        text = value.get(lang)
        if text:
            return str(text)
    return ""


class Party(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    STUDENT = "student", _("Student (self-evaluation)")
    AGREED = "agreed", _("Agreed in the meeting")


class Reveal(models.TextChoices):
    """When the other party's assessment becomes visible."""

    SUBMITTED = "submitted", _("as soon as it is submitted")
    MEETING = "meeting", _("after the evaluation meeting")
    PUBLISHED = "published", _("after the score is published")


DEFAULT_MOMENTS = [
    {
        "key": "midterm",
        "label": {
            "nl": "Tussentijdse evaluatie",
            "fr": "Évaluation intermédiaire",
            "en": "Mid-term evaluation",
        },
        "scored": False,
    },
    {
        "key": "final",
        "label": {"nl": "Eindevaluatie", "fr": "Évaluation finale", "en": "Final evaluation"},
        "scored": True,
    },
]

DEFAULT_COMPONENTS = [
    {
        "key": "guidance",
        "label": {
            "nl": "Aanwezig op verplichte begeleidingsmomenten",
            "fr": "Présence aux moments d'accompagnement obligatoires",
            "en": "Attended the mandatory guidance moments",
        },
        "share_pct": 10,
    },
]


class ProgrammeChildQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from wpl import permissions

        return self if permissions.is_school(membership) else self.none()


class EvaluationSettings(TenantModel):
    """A programme's evaluation rules: moments, visibility and the score procedure.

    Without a saved row `for_programme()` answers an unsaved one with the defaults (mid-term
    and final moment; the student sees the mentor's rubric after the meeting; score on 20,
    90 % rubric and 10 % attendance of the mandatory guidance moments).
    """

    programme = models.OneToOneField(
        "catalogue.Programme", on_delete=models.CASCADE, related_name="evaluation_settings"
    )
    # [{"key": "midterm", "label": {"nl": ..}, "scored": false}, ...]
    moments = models.JSONField(_("evaluation moments"), default=list, blank=True)
    student_sees_mentor = models.CharField(
        _("the student sees the mentor's assessment"),
        max_length=12,
        choices=Reveal.choices,
        default=Reveal.MEETING,
    )
    mentor_sees_student = models.CharField(
        _("the mentor sees the student's self-evaluation"),
        max_length=12,
        choices=Reveal.choices,
        default=Reveal.SUBMITTED,
    )
    max_score = models.DecimalField(
        _("score out of"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(20),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(1000))],
    )
    rubric_share_pct = models.PositiveSmallIntegerField(
        _("share of the rubric in the score (%)"), default=90, validators=[MaxValueValidator(100)]
    )
    # Other agreements that count: [{"key": "guidance", "label": {...}, "share_pct": 10}]
    components = models.JSONField(_("other agreements that count"), default=list, blank=True)

    objects, all_tenants = scoped_managers(ProgrammeChildQuerySet)

    class Meta:
        verbose_name = _("evaluation settings")
        verbose_name_plural = _("evaluation settings")

    def __str__(self) -> str:
        return f"{self.programme_id}"

    @classmethod
    def for_programme(cls, programme) -> EvaluationSettings:
        found = cls.objects.filter(programme_id=programme.pk).first()
        return found or cls.defaults(programme)

    @classmethod
    def defaults(cls, programme) -> EvaluationSettings:
        return cls(
            programme=programme,
            institution_id=programme.institution_id,
            moments=[dict(m) for m in DEFAULT_MOMENTS],
            components=[dict(c) for c in DEFAULT_COMPONENTS],
        )

    def moment(self, key: str) -> dict | None:
        return next((m for m in self.moments or DEFAULT_MOMENTS if m.get("key") == key), None)

    def moment_label(self, key: str) -> str:
        found = self.moment(key)
        return tr(found["label"]) if found else key


class RubricQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        """Rubrics are the school's instrument; the people who fill them read their version."""
        from wpl import permissions

        if membership is None:
            return self.none()
        if permissions.is_school(membership):
            return self
        return self.none()


class Rubric(TenantModel):
    """A rubric of a programme (or one WPL unit of it): the evaluation instrument, in versions."""

    programme = models.ForeignKey("catalogue.Programme", on_delete=models.CASCADE, related_name="rubrics")
    wpl_unit = models.ForeignKey(
        "catalogue.WplUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rubrics",
        verbose_name=_("WPL unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(RubricQuerySet)

    class Meta:
        ordering = ["programme", "name", "id"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return self.name


class VersionQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from wpl import permissions

        if permissions.is_school(membership):
            return self
        # Mentors and students read the version of an evaluation they take part in.
        return self.filter(evaluations__in=Evaluation.objects.visible_to(membership)).distinct()

    def published(self):
        return self.filter(status=RubricVersion.Status.PUBLISHED)


class RubricVersion(TenantModel):
    """One version of a rubric. Published versions are frozen; evaluations point at one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Replaced")

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.JSONField(_("title"), default=dict)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(VersionQuerySet)

    class Meta:
        ordering = ["rubric", "-number"]
        constraints = [models.UniqueConstraint(fields=["rubric", "number"], name="rubric_version_unique")]
        verbose_name = _("rubric version")
        verbose_name_plural = _("rubric versions")

    def __str__(self) -> str:
        return f"{tr(self.title) or self.rubric_id} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


class LevelQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self.filter(version__in=RubricVersion.objects.visible_to(membership))


class PerformanceLevel(TenantModel):
    """A performance level of a version (e.g. "onvoldoende" … "uitstekend") and its points."""

    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="levels")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.JSONField(_("label"), default=dict)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=Decimal(0))

    objects, all_tenants = scoped_managers(LevelQuerySet)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("performance level")
        verbose_name_plural = _("performance levels")

    def __str__(self) -> str:
        return tr(self.label)


class Criterion(TenantModel):
    """A criterion of a version: weight, links to the catalogue, a descriptor per level.

    `descriptors` is a list aligned with the version's levels (by order), each a
    translation object.
    """

    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.JSONField(_("criterion"), default=dict)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )
    competence = models.ForeignKey(
        "catalogue.Competence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    objective = models.ForeignKey(
        "catalogue.LearningObjective", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role = models.ForeignKey(
        "catalogue.ProfessionalRole", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    descriptors = models.JSONField(default=list, blank=True)

    objects, all_tenants = scoped_managers(LevelQuerySet)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return tr(self.title)

    def descriptor(self, index: int) -> str:
        return tr(self.descriptors[index]) if 0 <= index < len(self.descriptors) else ""


class PhraseQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from wpl import permissions

        if permissions.is_school(membership):
            return self
        # The people who fill a rubric use its comment bank.
        return self.filter(
            rubric__versions__evaluations__in=Evaluation.objects.visible_to(membership)
        ).distinct()


class CommentPhrase(TenantModel):
    """A phrase of a rubric's comment bank that a mentor inserts and adapts."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="phrases")
    text = models.CharField(_("phrase"), max_length=500)
    language = models.CharField(_("language"), max_length=2, default="nl")
    order = models.PositiveSmallIntegerField(default=0)

    objects, all_tenants = scoped_managers(PhraseQuerySet)

    class Meta:
        ordering = ["rubric", "order", "id"]
        verbose_name = _("comment phrase")
        verbose_name_plural = _("comment phrases")

    def __str__(self) -> str:
        return self.text[:60]


class EvaluationQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        """Staff all; the placement's supervisor, mentor and student their own; nobody else."""
        from placements.models import Placement
        from wpl import permissions
        from wpl.models import Role

        if membership is None:
            return self.none()
        if permissions.is_staff(membership):
            return self
        if membership.role not in (Role.SUPERVISOR, Role.MENTOR, Role.STUDENT):
            return self.none()
        return self.filter(placement__in=Placement.objects.visible_to(membership))


class Evaluation(TenantModel):
    """One evaluation moment of one placement, filled with one rubric version.

    Phases: the mentor and the student fill (qualitative), the meeting records the agreed
    version and who was present, the supervisor scores and publishes (quantitative), the
    student's reflection closes it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Being filled in")
        MET = "met", _("Meeting held")
        SCORED = "scored", _("Score ready")
        PUBLISHED = "published", _("Score published")
        CLOSED = "closed", _("Closed with reflection")

    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.CASCADE, related_name="evaluations"
    )
    moment = models.CharField(_("moment"), max_length=40)
    # Whether the moment counts for the score (the programme's setting, kept here so lists and
    # start pages can filter on it; `services.save_settings` keeps it in step until the score).
    scored = models.BooleanField(_("gets a score"), default=True)
    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="evaluations")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    mentor_submitted_at = models.DateTimeField(null=True, blank=True)
    student_submitted_at = models.DateTimeField(null=True, blank=True)
    # The meeting
    meeting_at = models.DateTimeField(_("meeting held on"), null=True, blank=True)
    present = models.JSONField(_("present"), default=list, blank=True)  # ["student", "mentor", ...]
    present_others = models.CharField(_("others present"), max_length=300, blank=True)
    meeting_notes = models.TextField(_("notes of the meeting"), blank=True)
    # The score: what the procedure computed and what the supervisor set (both kept).
    component_values = models.JSONField(default=dict, blank=True)  # {"guidance": 80}
    computed_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    final_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    override_reason = models.TextField(_("reason for the change"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The reflection
    reflection = models.TextField(_("reflection"), blank=True)
    reflection_at = models.DateTimeField(null=True, blank=True)
    # The student's rating of the workplace (fed to the quality data per workplace).
    workplace_rating = models.PositiveSmallIntegerField(
        _("rating of the workplace"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    workplace_comment = models.TextField(_("comment on the workplace"), blank=True)

    objects, all_tenants = scoped_managers(EvaluationQuerySet)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "moment"], name="evaluation_one_per_moment"),
        ]
        indexes = [models.Index(fields=["institution", "status"], name="evaluation_status")]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.placement_id} · {self.moment}"

    def submitted_at(self, party: str):
        return {Party.MENTOR: self.mentor_submitted_at, Party.STUDENT: self.student_submitted_at}.get(party)


def _reveal_q(prefix: str, field: str, default: str) -> Q:
    """Rows of a party are revealed when the programme's rule (or its default) is met."""
    setting = f"evaluation__placement__programme__evaluation_settings__{field}"
    when = {
        Reveal.SUBMITTED: Q(**{f"evaluation__{prefix}_submitted_at__isnull": False}),
        Reveal.MEETING: Q(evaluation__meeting_at__isnull=False),
        Reveal.PUBLISHED: Q(evaluation__published_at__isnull=False),
    }
    q = Q(**{f"{setting}__isnull": True}) & when[default]
    for rule, condition in when.items():
        q |= Q(**{setting: rule}) & condition
    return q


class ScoreQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        """Each party's rows: the author always; the other party by the programme's rule;
        the school once submitted; the agreed version once the meeting is recorded."""
        from wpl import permissions
        from wpl.models import Role

        base = self.filter(evaluation__in=Evaluation.objects.visible_to(membership))
        agreed = Q(party=Party.AGREED, evaluation__meeting_at__isnull=False)
        if permissions.is_school(membership):
            return base.filter(
                agreed
                | Q(party=Party.MENTOR, evaluation__mentor_submitted_at__isnull=False)
                | Q(party=Party.STUDENT, evaluation__student_submitted_at__isnull=False)
            )
        if membership.role == Role.STUDENT:
            return base.filter(
                agreed
                | Q(party=Party.STUDENT)
                | (
                    Q(party=Party.MENTOR, evaluation__mentor_submitted_at__isnull=False)
                    & _reveal_q("mentor", "student_sees_mentor", Reveal.MEETING)
                )
            )
        if membership.role == Role.MENTOR:
            return base.filter(
                agreed
                | Q(party=Party.MENTOR)
                | (
                    Q(party=Party.STUDENT, evaluation__student_submitted_at__isnull=False)
                    & _reveal_q("student", "mentor_sees_student", Reveal.SUBMITTED)
                )
            )
        return base.none()


class CriterionScore(TenantModel):
    """One party's level, comment and evidence for one criterion of an evaluation.

    `evidence` lists references such as ``"logbook:123"`` offered by the evidence
    providers registered in `wpl.registry` (the logbook app offers its entries), checked
    against the placement when saved.
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    party = models.CharField(_("by"), max_length=10, choices=Party.choices)
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    level = models.ForeignKey(
        PerformanceLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects, all_tenants = scoped_managers(ScoreQuerySet)

    class Meta:
        ordering = ["evaluation", "criterion__order", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "party", "criterion"], name="criterion_score_unique"
            ),
        ]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.party} {self.criterion_id}"
