"""Pages of the meetings area (thin: forms in, services and selectors do the work)."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings import ics, permissions, selectors, services
from meetings.forms import MeetingTypesForm, MinutesForm, RescheduleForm, RespondForm, ScheduleForm
from meetings.models import DEFAULT_REQUIRED, Action, Kind, Meeting, MeetingType, Participant
from placements.models import Placement
from wpl import tenancy
from wpl.academic_years import current_academic_year
from wpl.views import membership_required, permission_required


@membership_required
def meeting_list(request):
    m = request.membership
    now = timezone.now()
    meetings = selectors.meetings_for(membership=m)
    context = {
        "upcoming": meetings.filter(starts_at__gte=now).exclude(status=Meeting.Status.CANCELLED)[:50],
        "past": meetings.filter(starts_at__lt=now).order_by("-starts_at")[:50],
        "actions": selectors.open_actions(membership=m),
        "can_see_coverage": permissions.can_see_coverage(m),
    }
    return render(request, "meetings/meeting_list.html", context)


@permission_required(permissions.can_see_coverage)
def coverage(request):
    year = current_academic_year()
    rows = selectors.coverage(membership=request.membership, academic_year=year)
    from catalogue.models import Programme

    programmes = Programme.objects.visible_to(request.membership).order_by("name")
    return render(
        request, "meetings/coverage.html", {"rows": rows, "academic_year": year, "programmes": programmes}
    )


@membership_required
def meeting_types(request, pk: int):
    """A programme's meetings per school year (required number, duration) for staff."""
    from catalogue.models import Programme

    if not permissions.can_see_coverage(request.membership):
        raise PermissionDenied
    programme = get_object_or_404(Programme.objects.visible_to(request.membership), pk=pk)
    own = {t.kind: t for t in MeetingType.objects.filter(programme=programme)}
    initial = {}
    for kind, _label in MeetingTypesForm.base_kinds():
        row = own.get(kind)
        initial[f"{kind}_required"] = (
            row.required_per_year if row else (0 if own else DEFAULT_REQUIRED.get(kind, 0))
        )
        initial[f"{kind}_duration"] = row.duration_minutes if row else 60
    form = MeetingTypesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_meeting_types(actor=request.membership, programme=programme, values=form.values())
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The meetings per school year are saved."))
            return redirect("meetings-types", pk=programme.pk)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "form": form, "own": bool(own)}
    return render(request, "meetings/meeting_types.html", context, status=status)


@membership_required
def placement_meetings(request, pk: int):
    m = request.membership
    placement = get_object_or_404(
        Placement.objects.visible_to(m).select_related(
            "student", "organisation", "mentor", "supervisor__user"
        ),
        pk=pk,
    )
    can_manage = permissions.can_manage_placement_meetings(m, placement)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            if "plan_all" in request.POST:
                planned = services.plan_schedule(
                    actor=m, placement=placement, slots=selectors.proposed_schedule(placement=placement)
                )
                messages.success(
                    request,
                    _("%(n)s meetings planned; the invitations are on their way.") % {"n": len(planned)},
                )
                return redirect("meetings-placement", pk=placement.pk)
            if form.is_valid():
                meeting = services.schedule_meeting(
                    actor=m,
                    placement=placement,
                    kind=form.cleaned_data["kind"],
                    starts_at=form.cleaned_data["starts_at"],
                    location=form.cleaned_data["location"],
                )
                messages.success(request, _("Meeting planned; the invitations are on their way."))
                return redirect("meetings-detail", pk=meeting.pk)
        except services.MeetingError as error:
            form.add_error(None, str(error))
    context = {
        "placement": placement,
        "meetings": placement.meetings.prefetch_related("participants"),
        "proposal": selectors.proposed_schedule(placement=placement) if can_manage else [],
        "can_manage": can_manage,
        "form": form,
    }
    return render(request, "meetings/placement_meetings.html", context, status=400 if form.errors else 200)


def _meeting(request, pk: int) -> Meeting:
    try:
        return selectors.meeting_detail(membership=request.membership, pk=pk)
    except Meeting.DoesNotExist as missing:
        raise Http404 from missing


@membership_required
def meeting_detail(request, pk: int):
    m = request.membership
    meeting = _meeting(request, pk)
    can_manage = permissions.can_manage_meeting(m, meeting)
    mine = next((p for p in meeting.participants.all() if p.user_id == m.user_id), None)
    forms = {
        "respond_form": RespondForm(),
        "reschedule_form": RescheduleForm(
            initial={"starts_at": meeting.starts_at, "location": meeting.location}
        ),
        "minutes_form": MinutesForm(
            participants=meeting.participants.all(),
            initial={
                "notes": meeting.notes,
                "attended": [p.pk for p in meeting.participants.all() if p.attended],
            },
        ),
    }
    status = 200
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "respond" and mine is not None:
                forms["respond_form"] = form = RespondForm(request.POST)
                if form.is_valid():
                    services.respond(
                        actor=m,
                        participant=mine,
                        response=form.cleaned_data["response"],
                        proposed_start=form.cleaned_data.get("proposed_start"),
                    )
                    messages.success(request, _("Your answer was saved."))
                    return redirect("meetings-detail", pk=meeting.pk)
            elif op in {"reschedule", "cancel", "minutes"} and not can_manage:
                raise PermissionDenied
            elif op == "reschedule":
                forms["reschedule_form"] = form = RescheduleForm(request.POST)
                if form.is_valid():
                    services.reschedule_meeting(
                        actor=m, meeting=meeting, starts_at=form.cleaned_data["starts_at"],
                        location=form.cleaned_data["location"],
                    )  # fmt: skip
                    messages.success(request, _("The meeting was moved; everybody gets the update."))
                    return redirect("meetings-detail", pk=meeting.pk)
            elif op == "cancel":
                services.cancel_meeting(actor=m, meeting=meeting)
                messages.success(request, _("The meeting was cancelled."))
                return redirect("meetings-detail", pk=meeting.pk)
            elif op == "minutes":
                forms["minutes_form"] = form = MinutesForm(
                    request.POST, participants=meeting.participants.all()
                )
                if form.is_valid():
                    users = {
                        p.user_id: p.user for p in meeting.participants.select_related("user") if p.user_id
                    }
                    services.record_minutes(
                        actor=m,
                        meeting=meeting,
                        notes=form.cleaned_data["notes"],
                        attended=set(form.cleaned_data["attended"]),
                        actions=form.actions(users),
                        opens_plan_revision=form.cleaned_data["opens_plan_revision"],
                    )
                    messages.success(request, _("The minutes were saved."))
                    return redirect("meetings-detail", pk=meeting.pk)
            else:
                raise PermissionDenied
        except services.MeetingError as error:
            messages.error(request, str(error))
        status = 400
    context = {"meeting": meeting, "mine": mine, "can_manage": can_manage, **forms}
    return render(request, "meetings/meeting_detail.html", context, status=status)


@membership_required
def meeting_ics(request, pk: int):
    meeting = _meeting(request, pk)
    method = "CANCEL" if meeting.status == Meeting.Status.CANCELLED else "REQUEST"
    response = HttpResponse(
        ics.invitation(meeting, method=method), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response


@membership_required
@require_POST
def action_done(request, pk: int):
    action = get_object_or_404(Action.objects.visible_to(request.membership), pk=pk)
    try:
        services.complete_action(actor=request.membership, action=action)
    except services.MeetingError as error:
        raise PermissionDenied(str(error)) from error
    return redirect("meetings-list")


def respond_by_link(request, token: str):
    """The link in an invitation: answer without signing in (signed, expiring token)."""
    try:
        data = services.read_respond_token(token)
    except signing.BadSignature:
        return render(request, "meetings/respond_invalid.html", status=404)
    with tenancy.tenant_context(int(data["i"])):
        participant = (
            Participant.objects.filter(pk=int(data["p"]))
            .select_related("meeting", "meeting__placement")
            .first()
        )
        if participant is None:
            return render(request, "meetings/respond_invalid.html", status=404)
        form = RespondForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.respond(
                        actor=None,  # answered through the signed link, nobody signed in
                        participant=participant,
                        response=form.cleaned_data["response"],
                        proposed_start=form.cleaned_data.get("proposed_start"),
                    )
                    participant.refresh_from_db()
                    return render(request, "meetings/respond_done.html", {"participant": participant})
                except services.MeetingError as error:
                    form.add_error(None, str(error))
            status = 400
        context = {"participant": participant, "meeting": participant.meeting, "form": form}
        return render(request, "meetings/respond.html", context, status=status)


@membership_required
def calendar_settings(request):
    """The personal calendar feed: create, replace (revokes the old address) or remove."""
    new_url = ""
    if request.method == "POST":
        if request.POST.get("op") == "revoke":
            services.revoke_feed(actor=request.membership)
            messages.success(request, _("Your calendar address no longer works."))
            return redirect("meetings-calendar")
        token = services.regenerate_feed(actor=request.membership)
        new_url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    from meetings.models import CalendarFeed

    has_feed = CalendarFeed.objects.filter(user=request.user).exists()
    return render(request, "meetings/calendar_settings.html", {"has_feed": has_feed, "new_url": new_url})


def calendar_feed(request, token: str):
    """The subscription feed at the secret address; 404 for an unknown or revoked token."""
    user = services.feed_owner(token)
    if user is None:
        raise Http404
    text = ics.feed(selectors.feed_meetings(user=user), name="WPL")
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- the mentor start day ---------------------------------------------------------------------
def _mentors(membership):
    from workplaces.models import Mentor

    return (
        Mentor.objects.visible_to(membership)
        .select_related("user", "organisation")
        .order_by("last_name", "first_name", "pk")
    )


@membership_required
def mentor_days(request):
    """Staff: the mentor start days (one event for many mentors) and a form to plan one."""
    from meetings.forms import MentorDayForm

    if not permissions.can_see_coverage(request.membership):
        raise PermissionDenied
    form = MentorDayForm(request.POST or None, mentors=_mentors(request.membership))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            day = services.schedule_mentor_day(
                actor=request.membership,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                session_starts_at=data.get("session_starts_at"),
                session_ends_at=data.get("session_ends_at"),
                mentors=form.chosen(),
            )
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The start day is planned; the invitations are on their way."))
            return redirect("meetings-mentor-day", pk=day.pk)
    days = (
        Meeting.objects.filter(kind=Kind.MENTOR_DAY)
        .annotate(invited=Count("participants"))
        .order_by("-starts_at")[:50]
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/mentor_days.html", {"form": form, "days": days}, status=status)


@membership_required
def mentor_day(request, pk: int):
    """One start day: its matching session, who is invited and their answers; invite more."""
    from meetings.forms import InviteMentorsForm

    if not permissions.can_see_coverage(request.membership):
        raise PermissionDenied
    day = get_object_or_404(Meeting.objects.filter(kind=Kind.MENTOR_DAY), pk=pk)
    invited_users = {p.user_id for p in day.participants.all() if p.user_id}
    invited_emails = {p.email.lower() for p in day.participants.all() if p.email}
    candidates = [
        m
        for m in _mentors(request.membership)
        if not (m.user_id and m.user_id in invited_users)
        and (m.user.email if m.user_id else m.email).lower() not in invited_emails
    ]
    form = InviteMentorsForm(
        request.POST or None,
        mentors=_mentors(request.membership).filter(pk__in=[m.pk for m in candidates]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            added = services.invite_mentors(
                actor=request.membership, day=day, mentors=form.cleaned_data["mentors"]
            )
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(n)s mentors invited.") % {"n": added})
            return redirect("meetings-mentor-day", pk=day.pk)
    context = {
        "day": day,
        "participants": day.participants.all(),
        "sessions": day.sessions.prefetch_related("participants"),
        "form": form,
        "has_candidates": bool(candidates),
    }
    return render(request, "meetings/mentor_day.html", context, status=400 if form.errors else 200)
