"""Meetings of a placement: start meeting, trialogues, supervision, visits, evaluation.

Every meeting carries a stable iCalendar UID and a SEQUENCE that grows with each change,
so calendar programs update (or cancel) the event they already have instead of adding one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wpl.tenancy import TenantManager, TenantModel, TenantQuerySet, UnscopedManager


def scoped_managers(queryset_class):
    return TenantManager.from_queryset(queryset_class)(), UnscopedManager.from_queryset(queryset_class)()


class Kind(models.TextChoices):
    START = "start", _("Start meeting")
    TRIALOGUE = "trialogue", _("Trialogue")
    SUPERVISION = "supervision", _("Supervision meeting")
    VISIT = "visit", _("Workplace visit")
    EVALUATION = "evaluation", _("Evaluation meeting")
    MENTOR_DAY = "mentor_day", _("Mentor start day")
    MATCHING_SESSION = "matching_session", _("Matching session")


# Who takes part in each kind of meeting of a placement.
PARTICIPANT_ROLES: dict[str, tuple[str, ...]] = {
    Kind.START: ("student", "mentor", "supervisor"),
    Kind.TRIALOGUE: ("student", "mentor", "supervisor"),
    Kind.SUPERVISION: ("student", "supervisor"),
    Kind.VISIT: ("student", "mentor", "supervisor"),
    Kind.EVALUATION: ("student", "mentor", "supervisor"),
    Kind.MENTOR_DAY: (),
    Kind.MATCHING_SESSION: (),
}

# The sources' minimum per school year when a programme sets nothing else.
DEFAULT_REQUIRED = {
    Kind.START: 1,
    Kind.TRIALOGUE: 4,
    Kind.SUPERVISION: 4,
    Kind.VISIT: 1,
    Kind.EVALUATION: 1,
}


class MeetingTypeQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from catalogue import permissions
        from catalogue.models import Programme

        return self.filter(programme__in=permissions.visible_programmes(Programme.objects.all(), membership))


class MeetingType(TenantModel):
    """How many meetings of a kind a programme requires per school year, and how long they last."""

    programme = models.ForeignKey(
        "catalogue.Programme", on_delete=models.CASCADE, related_name="meeting_types"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    required_per_year = models.PositiveSmallIntegerField(_("required per year"), default=1)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)

    objects, all_tenants = scoped_managers(MeetingTypeQuerySet)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "kind"], name="meeting_type_unique_kind")]
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")

    def __str__(self) -> str:
        return f"{self.programme} · {self.get_kind_display()}"


class MeetingQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        """Meetings of the placements this membership sees, and any meeting they take part in."""
        from placements.models import Placement

        return self.filter(
            Q(placement__in=Placement.objects.visible_to(membership))
            | Q(participants__user_id=membership.user_id)
        ).distinct()


class Meeting(TenantModel):
    """One meeting: of a placement, or (placement empty) an event such as the mentor start day."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.CASCADE, null=True, blank=True, related_name="meetings"
    )
    # A part of a larger event, e.g. the matching session of a mentor start day.
    part_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="sessions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Minutes
    notes = models.TextField(_("notes"), blank=True)
    minutes_at = models.DateTimeField(null=True, blank=True)
    opens_plan_revision = models.BooleanField(_("opens a revision of the learning plan"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(MeetingQuerySet)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["institution", "starts_at"], name="meeting_start")]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"


class ParticipantQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self.filter(meeting__in=Meeting.objects.visible_to(membership))


class Participant(TenantModel):
    """A person invited to a meeting and their answer; `attended` is filled in the minutes."""

    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        PROPOSED = "proposed", _("Proposed another time")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    role = models.CharField(_("role"), max_length=20)
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    proposed_start = models.DateTimeField(_("proposed time"), null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    objects, all_tenants = scoped_managers(ParticipantQuerySet)

    class Meta:
        ordering = ["id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.name} · {self.meeting_id}"


class ActionQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        return self.filter(
            Q(meeting__in=Meeting.objects.visible_to(membership)) | Q(owner_id=membership.user_id)
        )

    def open(self):
        return self.filter(done_at__isnull=True)


class Action(TenantModel):
    """An action agreed in a meeting's minutes, with its owner and due date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(null=True, blank=True)

    objects, all_tenants = scoped_managers(ActionQuerySet)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")

    def __str__(self) -> str:
        return self.description


class CalendarFeed(models.Model):
    """A person's secret calendar feed address; only a hash of the token is stored.

    Not tenant-owned: one feed per person lists their meetings in every institution they
    belong to (each filtered by that membership). Regenerating replaces the hash, which
    revokes the old address.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed {self.user_id}"
