"""Writes of the logbook: entries (idempotent for the offline queue), reviews, absences,
sick notes and work accidents. Each checks who may act and records an audit event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation

import filetype
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Competence, LearningObjective, ProfessionalRole
from logbooks import permissions, rules, selectors
from logbooks.models import (
    Absence,
    ClientWrite,
    Entry,
    EntryRevision,
    Incident,
    InsuranceSetting,
    LogbookSettings,
    Review,
    SickNote,
    SickNoteOpening,
)
from placements.models import Placement
from workplaces.models import Site
from wpl import audit
from wpl import permissions as core_permissions
from wpl.errors import ServiceError
from wpl.models import Membership, Role
from wpl.notifications import notify

MAX_SICK_NOTE_BYTES = 5 * 1024 * 1024
SICK_NOTE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_HOURS = Decimal(24)


# Public functions here that are not write services of a person (tests/test_audit_trail.py).
NOT_ACTOR_SERVICES = {
    "check_date": "a pure check of a date against the logbook rules; writes nothing",
    "check_sick_note": "a pure check of an upload's type and size; writes nothing",
    "remind_students_not_logging": "a reminder sweep run by the system; sends notifications only",
    "insurance_fields": "reads the insurer and policy number of a placement",
}


class NotWaitingForReview(ServiceError):
    """Approving an entry that is not waiting (already approved, or sent back to the student)."""

    status = 409


class EntryRejected(ValidationError):
    """An entry broke a rule; `message_dict` holds the translated reasons per field."""


@dataclass
class SaveResult:
    entry: Entry
    created: bool
    replayed: bool = False  # the same client key was already stored: nothing changed


def _snapshot(entry: Entry) -> dict:
    return {
        "date": entry.date.isoformat(),
        "hours": str(entry.hours),
        "start_time": entry.start_time.isoformat() if entry.start_time else None,
        "end_time": entry.end_time.isoformat() if entry.end_time else None,
        "break_minutes": entry.break_minutes,
        "site": entry.site_id,
        "activities": entry.activities,
        "reflection_kind": entry.reflection_kind,
        "reflection": entry.reflection,
        "status": entry.status,
        "objectives": sorted(o.pk for o in entry.objectives.all()),
        "competences": sorted(c.pk for c in entry.competences.all()),
        "roles": sorted(r.pk for r in entry.roles.all()),
    }


def _hours(
    hours: Decimal | str | None, start_time: time | None, end_time: time | None, break_minutes: int | None
) -> Decimal:
    errors = {}
    if start_time and end_time:
        value = rules.hours_between(start_time, end_time, break_minutes)
        if value <= 0:
            errors["end_time"] = _("The end must come after the start (minus the break).")
            raise EntryRejected(errors)
        return value
    if (start_time or end_time) and hours in (None, ""):
        raise EntryRejected({"end_time": _("Give both a start and an end time, or the number of hours.")})
    if hours in (None, ""):
        raise EntryRejected({"hours": _("Give the hours worked, or a start and an end time.")})
    try:
        value = Decimal(str(hours).strip().replace(",", ".")).quantize(rules.TWO_PLACES)
    except (InvalidOperation, ValueError):
        raise EntryRejected({"hours": _("Write the hours as a number, e.g. 7.5.")}) from None
    if value <= 0 or value > MAX_HOURS:
        raise EntryRejected({"hours": _("The hours must be more than 0 and at most 24.")})
    return value


def check_date(ctx: selectors.PlanContext, day: date, *, on: date) -> None:
    """Rules on the date: inside the placement period and not in the future (settings)."""
    settings = ctx.settings
    if not settings.allow_future and day > on:
        raise EntryRejected({"date": _("You cannot log a day in the future.")})
    if settings.only_inside_placement:
        if ctx.start and day < ctx.start:
            raise EntryRejected(
                {
                    "date": _("This day is before your placement starts (%(start)s).")
                    % {"start": ctx.start.strftime("%d/%m/%Y")}
                }
            )
        if ctx.end and day > ctx.end:
            raise EntryRejected(
                {
                    "date": _("This day is after your placement ends (%(end)s).")
                    % {"end": ctx.end.strftime("%d/%m/%Y")}
                }
            )


@transaction.atomic
def save_entry(
    *,
    actor: Membership,
    placement: Placement,
    date: date,
    activities: str,
    hours: Decimal | str | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
    break_minutes: int | None = None,
    site_id: int | None = None,
    reflection: str = "",
    reflection_kind: str = Entry.ReflectionKind.FREE,
    objective_ids: list[int] | tuple = (),
    competence_ids: list[int] | tuple = (),
    role_ids: list[int] | tuple = (),
    client_key: uuid.UUID | str | None = None,
    on: date | None = None,
) -> SaveResult:
    """Write the student's entry for `date`: creates it, or edits the day's entry (one per day).

    With a `client_key` (the phone's UUID for this write) a replay answers the entry the
    key already produced and changes nothing. Editing keeps the previous state as an
    `EntryRevision`. Approved entries are locked (the mentor reopens them for a correction).
    Raises EntryRejected with the translated reason; PermissionDenied for anyone but the student.
    """
    if not permissions.can_write_entry(actor, placement):
        raise PermissionDenied
    key = None
    if client_key:
        try:
            key = uuid.UUID(str(client_key))
        except ValueError:
            raise EntryRejected({"client_key": _("The entry's key is not valid.")}) from None
        done = ClientWrite.objects.filter(key=key).select_related("entry").first()
        if done is not None:
            if done.entry.placement_id != placement.pk:
                raise EntryRejected({"client_key": _("The entry's key is not valid.")})
            return SaveResult(done.entry, created=False, replayed=True)
    on = on or selectors.today()
    activities = (activities or "").strip()
    if not activities:
        raise EntryRejected({"activities": _("Write briefly what you did today.")})
    if reflection_kind not in Entry.ReflectionKind.values:
        reflection_kind = Entry.ReflectionKind.FREE
    ctx = selectors.plan_context(placement)
    check_date(ctx, date, on=on)
    value = _hours(hours, start_time, end_time, break_minutes)
    site = None
    if site_id:
        site = Site.objects.filter(pk=site_id, organisation_id=placement.organisation_id).first()
        if site is None:
            raise EntryRejected({"site": _("Choose a site of your workplace.")})
    entry = Entry.objects.select_for_update().filter(placement=placement, date=date).first()
    created = entry is None
    if entry is not None and entry.is_locked:
        raise EntryRejected(
            {"date": _("This day is approved and locked. Ask your mentor to reopen it for a correction.")}
        )
    if entry is not None:
        EntryRevision.objects.create(
            entry=entry, number=entry.revision, snapshot=_snapshot(entry), changed_by=actor.user
        )
        entry.revision += 1
    else:
        entry = Entry(placement=placement, date=date, created_by=actor.user)
    entry.hours = value
    entry.start_time, entry.end_time = (start_time, end_time) if start_time and end_time else (None, None)
    entry.break_minutes = break_minutes if start_time and end_time else None
    entry.site = site or placement.site
    entry.activities = activities
    entry.reflection = (reflection or "").strip()
    entry.reflection_kind = reflection_kind
    entry.status = Entry.Status.SUBMITTED
    entry.submitted_at = timezone.now()
    entry.flags = ctx.flags(date)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Two devices created the same day at once: the other write won, edit it instead.
        raise EntryRejected(
            {"date": _("This day was just logged from another device. Reload and try again.")}
        ) from None
    entry.objectives.set(
        LearningObjective.objects.filter(
            pk__in=list(objective_ids), unit__programme_id=placement.programme_id
        )
    )
    entry.competences.set(
        Competence.objects.filter(pk__in=list(competence_ids), programme_id=placement.programme_id)
    )
    entry.roles.set(
        ProfessionalRole.objects.filter(pk__in=list(role_ids), programme_id=placement.programme_id)
    )
    if key is not None:
        try:
            with transaction.atomic():
                ClientWrite.objects.create(key=key, entry=entry)
        except IntegrityError:
            # The same key raced in on another request: that one's result stands.
            transaction.set_rollback(True)
            done = ClientWrite.all_tenants.get(institution_id=placement.institution_id, key=key)
            return SaveResult(done.entry, created=False, replayed=True)
    audit.record(
        actor=actor,
        action="logbook.entry.create" if created else "logbook.entry.edit",
        obj=entry,
        summary=f"{placement.student} {date.isoformat()} {value} h",
    )
    return SaveResult(entry, created=created)


# --- reviews -------------------------------------------------------------------------------
def _mentor_entries(actor: Membership):
    if not permissions.is_mentor(actor):
        raise PermissionDenied
    return Entry.objects.visible_to(actor).filter(placement__mentor__user_id=actor.user_id)


def _approve(actor: Membership, qs) -> int:
    now = timezone.now()
    ids = list(qs.filter(status=Entry.Status.SUBMITTED).values_list("pk", flat=True))
    if not ids:
        return 0
    Entry.objects.filter(pk__in=ids).update(
        status=Entry.Status.APPROVED, reviewed_by=actor.user, reviewed_at=now, updated_at=now
    )
    Review.objects.bulk_create(
        [
            Review(
                entry_id=pk,
                action=Review.Action.APPROVE,
                author=actor.user,
                author_role=actor.role,
                institution_id=actor.institution_id,
            )
            for pk in ids
        ]
    )
    audit.record(
        actor=actor,
        action="logbook.entry.approve",
        summary=f"{len(ids)} entries",
        data={"entries": ids[:1000]},
    )
    return len(ids)


@transaction.atomic
def approve_entries(*, actor: Membership, entry_ids: list[int]) -> int:
    """Approve the listed entries waiting for this mentor; returns how many were approved."""
    return _approve(actor, _mentor_entries(actor).filter(pk__in=entry_ids))


@transaction.atomic
def approve_entry(*, actor: Membership, entry: Entry) -> Review:
    """Approve one entry of the mentor's own placement; it is then locked.

    Refused (409) when the entry is not waiting for review: approved already, or sent back
    and not yet changed by the student.
    """
    if not permissions.can_review(actor, entry.placement):
        raise PermissionDenied
    if not _approve(actor, Entry.objects.select_for_update().filter(pk=entry.pk)):
        raise NotWaitingForReview(_("Only an entry waiting for review can be approved."))
    entry.refresh_from_db(fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return Review.objects.filter(entry=entry, action=Review.Action.APPROVE).latest("id")


@transaction.atomic
def approve_week(*, actor: Membership, week_start: date, placement_ids: list[int] | None = None) -> int:
    """Approve every waiting entry of the ISO week starting `week_start` (all students, or some)."""
    monday = week_start - timedelta(days=week_start.weekday())
    qs = _mentor_entries(actor).filter(date__gte=monday, date__lte=monday + timedelta(days=6))
    if placement_ids is not None:
        qs = qs.filter(placement_id__in=placement_ids)
    return _approve(actor, qs)


def _notify_student(entry: Entry, *, key: str, template: str, context: dict) -> None:
    user = entry.placement.student.user
    if user is not None:
        notify(
            recipient=user,
            key=key,
            template=template,
            context={"entry": entry, **context},
            url=reverse("logbook-entry", kwargs={"pk": entry.pk}),
        )


@transaction.atomic
def return_entry(*, actor: Membership, entry: Entry, comment: str) -> Review:
    """Send an entry back with a request to change; the student is told."""
    if not permissions.can_review(actor, entry.placement):
        raise PermissionDenied
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the student should change.")})
    if entry.status == Entry.Status.APPROVED:
        raise ValidationError({"comment": _("This entry is approved; reopen it for a correction instead.")})
    entry.status = Entry.Status.RETURNED
    entry.reviewed_by, entry.reviewed_at = actor.user, timezone.now()
    entry.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    review = Review.objects.create(
        entry=entry, action=Review.Action.RETURN, comment=comment, author=actor.user, author_role=actor.role
    )
    _notify_student(
        entry,
        key=f"logbooks.returned:{entry.pk}:{review.pk}",
        template="logbooks/notifications/returned",
        context={"comment": comment},
    )
    audit.record(actor=actor, action="logbook.entry.return", obj=entry, summary=comment[:200])
    return review


@transaction.atomic
def reopen_entry(*, actor: Membership, entry: Entry, comment: str) -> Review:
    """Unlock an approved entry for a correction; the student's edit then makes a revision."""
    if not permissions.can_review(actor, entry.placement):
        raise PermissionDenied
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what should be corrected.")})
    entry.status = Entry.Status.RETURNED
    entry.save(update_fields=["status", "updated_at"])
    review = Review.objects.create(
        entry=entry, action=Review.Action.REOPEN, comment=comment, author=actor.user, author_role=actor.role
    )
    _notify_student(
        entry,
        key=f"logbooks.returned:{entry.pk}:{review.pk}",
        template="logbooks/notifications/returned",
        context={"comment": comment},
    )
    audit.record(actor=actor, action="logbook.entry.reopen", obj=entry, summary=comment[:200])
    return review


@transaction.atomic
def comment_entry(*, actor: Membership, entry: Entry, comment: str) -> Review:
    """A comment by the mentor, the supervisor or staff; the student is told."""
    if not permissions.can_comment(actor, entry.placement):
        raise PermissionDenied
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})
    review = Review.objects.create(
        entry=entry, action=Review.Action.COMMENT, comment=comment, author=actor.user, author_role=actor.role
    )
    _notify_student(
        entry,
        key=f"logbooks.comment:{entry.pk}:{review.pk}",
        template="logbooks/notifications/comment",
        context={"comment": comment},
    )
    audit.record(actor=actor, action="logbook.entry.comment", obj=entry, summary=comment[:200])
    return review


# --- absences, sick notes, accidents ------------------------------------------------------------
def _coordinators():
    return list(Membership.objects.filter(role=Role.COORDINATOR, is_active=True).select_related("user"))


def check_sick_note(upload) -> tuple[str, bytes]:
    """(content type, bytes) of an upload that really is a PDF, JPEG or PNG of at most 5 MB."""
    if upload.size > MAX_SICK_NOTE_BYTES:
        raise ValidationError({"sick_note": _("The file is larger than 5 MB.")})
    data = upload.read()
    if len(data) > MAX_SICK_NOTE_BYTES:
        raise ValidationError({"sick_note": _("The file is larger than 5 MB.")})
    kind = filetype.guess(data)
    if kind is None or kind.mime not in SICK_NOTE_TYPES:
        raise ValidationError(
            {"sick_note": _("Only a PDF, JPEG or PNG file can be added (checked from its content).")}
        )
    return kind.mime, data


@transaction.atomic
def report_absence(
    *,
    actor: Membership,
    placement: Placement,
    kind: str,
    start_date: date,
    end_date: date,
    hours_per_day: Decimal | None = None,
    reason: str = "",
    sick_note=None,
) -> Absence:
    """The student reports an absence (dates, part days); mentor, supervisor and coordinators are told.

    For sickness only the dates are kept (never a diagnosis: `reason` is dropped).
    """
    if not permissions.can_write_entry(actor, placement):
        raise PermissionDenied
    if kind not in Absence.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of absence.")})
    if end_date < start_date:
        raise ValidationError({"end_date": _("The last day cannot be before the first day.")})
    if (end_date - start_date).days > 366:
        raise ValidationError({"end_date": _("An absence can last at most a year.")})
    mime_data = check_sick_note(sick_note) if sick_note else None
    absence = Absence.objects.create(
        placement=placement,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        hours_per_day=hours_per_day,
        reason="" if kind == Absence.Kind.SICK else (reason or "").strip()[:200],
        reported_by=actor.user,
    )
    if mime_data:
        _store_note(actor, absence, sick_note.name, *mime_data)
    url = reverse("logbook-placement", kwargs={"pk": placement.pk})
    recipients = [m.user for m in _coordinators()]
    if placement.mentor and placement.mentor.user:
        recipients.append(placement.mentor.user)
    if placement.supervisor_id:
        recipients.append(placement.supervisor.user)
    for user in {u.pk: u for u in recipients}.values():
        notify(
            recipient=user,
            key=f"logbooks.absence:{absence.pk}:{user.pk}",
            template="logbooks/notifications/absence",
            context={"absence": absence, "student": placement.student},
            url=url,
        )
    audit.record(actor=actor, action="logbook.absence.report", obj=absence, summary=str(absence))
    return absence


def _store_note(actor: Membership, absence: Absence, name: str, mime: str, data: bytes) -> SickNote:
    SickNote.objects.filter(absence=absence).delete()
    note = SickNote.objects.create(
        absence=absence,
        filename=f"attest-{absence.pk}.{SICK_NOTE_TYPES[mime]}",
        content_type=mime,
        size=len(data),
        data=data,
        uploaded_by=actor.user,
    )
    absence.attest_received = True
    absence.save(update_fields=["attest_received"])
    return note


@transaction.atomic
def add_sick_note(*, actor: Membership, absence: Absence, upload) -> SickNote:
    """The student (or staff) adds the sick note later; it marks the attest as received."""
    if not (permissions.can_write_entry(actor, absence.placement) or permissions.can_open_sick_note(actor)):
        raise PermissionDenied
    mime, data = check_sick_note(upload)
    note = _store_note(actor, absence, upload.name, mime, data)
    audit.record(actor=actor, action="logbook.sicknote.add", obj=absence)
    return note


@transaction.atomic
def set_attest_received(*, actor: Membership, absence: Absence, received: bool) -> None:
    if not permissions.can_open_sick_note(actor):
        raise PermissionDenied
    absence.attest_received = received
    absence.save(update_fields=["attest_received"])
    audit.record(actor=actor, action="logbook.absence.attest", obj=absence, data={"received": received})


@transaction.atomic
def open_sick_note(*, actor: Membership, note: SickNote) -> SickNoteOpening:
    """Record that `actor` opened a sick note (coordinators only); the view then serves it."""
    if not permissions.can_open_sick_note(actor):
        raise PermissionDenied
    opening = SickNoteOpening.objects.create(note=note, user=actor.user, role=actor.role)
    audit.record(actor=actor, action="logbook.sicknote.open", obj=note.absence)
    return opening


@transaction.atomic
def report_incident(*, actor: Membership, placement: Placement, date: date, description: str) -> Incident:
    """A work accident: every coordinator is told at once, with the placement's insurance."""
    if not permissions.can_write_entry(actor, placement):
        raise PermissionDenied
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe briefly what happened.")})
    if date > selectors.today():
        raise ValidationError({"date": _("An accident cannot be in the future.")})
    incident = Incident.objects.create(
        placement=placement, date=date, description=description, reported_by=actor.user
    )
    insurance = InsuranceSetting.for_programme(placement.programme_id)
    for m in _coordinators():
        notify(
            recipient=m.user,
            key=f"logbooks.incident:{incident.pk}:{m.user_id}",
            template="logbooks/notifications/incident",
            context={"incident": incident, "placement": placement, "insurance": insurance},
            url=reverse("logbook-placement", kwargs={"pk": placement.pk}),
        )
    audit.record(actor=actor, action="logbook.incident.report", obj=incident)
    return incident


# --- insurance ----------------------------------------------------------------------------
@transaction.atomic
def save_insurance(
    *,
    actor: Membership,
    insurance: InsuranceSetting | None,
    programme,
    insurer: str,
    policy_number: str,
    contact: str = "",
) -> InsuranceSetting:
    """Create or change the insurance of the institution (programme None) or of one programme.

    One row per programme and one for the whole institution: a second one for the same
    scope is refused. Work accident reports name it at once; new agreements start from it.
    """
    if not core_permissions.is_staff(actor):
        raise PermissionDenied
    insurer, policy_number = insurer.strip(), policy_number.strip()
    if not insurer or not policy_number:
        raise ValidationError(_("Fill in the insurer and the policy number."))
    same_scope = InsuranceSetting.objects.filter(programme=programme)
    if insurance is not None:
        same_scope = same_scope.exclude(pk=insurance.pk)
    if same_scope.exists():
        raise ValidationError(
            {"programme": [_("This programme already has insurance details; change those instead.")]}
        )
    row = insurance or InsuranceSetting()
    row.programme, row.insurer, row.policy_number, row.contact = (
        programme,
        insurer,
        policy_number,
        contact.strip(),
    )
    row.save()
    audit.record(
        actor=actor,
        action="logbook.insurance.save",
        obj=row,
        summary=str(row),
        data={"programme": programme.pk if programme else None},
    )
    return row


@transaction.atomic
def delete_insurance(*, actor: Membership, insurance: InsuranceSetting) -> None:
    if not core_permissions.is_staff(actor):
        raise PermissionDenied
    audit.record(actor=actor, action="logbook.insurance.delete", obj=insurance, summary=str(insurance))
    insurance.delete()


# --- the programme's logbook rules --------------------------------------------------------
@transaction.atomic
def save_logbook_settings(*, actor: Membership, settings: LogbookSettings, data: dict) -> LogbookSettings:
    """Store a programme's logbook rules (`data`: the settings form's cleaned values)."""
    if not permissions.can_edit_settings(actor):
        raise PermissionDenied
    for name, value in data.items():
        setattr(settings, name, value)
    settings.save()
    audit.record(actor=actor, action="logbook.settings.save", obj=settings, summary=str(settings.programme))
    return settings


def insurance_fields(placement) -> dict[str, str]:
    """Insurer and policy number for a placement (registry hook for the agreements app)."""
    row = InsuranceSetting.for_programme(placement.programme_id)
    return {"insurer": row.insurer, "policy_number": row.policy_number} if row else {}


# --- reminders ------------------------------------------------------------------------------
def remind_students_not_logging(now) -> int:
    """The `logbook.gap` sweep (see `logbooks.reminders.remind_not_logged`)."""
    from logbooks.reminders import remind_not_logged

    return remind_not_logged(now)
