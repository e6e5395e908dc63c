"""Matching rounds: preferences, visits, ratings, the board, proposals and year-2 changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import Programme
from students.models import Student
from workplaces.models import Organisation, PlacementOffer
from wpl.tenancy import TenantModel, TenantQuerySet, scoped_managers
from wpl.validators import academic_year_validator


class RoundQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from matching import permissions

        return permissions.visible_rounds(self, membership)


class MatchingRound(TenantModel):
    """Exploration and matching for one programme, year and academic year, with deadlines."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for preferences")
        MATCHING = "matching", _("Matching")
        PUBLISHED = "published", _("Published")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    year = models.PositiveSmallIntegerField(_("programme year"), default=1)
    name = models.CharField(_("name"), max_length=200)
    preferences_deadline = models.DateTimeField(_("students' preferences due"), null=True, blank=True)
    ratings_deadline = models.DateTimeField(_("workplaces' ratings due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices per student"), default=5)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # A follow-up round matches the students a published round left unplaced to the offers
    # with places left; its placements add to the earlier ones.
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )

    objects, all_tenants = scoped_managers(RoundQuerySet)

    class Meta:
        ordering = ["-academic_year", "programme__name", "year", "id"]
        constraints = [
            # One first round per programme, year and academic year; follow-up rounds add to it.
            models.UniqueConstraint(
                fields=["institution", "programme", "academic_year", "year"],
                condition=Q(follow_up_of__isnull=True),
                name="round_unique_per_year",
            )
        ]
        verbose_name = _("matching round")
        verbose_name_plural = _("matching rounds")

    def __str__(self) -> str:
        return self.name

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up_of_id is not None


class RoundChildQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from matching import permissions

        return permissions.visible_round_rows(self, membership)


class StudentPreference(TenantModel):
    """A student's ranked choice of an offer in a round, with a short motivation."""

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="preferences")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="preferences")
    offer = models.ForeignKey(PlacementOffer, on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField(_("rank"))
    motivation = models.TextField(_("motivation"), blank=True)

    objects, all_tenants = scoped_managers(RoundChildQuerySet)

    class Meta:
        ordering = ["round", "student", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "student", "offer"], name="preference_unique_offer"),
            models.UniqueConstraint(fields=["round", "student", "rank"], name="preference_unique_rank"),
        ]
        verbose_name = _("student preference")
        verbose_name_plural = _("student preferences")

    def __str__(self) -> str:
        return f"{self.student} #{self.rank}: {self.offer}"


class WorkplaceVisit(TenantModel):
    """A visit or introductory interview (kennismakingsgesprek) a student records."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        INTERVIEW = "interview", _("Introductory interview")

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="visits")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="visits")
    offer = models.ForeignKey(PlacementOffer, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VISIT)
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)

    objects, all_tenants = scoped_managers(RoundChildQuerySet)

    class Meta:
        ordering = ["round", "student", "date"]
        verbose_name = _("workplace visit")
        verbose_name_plural = _("workplace visits")

    def __str__(self) -> str:
        return f"{self.student} · {self.offer} · {self.date}"


class CandidateRating(TenantModel):
    """A workplace's view of a candidate it met: yes / maybe / no, optional ranking."""

    class Verdict(models.TextChoices):
        YES = "yes", _("Yes")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("No")  # the workplace will not take this student

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="ratings")
    offer = models.ForeignKey(PlacementOffer, on_delete=models.CASCADE, related_name="ratings")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="ratings")
    verdict = models.CharField(_("verdict"), max_length=5, choices=Verdict.choices)
    rank = models.PositiveSmallIntegerField(_("ranking"), null=True, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects, all_tenants = scoped_managers(RoundChildQuerySet)

    class Meta:
        ordering = ["round", "offer", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "offer", "student"], name="rating_unique_candidate")
        ]
        verbose_name = _("candidate rating")
        verbose_name_plural = _("candidate ratings")

    def __str__(self) -> str:
        return f"{self.offer}: {self.student} {self.verdict}"


class Assignment(TenantModel):
    """The board: a student assigned to an offer in a round (one per student), maybe locked."""

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="assignments")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="assignments")
    offer = models.ForeignKey(PlacementOffer, on_delete=models.CASCADE, related_name="assignments")
    locked = models.BooleanField(_("locked"), default=False)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects, all_tenants = scoped_managers(RoundChildQuerySet)

    class Meta:
        ordering = ["round", "student"]
        constraints = [
            # Two coordinators assigning the same student: the database lets only one win.
            models.UniqueConstraint(fields=["round", "student"], name="assignment_unique_student")
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.student} → {self.offer}"


class AssignmentChange(TenantModel):
    """Audit trail of the board: who changed which assignment when, before and after."""

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="changes")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="assignment_changes")
    before_offer = models.ForeignKey(
        PlacementOffer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    after_offer = models.ForeignKey(
        PlacementOffer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    before_locked = models.BooleanField(default=False)
    after_locked = models.BooleanField(default=False)
    action = models.CharField(_("action"), max_length=30)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(RoundChildQuerySet)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment changes")

    def __str__(self) -> str:
        return f"{self.action}: {self.student}"


class MatchingProposal(TenantModel):
    """A computed proposal (deferred acceptance or minimum total rank) with its lottery seed."""

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="proposals")
    mode = models.CharField(_("mode"), max_length=30)
    seed = models.BigIntegerField(_("lottery seed"))
    # {"assignment": {student_id: offer_id|null}, "reasons": {...}, "rank_distribution": {...}}
    result = models.JSONField(_("result"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects, all_tenants = scoped_managers(RoundChildQuerySet)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("matching proposal")
        verbose_name_plural = _("matching proposals")

    def __str__(self) -> str:
        return f"{self.round} · {self.mode} · seed {self.seed}"


class WorkplaceChangeQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from matching import permissions

        return permissions.visible_workplace_changes(self, membership)

    def fully_agreed(self):
        return self.filter(
            agreed_by_student_at__isnull=False,
            agreed_by_mentor_at__isnull=False,
            agreed_by_supervisor_at__isnull=False,
        )


class WorkplaceChange(TenantModel):
    """A student leaves their workplace for a new programme year; needs all three parties' agreement."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="workplace_changes")
    # The academic year from which the student works elsewhere.
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("current workplace")
    )
    to_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new workplace"),
    )
    reason = models.TextField(_("reason"))
    agreed_by_student_at = models.DateField(_("student agreed on"), null=True, blank=True)
    agreed_by_mentor_at = models.DateField(_("mentor agreed on"), null=True, blank=True)
    agreed_by_supervisor_at = models.DateField(_("supervisor agreed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects, all_tenants = scoped_managers(WorkplaceChangeQuerySet)

    class Meta:
        ordering = ["-academic_year", "student__last_name", "student__first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year"], name="workplace_change_unique_student_year"
            )
        ]
        verbose_name = _("workplace change")
        verbose_name_plural = _("workplace changes")

    def __str__(self) -> str:
        return (
            f"{self.student}: {self.from_organisation} → {self.to_organisation or '?'} ({self.academic_year})"
        )

    @property
    def is_fully_agreed(self) -> bool:
        return bool(self.agreed_by_student_at and self.agreed_by_mentor_at and self.agreed_by_supervisor_at)
