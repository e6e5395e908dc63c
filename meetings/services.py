"""Writes of the meetings area: plan, change, cancel, answer, minutes.

Every change to a planned meeting raises its SEQUENCE and sends each participant a new
iCalendar invitation through `wpl.notifications.notify()` (one per participant and
sequence, so a retried task never sends one twice).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import ics
from meetings.models import PARTICIPANT_ROLES, Action, Kind, Meeting, MeetingType, Participant
from wpl import audit, registry
from wpl.audit import audited
from wpl.models import Membership, User
from wpl.notifications import absolute_url, notify, recipient_key

# Public functions here that are not write services of a person (tests/test_audit_trail.py).
NOT_ACTOR_SERVICES = {
    "duration_for": "reads a meeting type's length",
    "send_invitations": "sends the invitations inside write services, which record the event",
    "respond_token": "signs a link; stores nothing",
    "read_respond_token": "reads a signed link",
    "feed_owner": "reads whose calendar feed a token opens",
}

RESPOND_SALT = "meetings.respond"
RESPOND_MAX_AGE = 60 * 60 * 24 * 60  # an invitation link works for 60 days


class MeetingError(ValueError):
    """A change that cannot be made; the message is shown to the user."""


def respond_token(participant: Participant) -> str:
    return signing.dumps({"p": participant.pk, "i": participant.institution_id}, salt=RESPOND_SALT)


def read_respond_token(token: str) -> dict:
    """{"p": participant id, "i": institution id}; raises signing.BadSignature when invalid/expired."""
    return signing.loads(token, salt=RESPOND_SALT, max_age=RESPOND_MAX_AGE)


def _placement_people(placement) -> list[tuple[str, User | None, str, str]]:
    """(role, user, name, e-mail) of the placement's student, mentor and supervisor."""
    # The address the person's mail goes to: their account's, else the one on record.
    student, mentor = placement.student, placement.mentor
    people = [("student", student.user, str(student), student.user.email if student.user else student.email)]
    if mentor is not None:
        people.append(
            ("mentor", mentor.user, str(mentor), mentor.user.email if mentor.user else mentor.email)
        )
    if placement.supervisor_id:
        sup = placement.supervisor.user
        people.append(("supervisor", sup, sup.get_full_name() or sup.email, sup.email))
    return people


def duration_for(placement, kind: str) -> int:
    found = MeetingType.objects.filter(programme_id=placement.programme_id, kind=kind).first()
    return found.duration_minutes if found else 60


def _title(kind: str, placement) -> str:
    label = Kind(kind).label
    return f"{label} · {placement.student}" if placement is not None else str(label)


def send_invitations(meeting: Meeting, *, method: str = "REQUEST") -> int:
    """Send every participant the current version (REQUEST) or the cancellation (CANCEL)."""
    text = ics.invitation(meeting, method=method)
    template = (
        "meetings/notifications/cancelled" if method == "CANCEL" else "meetings/notifications/invitation"
    )
    sent = 0
    for p in meeting.participants.all():
        if p.user is None and not p.email:
            continue
        created = notify(
            recipient=p.user,
            email_address=p.email,
            key=f"meetings.{method.lower()}:{meeting.pk}:{meeting.sequence}:{recipient_key(p.user, p.email)}",
            template=template,
            context={
                "meeting": meeting,
                "participant": p,
                "respond_url": absolute_url(reverse("meetings-respond", args=[respond_token(p)])),
            },
            url=reverse("meetings-detail", args=[meeting.pk]) if p.user_id else "",
            attachment=("invite.ics", f"text/calendar; method={method}", text),
        )
        sent += created is not None
    return sent


@transaction.atomic
def schedule_meeting(
    *,
    actor: Membership,
    placement,
    kind: str,
    starts_at: datetime,
    location: str = "",
    duration_minutes: int | None = None,
) -> Meeting:
    """Plan a meeting of a placement with its participants and send the invitations."""
    if kind not in PARTICIPANT_ROLES or kind in (Kind.MENTOR_DAY, Kind.MATCHING_SESSION):
        raise MeetingError(_("Choose a kind of meeting."))
    if timezone.is_naive(starts_at):
        raise MeetingError(_("Enter a date and time."))
    minutes = duration_minutes or duration_for(placement, kind)
    meeting = Meeting.objects.create(
        placement=placement,
        kind=kind,
        title=_title(kind, placement),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        location=location,
        organiser=actor.user,
    )
    wanted = PARTICIPANT_ROLES[kind]
    Participant.objects.bulk_create(
        Participant(
            institution_id=meeting.institution_id,
            meeting=meeting,
            user=user,
            name=name,
            email=email or "",
            role=role,
        )
        for role, user, name, email in _placement_people(placement)
        if role in wanted
    )
    audit.record(actor=actor, action="meetings.meeting.schedule", obj=meeting, summary=meeting.title)
    send_invitations(meeting)
    return meeting


def _add_mentors(meeting: Meeting, mentors) -> list[Participant]:
    """Participants for the mentors not invited yet (by account, else by address)."""
    have = {(p.user_id, p.email.lower()) for p in meeting.participants.all()}
    have_users = {u for u, _e in have if u}
    have_emails = {e for _u, e in have if e}
    new = []
    for m in mentors:
        email = (m.user.email if m.user_id else m.email) or ""
        if (m.user_id and m.user_id in have_users) or (email and email.lower() in have_emails):
            continue
        have_users.add(m.user_id)
        have_emails.add(email.lower())
        new.append(
            Participant(
                institution_id=meeting.institution_id,
                meeting=meeting,
                user=m.user,
                name=f"{m.first_name} {m.last_name}".strip(),
                email=email,
                role="mentor",
            )
        )
    return Participant.objects.bulk_create(new)


@transaction.atomic
def schedule_event(
    *, actor: Membership, kind: str, title: str, starts_at: datetime, ends_at: datetime, location: str,
    mentors, part_of: Meeting | None = None,
) -> Meeting:  # fmt: skip
    """One event for many people, e.g. the mentor start day: one meeting, many participants."""
    if ends_at <= starts_at:
        raise MeetingError(_("The end must come after the start."))
    meeting = Meeting.objects.create(
        kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, location=location,
        organiser=actor.user, part_of=part_of,
    )  # fmt: skip
    _add_mentors(meeting, mentors)
    audit.record(actor=actor, action="meetings.event.schedule", obj=meeting, summary=title)
    send_invitations(meeting)
    return meeting


@transaction.atomic
def schedule_mentor_day(
    *,
    actor: Membership,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    session_starts_at: datetime | None,
    session_ends_at: datetime | None,
    mentors,
) -> Meeting:
    """The mentor start day: one event for many mentors, with its matching session.

    The day and its session are two events (each its own iCalendar invitation, UID and
    SEQUENCE), the session linked to the day (`part_of`); every mentor invited to the day
    is invited to the session too.
    """
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise MeetingError(_("Enter a date and time."))
    mentors = list(mentors)
    if not mentors:
        raise MeetingError(_("Choose at least one mentor to invite."))
    day = schedule_event(
        actor=actor, kind=Kind.MENTOR_DAY, title=title, starts_at=starts_at, ends_at=ends_at,
        location=location, mentors=mentors,
    )  # fmt: skip
    if session_starts_at is not None and session_ends_at is not None:
        if session_starts_at < starts_at or session_ends_at > ends_at:
            raise MeetingError(_("The matching session must fall within the start day."))
        schedule_event(
            actor=actor, kind=Kind.MATCHING_SESSION, title=f"{Kind.MATCHING_SESSION.label} · {title}",
            starts_at=session_starts_at, ends_at=session_ends_at, location=location, mentors=mentors,
            part_of=day,
        )  # fmt: skip
    return day


@transaction.atomic
def invite_mentors(*, actor: Membership, day: Meeting, mentors) -> int:
    """Invite more mentors to a start day and its sessions; only the new ones get mail."""
    if day.kind != Kind.MENTOR_DAY:
        raise MeetingError(_("Only a mentor start day takes more mentors."))
    if day.status != Meeting.Status.PLANNED:
        raise MeetingError(_("This meeting is no longer planned."))
    mentors = list(mentors)
    added = len(_add_mentors(day, mentors))
    for session in day.sessions.filter(status=Meeting.Status.PLANNED):
        _add_mentors(session, mentors)
        send_invitations(session)
    # Earlier participants already have this SEQUENCE's invitation: notify() skips them.
    send_invitations(day)
    audit.record(
        actor=actor, action="meetings.event.invite", obj=day, summary=day.title, data={"added": added}
    )
    return added


@transaction.atomic
def reschedule_meeting(
    *, actor: Membership, meeting: Meeting, starts_at: datetime, location: str | None = None
) -> Meeting:
    """Move a meeting: a higher SEQUENCE, answers reset, everybody gets the update."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise MeetingError(_("Only a planned meeting can be moved."))
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at, meeting.ends_at = starts_at, starts_at + length
    if location is not None:
        meeting.location = location
    meeting.sequence += 1
    meeting.save(update_fields=["starts_at", "ends_at", "location", "sequence"])
    meeting.participants.update(response=Participant.Response.PENDING, proposed_start=None, responded_at=None)
    audit.record(actor=actor, action="meetings.meeting.reschedule", obj=meeting, summary=meeting.title)
    send_invitations(meeting)
    return meeting


@transaction.atomic
def cancel_meeting(*, actor: Membership, meeting: Meeting) -> Meeting:
    """Cancel: METHOD:CANCEL with a higher SEQUENCE removes it from everybody's calendar."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise MeetingError(_("Only a planned meeting can be cancelled."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence"])
    audit.record(actor=actor, action="meetings.meeting.cancel", obj=meeting, summary=meeting.title)
    send_invitations(meeting, method="CANCEL")
    return meeting


@transaction.atomic
@audited("meetings.participant.respond")
def respond(
    *,
    actor: Membership | None,
    participant: Participant,
    response: str,
    proposed_start: datetime | None = None,
) -> Participant:
    """A participant accepts, declines or proposes another time (the organiser is told)."""
    if response not in {
        Participant.Response.ACCEPTED,
        Participant.Response.DECLINED,
        Participant.Response.PROPOSED,
    }:
        raise MeetingError(_("Choose an answer."))
    if response == Participant.Response.PROPOSED and proposed_start is None:
        raise MeetingError(_("Enter the date and time you propose."))
    participant = Participant.objects.select_for_update().select_related("meeting").get(pk=participant.pk)
    if participant.meeting.status != Meeting.Status.PLANNED:
        raise MeetingError(_("This meeting is no longer planned."))
    participant.response = response
    participant.proposed_start = proposed_start if response == Participant.Response.PROPOSED else None
    participant.responded_at = timezone.now()
    participant.save(update_fields=["response", "proposed_start", "responded_at"])
    meeting = participant.meeting
    if response != Participant.Response.ACCEPTED and meeting.organiser_id:
        notify(
            recipient=meeting.organiser,
            key=f"meetings.answer:{meeting.pk}:{meeting.sequence}:{participant.pk}:{response}",
            template="meetings/notifications/answer",
            context={"meeting": meeting, "participant": participant},
            url=reverse("meetings-detail", args=[meeting.pk]),
        )
    return participant


@transaction.atomic
def record_minutes(
    *,
    actor: Membership,
    meeting: Meeting,
    notes: str,
    attended: set[int],
    actions: list[tuple[str, User | None, date]],
    opens_plan_revision: bool = False,
) -> Meeting:
    """Minutes: notes, who attended, agreed actions (each owner is told); the meeting is held.

    `opens_plan_revision` asks the agreements app (through the registry event
    ``learning_plan.revision_requested``) to open a revision of the learning plan.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError(_("A cancelled meeting has no minutes."))
    meeting.notes = notes
    meeting.status = Meeting.Status.HELD
    meeting.minutes_at = meeting.minutes_at or timezone.now()
    revision_requested = opens_plan_revision and not meeting.opens_plan_revision
    meeting.opens_plan_revision = meeting.opens_plan_revision or opens_plan_revision
    meeting.save(update_fields=["notes", "status", "minutes_at", "opens_plan_revision"])
    for p in meeting.participants.all():
        p.attended = p.pk in attended
        p.save(update_fields=["attended"])
    for description, owner, due in actions:
        action = Action.objects.create(meeting=meeting, description=description, owner=owner, due_date=due)
        if owner is not None:
            notify(
                recipient=owner,
                key=f"meetings.action:{action.pk}",
                template="meetings/notifications/action",
                context={"meeting": meeting, "action": action},
                url=reverse("meetings-detail", args=[meeting.pk]),
            )
    audit.record(actor=actor, action="meetings.minutes.record", obj=meeting, summary=meeting.title)
    if revision_requested and meeting.placement_id:
        registry.emit(
            "learning_plan.revision_requested",
            placement_id=meeting.placement_id,
            actor=actor,
            reason=notes[:500],
            source=f"meetings.meeting:{meeting.pk}",
        )
    return meeting


@transaction.atomic
@audited("meetings.action.done")
def complete_action(*, actor: Membership, action: Action) -> Action:
    """The owner marks their agreed action done."""
    if action.owner_id != actor.user_id:
        raise MeetingError(_("Only the owner can mark this action done."))
    Action.objects.filter(pk=action.pk, done_at__isnull=True).update(done_at=timezone.now())
    action.refresh_from_db()
    return action


@transaction.atomic
def plan_schedule(*, actor: Membership, placement, slots: list[tuple[str, datetime]]) -> list[Meeting]:
    """Plan every proposed slot (from `selectors.proposed_schedule`) as a meeting."""
    return [schedule_meeting(actor=actor, placement=placement, kind=kind, starts_at=at) for kind, at in slots]


def _hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
@audited("meetings.feed.regenerate")
def regenerate_feed(*, actor: Membership) -> str:
    """A new secret feed address for the actor's person; the previous one stops working.

    Returns the token (the feed itself is per person, across institutions).
    """
    user = actor.user
    import secrets

    from meetings.models import CalendarFeed

    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _hash(token)})
    return token


@transaction.atomic
@audited("meetings.feed.revoke")
def revoke_feed(*, actor: Membership) -> None:
    """The person's feed address stops working."""
    from meetings.models import CalendarFeed

    CalendarFeed.objects.filter(user=actor.user).delete()


def feed_owner(token: str) -> User | None:
    from meetings.models import CalendarFeed

    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.filter(token_hash=_hash(token)).select_related("user").first()
    return feed.user if feed and feed.user.is_active else None


@transaction.atomic
def save_meeting_types(
    *, actor: Membership, programme, values: dict[str, tuple[int, int]]
) -> list[MeetingType]:
    """A programme's required meetings per school year and their length, per kind.

    Every kind is saved (also a 0), so the programme's own numbers replace the sources'
    defaults as a whole (`selectors.required_counts`).
    """
    saved = []
    for kind, (required, duration) in values.items():
        if kind not in PARTICIPANT_ROLES or kind in (Kind.MENTOR_DAY, Kind.MATCHING_SESSION):
            raise MeetingError(_("Choose a kind of meeting."))
        if not (0 <= required <= 20 and 15 <= duration <= 600):
            raise MeetingError(_("Give a number from 0 to 20."))
        row, _created = MeetingType.objects.update_or_create(
            programme=programme,
            kind=kind,
            defaults={"required_per_year": required, "duration_minutes": duration},
        )
        saved.append(row)
    audit.record(
        actor=actor,
        action="meetings.types.save",
        obj=programme,
        summary=str(programme),
        data={k: list(v) for k, v in values.items()},
    )
    return saved
