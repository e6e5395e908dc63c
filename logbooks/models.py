"""The daily logbook: entries per WPL day, the mentor's reviews, absences and incidents.

Every model is tenant-owned (an entry stays in the institution of its placement, also for
a mentor who works for two institutions). Visibility follows the placement: whoever sees a
placement (`placements.permissions.visible_placements`) sees its logbook, except sick notes,
which only staff may open (see `logbooks.permissions`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wpl.tenancy import TenantModel, TenantQuerySet


def scoped_managers(queryset_class):
    from wpl.tenancy import TenantManager, UnscopedManager

    return (
        TenantManager.from_queryset(queryset_class)(),
        UnscopedManager.from_queryset(queryset_class)(),
    )


class _PlacementChildQuerySet(TenantQuerySet):
    """Rows hanging off a placement: visible to whoever sees the placement."""

    placement_path = "placement"

    def visible_to(self, membership):
        from logbooks import permissions

        return permissions.visible_by_placement(self, membership, self.placement_path)


class SchoolSettingQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from wpl import permissions

        return self if permissions.is_school(membership) else self.none()


class LogbookSettings(TenantModel):
    """The logbook rules of one programme (defaults from the WPL guide, editable per programme).

    Without a saved row `LogbookSettings.for_programme()` returns an unsaved one with the
    defaults, so every programme has rules from day one.
    """

    programme = models.OneToOneField(
        "catalogue.Programme", on_delete=models.CASCADE, related_name="logbook_settings"
    )
    only_inside_placement = models.BooleanField(_("entries only inside the placement period"), default=True)
    allow_future = models.BooleanField(_("entries for days in the future"), default=False)
    full_day_min_hours = models.DecimalField(
        _("a full day counts at least (hours)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("7.50"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(24))],
    )
    day_max_hours = models.DecimalField(
        _("hours counted per day at most"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("8.00"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(24))],
    )
    # The sources: work on a Sunday or public holiday counts single (factor 1).
    sunday_holiday_factor = models.DecimalField(
        _("factor for Sunday and public-holiday work"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("3"))],
    )
    flag_outside_weekdays = models.BooleanField(_("flag days outside the agreed weekdays"), default=True)
    flag_school_holidays = models.BooleanField(_("flag days in a school holiday"), default=True)
    behind_threshold_percent = models.PositiveSmallIntegerField(
        _("behind when this many percent under plan"),
        default=10,
        validators=[MaxValueValidator(100)],
    )
    not_logged_wpl_days = models.PositiveSmallIntegerField(
        _("remind after this many WPL days without an entry"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    review_backlog_days = models.PositiveSmallIntegerField(
        _("mentor backlog: entries waiting longer than (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )

    objects, all_tenants = scoped_managers(SchoolSettingQuerySet)

    class Meta:
        verbose_name = _("logbook settings")
        verbose_name_plural = _("logbook settings")

    def __str__(self) -> str:
        return f"{self.programme}"

    @classmethod
    def for_programme(cls, programme) -> LogbookSettings:
        found = cls.objects.filter(programme_id=programme.pk).first()
        return found or cls(programme=programme, institution_id=programme.institution_id)

    @classmethod
    def for_programmes(cls, programme_ids) -> dict[int, LogbookSettings]:
        """Settings per programme id (one query); missing ones get the defaults."""
        found = {s.programme_id: s for s in cls.objects.filter(programme_id__in=set(programme_ids))}
        return {pid: found.get(pid) or cls(programme_id=pid) for pid in set(programme_ids)}


class InsuranceSetting(TenantModel):
    """The work-accident insurance of an institution (optionally per programme).

    Minimal on purpose: insurer and policy number, shown on a work accident report. A row
    without a programme applies to every programme of the institution. (The agreements
    area may later own insurance; until then it lives here.)
    """

    programme = models.ForeignKey(
        "catalogue.Programme",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: for every programme."),
    )
    insurer = models.CharField(_("insurer"), max_length=200)
    policy_number = models.CharField(_("policy number"), max_length=100)
    contact = models.CharField(_("contact for claims"), max_length=200, blank=True)

    objects, all_tenants = scoped_managers(SchoolSettingQuerySet)

    class Meta:
        verbose_name = _("insurance")
        verbose_name_plural = _("insurance")

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"

    @classmethod
    def for_programme(cls, programme_id: int) -> InsuranceSetting | None:
        rows = list(
            cls.objects.filter(models.Q(programme_id=programme_id) | models.Q(programme__isnull=True))
        )
        rows.sort(key=lambda r: r.programme_id is None)  # the programme's own first
        return rows[0] if rows else None


class EntryQuerySet(_PlacementChildQuerySet):
    pass


class Entry(TenantModel):
    """One WPL day in a student's logbook: hours, site, activities, what it touched, reflection."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        RETURNED = "returned", _("Sent back")
        APPROVED = "approved", _("Approved")

    class ReflectionKind(models.TextChoices):
        FREE = "free", _("Free text")
        STARR = "starr", _("STARR")

    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.CASCADE, related_name="logbook_entries"
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    start_time = models.TimeField(_("start"), null=True, blank=True)
    end_time = models.TimeField(_("end"), null=True, blank=True)
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), null=True, blank=True)
    site = models.ForeignKey(
        "workplaces.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activities = models.TextField(_("activities"))
    objectives = models.ManyToManyField("catalogue.LearningObjective", blank=True, related_name="+")
    competences = models.ManyToManyField("catalogue.Competence", blank=True, related_name="+")
    roles = models.ManyToManyField("catalogue.ProfessionalRole", blank=True, related_name="+")
    reflection_kind = models.CharField(
        _("reflection"), max_length=10, choices=ReflectionKind.choices, default=ReflectionKind.FREE
    )
    reflection = models.TextField(_("reflection"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # Why the mentor should look twice: "outside_weekdays", "school_holiday", "sunday", "public_holiday".
    flags = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects, all_tenants = scoped_managers(EntryQuerySet)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "date"], name="logbook_entry_one_per_day"),
        ]
        indexes = [models.Index(fields=["institution", "status", "date"])]
        verbose_name = _("logbook entry")
        verbose_name_plural = _("logbook entries")

    def __str__(self) -> str:
        return f"{self.placement_id} {self.date}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class ClientWriteQuerySet(_PlacementChildQuerySet):
    placement_path = "entry__placement"


class ClientWrite(TenantModel):
    """A write sent by a phone with its client-generated key: replaying it changes nothing.

    The unique (institution, key) makes the offline queue's POST idempotent, also when the
    phone sends the same entry twice because the first answer was lost.
    """

    key = models.UUIDField()
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="client_writes")
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(ClientWriteQuerySet)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "key"], name="logbook_client_key_unique")
        ]


class RevisionQuerySet(_PlacementChildQuerySet):
    placement_path = "entry__placement"


class EntryRevision(TenantModel):
    """The state of an entry before a change: the history an approved or reviewed entry keeps."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(RevisionQuerySet)

    class Meta:
        ordering = ["entry", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="logbook_revision_unique")]


class ReviewQuerySet(_PlacementChildQuerySet):
    placement_path = "entry__placement"


class Review(TenantModel):
    """One step of the review of an entry: approved, sent back (with the request) or a comment."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Sent back")
        COMMENT = "comment", _("Comment")
        REOPEN = "reopen", _("Reopened for correction")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=10, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_role = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(ReviewQuerySet)

    class Meta:
        ordering = ["created_at", "id"]


class AbsenceQuerySet(_PlacementChildQuerySet):
    pass


class Absence(TenantModel):
    """A reported absence: dates and part days only, never a diagnosis."""

    class Kind(models.TextChoices):
        SICK = "sick", _("Sick")
        OTHER = "other", _("Other absence")

    placement = models.ForeignKey("placements.Placement", on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SICK)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    # Empty: whole days; otherwise the hours missed on each day (a part day).
    hours_per_day = models.DecimalField(
        _("hours missed per day (part day)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal(24))],
    )
    reason = models.CharField(
        _("reason (not for sickness)"), max_length=200, blank=True, help_text=_("Never a diagnosis.")
    )
    attest_received = models.BooleanField(_("attest received"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(AbsenceQuerySet)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}–{self.end_date}"


class SickNoteQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from logbooks import permissions

        return permissions.visible_sick_notes(self, membership)


class SickNote(TenantModel):
    """The sick note of an absence (PDF/JPEG/PNG, at most 5 MB): staff only may open it.

    Stored in the database so it can only ever be served through the recorded view.
    """

    absence = models.OneToOneField(Absence, on_delete=models.CASCADE, related_name="sick_note")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(SickNoteQuerySet)


class SickNoteOpeningQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from wpl import permissions

        return self if permissions.is_staff(membership) else self.none()


class SickNoteOpening(TenantModel):
    """Who opened a sick note and when (shown to the coordinator)."""

    note = models.ForeignKey(SickNote, on_delete=models.CASCADE, related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    role = models.CharField(max_length=20)
    opened_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(SickNoteOpeningQuerySet)

    class Meta:
        ordering = ["-opened_at"]


class IncidentQuerySet(_PlacementChildQuerySet):
    pass


class Incident(TenantModel):
    """A work accident report; it goes to the coordinators at once with the insurance details."""

    placement = models.ForeignKey("placements.Placement", on_delete=models.CASCADE, related_name="incidents")
    date = models.DateField(_("date of the accident"))
    description = models.TextField(_("what happened"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(IncidentQuerySet)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("work accident")
        verbose_name_plural = _("work accidents")
