"""Pages of the logbook: the student's day (online and offline), the mentor's queue, progress,
the coordinator's overview, absences, accidents and exports. Thin: rules live in services."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_time
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from catalogue.models import Programme
from logbooks import forms, permissions, selectors, services
from logbooks.models import Absence, Entry, InsuranceSetting, LogbookSettings, SickNote, SickNoteOpening
from placements.models import Placement
from wpl.errors import ServiceError
from wpl.forms import add_service_errors
from wpl.tenancy import tenant_context
from wpl.views import membership_required, permission_required


def _placement(request, pk: int) -> Placement:
    try:
        return selectors.placement_detail(membership=request.membership, pk=pk)
    except Placement.DoesNotExist:
        raise Http404 from None


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _add_errors(form, exc: ValidationError) -> None:
    for field, msgs in _errors(exc).items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


# --- the student's logbook -------------------------------------------------------------------
@membership_required
def logbook_home(request):
    """Students: their current logbook. Others: the logbooks they may read."""
    if permissions.is_student(request.membership):
        placements = selectors.student_placements(membership=request.membership)
        current = selectors.current_placement(placements)
        if current is None:
            return render(request, "logbooks/no_placement.html")
        return _logbook_page(request, current, others=[p for p in placements if p.pk != current.pk])
    placements = (
        Placement.objects.visible_to(request.membership)
        .select_related("student", "organisation")
        .order_by("student__last_name", "student__first_name")[:500]
    )
    return render(request, "logbooks/placement_list.html", {"placements": placements})


@membership_required
def logbook_placement(request, pk: int):
    placement = _placement(request, pk)
    return _logbook_page(request, placement)


def _entry_form_initial(placement: Placement, last: Entry | None, on: date) -> dict:
    initial = {"date": on, "site": placement.site_id}
    if last is not None:
        initial["site"] = last.site_id or placement.site_id
    return initial


STATE_TEXT = {
    "planned": gettext_lazy("planned"),
    "logged": gettext_lazy("logged"),
    "approved": gettext_lazy("approved"),
    "returned": gettext_lazy("sent back"),
    "absent": gettext_lazy("absent"),
    "holiday": gettext_lazy("holiday"),
    "missed": gettext_lazy("not logged"),
}


def calendar_body(days, *, can_write: bool) -> str:
    """The calendar table's rows (one per ISO week: its label, then its days) as HTML, built
    in one pass in Python: a placement can span hundreds of WPL days and a template loop
    (or a `format_html` call) per day or week was the slowest part of the page. Every
    translated text is escaped once; the rest are numbers, ISO dates and fixed state names.
    `days` come in date order (`selectors.calendar_days`)."""
    from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR

    # str() first: escape() of a lazy translation stays lazy and would translate on every use.
    weekday = {k: str(escape(str(v))) for k, v in WEEKDAYS_ABBR.items()}
    month = {k: str(escape(str(v))) for k, v in MONTHS_3.items()}
    hidden = {k: f'<span class="visually-hidden"> {escape(str(v))}</span>' for k, v in STATE_TEXT.items()}
    kinds = {k: f" ({escape(str(v))})" for k, v in Absence.Kind.choices}
    entry_url = escape(reverse("logbook-entry", kwargs={"pk": 0})[:-2])
    rows: list[str] = []
    parts: list[str] = []
    week = None

    def close_week():
        if parts:
            label = f"{week.day} {month[week.month]}"
            rows.append(f'<tr><th scope="row">{label}</th><td>{" ".join(parts)}</td></tr>')

    for d in days:
        monday = d.date - timedelta(days=d.date.weekday())
        if monday != week:
            close_week()
            week, parts = monday, []
        state = d.state
        inner = f"{weekday[d.date.weekday()]} {d.date.day}{hidden[state]}"
        if d.absence is not None:
            inner += kinds.get(d.absence.kind, "")
        if d.entry is not None:
            url = f"{entry_url}{d.entry.pk}/"
        elif can_write and state != "holiday":
            url = f"?date={d.date.isoformat()}#entry-card"
        else:
            url = None
        if url:
            parts.append(f'<a href="{url}" class="day-state state-{state}">{inner}</a>')
        else:
            parts.append(f'<span class="day-state state-{state}">{inner}</span>')
    close_week()
    return mark_safe("".join(rows))  # noqa: S308 - every text in it is escaped above


def _logbook_page(request, placement: Placement, *, others=()):
    can_write = permissions.can_write_entry(request.membership, placement)
    choices = selectors.choices_for(placement) if can_write else None
    form = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        form = forms.EntryForm(request.POST, choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.save_entry(
                    actor=request.membership,
                    placement=placement,
                    date=data["date"],
                    hours=data["hours"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    break_minutes=data["break_minutes"],
                    site_id=data["site"],
                    activities=data["activities"],
                    reflection=data["reflection"],
                    reflection_kind=data["reflection_kind"],
                    objective_ids=data["objectives"],
                    competence_ids=data["competences"],
                    role_ids=data["roles"],
                    client_key=data["client_key"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your entry of %(date)s is saved.") % {"date": result.entry.date.strftime("%d/%m/%Y")}
                    if result.created
                    else _("Your entry of %(date)s is updated.")
                    % {"date": result.entry.date.strftime("%d/%m/%Y")},
                )
                return redirect(request.path)
    book = selectors.logbook(placement)
    show_all = request.GET.get("all") == "1"
    recent = (
        list(selectors.entries_for(placement)) if show_all else list(selectors.entries_for(placement)[:30])
    )
    last = recent[0] if recent else None
    if can_write and form is None:
        on = selectors.today()
        wanted = parse_date(request.GET.get("date", "") or "") if request.GET.get("date") else None
        wanted_day = wanted or on
        existing = next((e for e in recent if e.date == wanted_day), None)
        if existing is None and any(e.date == wanted_day for e in book.entries):
            existing = selectors.entries_for(placement).get(date=wanted_day)
        if existing is not None:
            form = forms.EntryForm(
                initial={
                    "date": existing.date,
                    "hours": existing.hours,
                    "start_time": existing.start_time,
                    "end_time": existing.end_time,
                    "break_minutes": existing.break_minutes,
                    "site": existing.site_id,
                    "activities": existing.activities,
                    "reflection": existing.reflection,
                    "reflection_kind": existing.reflection_kind,
                    **selectors.touched(existing),
                },
                choices=choices,
            )
        else:
            initial = _entry_form_initial(placement, last, on)
            if wanted:
                initial["date"] = wanted
            form = forms.EntryForm(initial=initial, choices=choices)
    same_as_last = None
    if last is not None and can_write:
        same_as_last = {
            "hours": str(last.hours),
            "start_time": last.start_time.strftime("%H:%M") if last.start_time else "",
            "end_time": last.end_time.strftime("%H:%M") if last.end_time else "",
            "break_minutes": last.break_minutes or "",
            "site": last.site_id or "",
            "activities": last.activities,
            **selectors.touched(last),
        }
    context = {
        "placement": placement,
        "book": book,
        "calendar": calendar_body(book.days, can_write=can_write),
        "entries": recent,
        "more_entries": max(0, len(book.entries) - 30) if not show_all else 0,
        "form": form,
        "can_write": can_write,
        "can_see_notes": permissions.can_open_sick_note(request.membership),
        "others": others,
        "same_as_last": same_as_last,
        "starr_prompts": forms.STARR_PROMPTS,
        "sync_url": reverse("logbook-sync", kwargs={"pk": placement.pk}),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "logbooks/logbook.html", context, status=status)


@permission_required(permissions.is_student)
def logbook_sync(request, pk: int):
    """JSON endpoint of the offline queue: one entry per call, idempotent by its client key.

    Answers 200 {"status": "saved"|"replayed", ...} or 400 {"errors": {field: [reasons]}}
    so the phone can show the reason and keep the text.
    """
    placement = _placement(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not permissions.can_write_entry(request.membership, placement):
        raise PermissionDenied
    try:
        data = json.loads(request.body.decode("utf-8") or "{}")
        if not isinstance(data, dict):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"errors": {"__all__": [_("The entry could not be read.")]}}, status=400)
    day = parse_date(str(data.get("date") or ""))
    if day is None:
        return JsonResponse({"errors": {"date": [_("Give a valid date.")]}}, status=400)

    def _time(name):
        raw = str(data.get(name) or "")
        return parse_time(raw) if raw else None

    def _ints(name):
        values = data.get(name) or []
        return [int(v) for v in values if str(v).isdigit()] if isinstance(values, list) else []

    try:
        brk = int(data["break_minutes"]) if str(data.get("break_minutes") or "").isdigit() else None
        result = services.save_entry(
            actor=request.membership,
            placement=placement,
            date=day,
            hours=str(data.get("hours") or "").replace(",", ".") or None,
            start_time=_time("start_time"),
            end_time=_time("end_time"),
            break_minutes=brk,
            site_id=int(data["site"]) if str(data.get("site") or "").isdigit() else None,
            activities=str(data.get("activities") or "")[:4000],
            reflection=str(data.get("reflection") or "")[:8000],
            reflection_kind=str(data.get("reflection_kind") or "free"),
            objective_ids=_ints("objectives"),
            competence_ids=_ints("competences"),
            role_ids=_ints("roles"),
            client_key=data.get("client_key") or None,
        )
    except ValidationError as exc:
        return JsonResponse({"errors": _errors(exc)}, status=400)
    entry = result.entry
    return JsonResponse(
        {
            "status": "replayed" if result.replayed else "saved",
            "created": result.created,
            "entry": {
                "id": entry.pk,
                "date": entry.date.isoformat(),
                "hours": str(entry.hours),
                "status": entry.status,
            },
        }
    )


# --- one entry: history and review -------------------------------------------------------------
@membership_required
def entry_detail(request, pk: int):
    try:
        entry = selectors.entry_detail(membership=request.membership, pk=pk)
    except Entry.DoesNotExist:
        raise Http404 from None
    return _entry_page(request, entry, request.membership)


@membership_required
def review_entry(request, membership: int, pk: int):
    """An entry from the one review queue, acted on in its own institution without switching.

    `membership` is one of the person's own mentor roles; the page reads and writes inside
    that institution's tenant context with that role, so the entry never leaves it.
    """
    actor = next(
        (m for m in selectors.mentor_memberships(request.user, request.memberships) if m.pk == membership),
        None,
    )
    if actor is None:
        raise Http404
    with tenant_context(actor.institution_id):
        try:
            entry = selectors.entry_detail(membership=actor, pk=pk)
        except Entry.DoesNotExist:
            raise Http404 from None
        return _entry_page(request, entry, actor, back_url=reverse("logbook-review"))


def _entry_page(request, entry: Entry, m, *, back_url: str = ""):
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        comment = request.POST.get("comment", "")
        try:
            if action == "approve":
                services.approve_entry(actor=m, entry=entry)
                messages.success(request, _("Entry approved."))
            elif action == "return":
                services.return_entry(actor=m, entry=entry, comment=comment)
                messages.success(request, _("Entry sent back to the student."))
            elif action == "reopen":
                services.reopen_entry(actor=m, entry=entry, comment=comment)
                messages.success(request, _("Entry reopened for a correction."))
            elif action == "comment":
                services.comment_entry(actor=m, entry=entry, comment=comment)
                messages.success(request, _("Comment added."))
            else:
                raise PermissionDenied
        except (ValidationError, ServiceError) as exc:
            add_service_errors(form, exc)
        else:
            return redirect(request.path)
    context = {
        "entry": entry,
        "form": form,
        "can_review": permissions.can_review(m, entry.placement),
        "can_comment": permissions.can_comment(m, entry.placement),
        "can_edit": permissions.can_write_entry(m, entry.placement) and not entry.is_locked,
        "back_url": back_url,
        "acting_in": m.institution if back_url else None,
    }
    response = render(request, "logbooks/entry_detail.html", context, status=400 if form.errors else 200)
    return response


# --- the mentor's queue --------------------------------------------------------------------------
@permission_required(permissions.is_mentor)
def review_queue(request):
    """One queue across all the person's mentor roles; each institution's entries stay in it."""
    mentor_roles = selectors.mentor_memberships(request.user, request.memberships)
    if request.method == "POST":
        return _review_action(request, mentor_roles)
    sections = []
    for m in mentor_roles:
        with tenant_context(m.institution_id):
            section = selectors.review_queue_for(m)
        sections.append((section, m.pk == request.membership.pk))
    return render(
        request,
        "logbooks/review_queue.html",
        {"sections": sections, "total": sum(s.count for s, _ in sections)},
    )


def _review_action(request, mentor_roles):
    raw = request.POST.get("membership", "")
    actor = next((m for m in mentor_roles if str(m.pk) == raw), None)
    if actor is None:
        raise Http404
    with tenant_context(actor.institution_id):
        if request.POST.get("week"):
            week = parse_date(request.POST["week"])
            if week is None:
                messages.error(request, _("Choose a week."))
                return redirect("logbook-review")
            count = services.approve_week(actor=actor, week_start=week)
        else:
            ids = [int(v) for v in request.POST.getlist("entries") if v.isdigit()]
            if not ids:
                messages.error(request, _("Tick the entries to approve."))
                return redirect("logbook-review")
            count = services.approve_entries(actor=actor, entry_ids=ids)
    messages.success(request, _("%(count)s entries approved.") % {"count": count})
    return redirect("logbook-review")


# --- progress ------------------------------------------------------------------------------------
@membership_required
def progress_page(request, pk: int):
    placement = _placement(request, pk)
    book = selectors.logbook(placement)
    chart = [
        {
            "week": row["week"].isoformat(),
            "planned": float(row["planned"]),
            "actual": float(row["actual"]),
            "approved": float(row["approved"]),
        }
        for row in book.progress.chart
    ]
    return render(
        request,
        "logbooks/progress.html",
        {
            "placement": placement,
            "book": book,
            "p": book.progress,
            "chart_json": chart,
            "chart_table": chart_table_body(book.progress.chart),
        },
    )


TENTH = Decimal("0.1")


def chart_table_body(rows: list[dict]) -> str:
    """The chart's table rows (week, planned, logged, approved) as HTML, formatted as the
    `date:"j F Y"` and `floatformat:1` filters would, once per page instead of per cell: a
    long placement has a few hundred weeks."""
    from django.utils.dates import MONTHS

    months = {k: str(escape(str(v))) for k, v in MONTHS.items()}
    sep = str(escape(get_format("DECIMAL_SEPARATOR")))

    def hours(value) -> str:
        return str(Decimal(value).quantize(TENTH, ROUND_HALF_UP)).replace(".", sep)

    return mark_safe(  # noqa: S308 - month names and the separator are escaped, the rest are numbers
        "".join(
            f'<tr><th scope="row">{r["week"].day} {months[r["week"].month]} {r["week"].year}</th>'
            f"<td>{hours(r['planned'])}</td><td>{hours(r['actual'])}</td><td>{hours(r['approved'])}</td></tr>"
            for r in rows
        )
    )


@permission_required(permissions.can_see_overview)
def overview(request):
    rows, backlog = selectors.overview(membership=request.membership)
    programmes = (
        Programme.objects.visible_to(request.membership)
        if permissions.can_edit_settings(request.membership)
        else []
    )
    return render(
        request, "logbooks/overview.html", {"rows": rows, "backlog": backlog, "programmes": programmes}
    )


# --- absences and accidents ----------------------------------------------------------------------
@permission_required(permissions.is_student)
def absence_new(request, pk: int):
    placement = _placement(request, pk)
    if not permissions.can_write_entry(request.membership, placement):
        raise PermissionDenied
    form = forms.AbsenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_absence(
                actor=request.membership,
                placement=placement,
                kind=data["kind"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                hours_per_day=data["hours_per_day"],
                reason=data["reason"],
                sick_note=data["sick_note"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your absence is reported; your mentor and coordinator are told."))
            return redirect("logbook-placement", pk=placement.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "logbooks/absence_form.html", {"form": form, "placement": placement}, status=status
    )


@membership_required
def absence_detail(request, pk: int):
    try:
        absence = (
            selectors.absences_for(membership=request.membership)
            .select_related("placement__programme", "placement__organisation")
            .get(pk=pk)
        )
    except Absence.DoesNotExist:
        raise Http404 from None
    m = request.membership
    form = forms.SickNoteForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        try:
            if "attest" in request.POST:
                services.set_attest_received(actor=m, absence=absence, received=request.POST["attest"] == "1")
                return redirect(request.path)
            if form.is_valid():
                services.add_sick_note(actor=m, absence=absence, upload=form.cleaned_data["sick_note"])
                messages.success(request, _("The sick note is added."))
                return redirect(request.path)
        except ValidationError as exc:
            _add_errors(form, exc)
    note = getattr(absence, "sick_note", None) if hasattr(absence, "sick_note") else None
    openings = []
    if note is not None and permissions.can_open_sick_note(m):
        openings = list(SickNoteOpening.objects.filter(note=note).select_related("user"))
    context = {
        "absence": absence,
        "note": note,
        "form": form,
        "openings": openings,
        "can_open": permissions.can_open_sick_note(m),
        "can_upload": permissions.can_write_entry(m, absence.placement) or permissions.can_open_sick_note(m),
    }
    return render(request, "logbooks/absence_detail.html", context, status=400 if form.errors else 200)


@never_cache
@permission_required(permissions.can_open_sick_note)
def sick_note(request, pk: int):
    """The sick note itself: coordinators only; every opening is recorded."""
    try:
        note = SickNote.objects.visible_to(request.membership).get(absence_id=pk)
    except SickNote.DoesNotExist:
        raise Http404 from None
    services.open_sick_note(actor=request.membership, note=note)
    response = HttpResponse(bytes(note.data), content_type=note.content_type)
    response["Content-Disposition"] = f'inline; filename="{note.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'"
    return response


@permission_required(permissions.is_student)
def incident_new(request, pk: int):
    placement = _placement(request, pk)
    if not permissions.can_write_entry(request.membership, placement):
        raise PermissionDenied
    form = forms.IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_incident(actor=request.membership, placement=placement, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The accident is reported to the coordinator."))
            return redirect("logbook-placement", pk=placement.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "logbooks/incident_form.html", {"form": form, "placement": placement}, status=status
    )


# --- exports ---------------------------------------------------------------------------------------
@membership_required
def export(request, pk: int, fmt: str):
    if fmt not in ("csv", "pdf"):
        raise Http404
    placement = _placement(request, pk)
    book = selectors.logbook(placement, full=True)
    entries = sorted(book.entries, key=lambda e: e.date)
    filename = f"logbook-{placement.student.last_name}-{placement.academic_year}".replace(" ", "-")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        writer = csv.writer(response)
        writer.writerow([_("Date"), _("Hours"), _("Site"), _("Activities"), _("Reflection"), _("Status")])
        for e in entries:
            writer.writerow(
                [
                    e.date.isoformat(),
                    e.hours,
                    e.site.name if e.site else "",
                    e.activities,
                    e.reflection,
                    e.get_status_display(),
                ]
            )
        for a in book.absences:
            writer.writerow(
                [
                    a.start_date.isoformat(),
                    "",
                    "",
                    f"{a.get_kind_display()} → {a.end_date.isoformat()}",
                    "",
                    "",
                ]
            )
        return response
    from wpl.pdf import render_pdf

    pdf = render_pdf("logbooks/export_pdf.html", {"placement": placement, "book": book, "entries": entries})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


# --- settings ----------------------------------------------------------------------------------------
@permission_required(permissions.can_edit_settings)
def settings_edit(request, pk: int):
    """The logbook rules of one programme (coordinators)."""
    try:
        programme = Programme.objects.visible_to(request.membership).get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    instance = LogbookSettings.for_programme(programme)
    form = forms.LogbookSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_logbook_settings(
            actor=request.membership, settings=form.instance, data=form.cleaned_data
        )
        messages.success(request, _("The logbook rules are saved."))
        return redirect(request.path)
    status = 400 if request.method == "POST" else 200
    return render(request, "logbooks/settings.html", {"form": form, "programme": programme}, status=status)


# --- installable web app ------------------------------------------------------------------------------
def service_worker(request):
    """The service worker, served from the root so its scope is the whole site."""
    response = HttpResponse(
        render_to_string("logbooks/sw.js", {"version": _sw_version()}), content_type="application/javascript"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def _sw_version() -> str:
    from django.conf import settings

    return getattr(settings, "WPL_SW_VERSION", "1")


def manifest(request):
    data = {
        "name": "WPL",
        "short_name": "WPL",
        "description": _("Workplace learning: your logbook, also offline."),
        "start_url": reverse("logbook"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e79",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": "/static/logbooks/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/logbooks/icon-512.png", "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- insurance ---------------------------------------------------------------------------------------
def _insurance_page(request, insurance: InsuranceSetting | None):
    programmes = Programme.objects.visible_to(request.membership).order_by("name")
    initial = (
        {
            "programme": insurance.programme_id,
            "insurer": insurance.insurer,
            "policy_number": insurance.policy_number,
            "contact": insurance.contact,
        }
        if insurance
        else {}
    )
    form = forms.InsuranceForm(request.POST or None, programmes=programmes, initial=initial)
    if request.method == "POST" and request.POST.get("op") == "delete" and insurance is not None:
        services.delete_insurance(actor=request.membership, insurance=insurance)
        messages.success(request, _("The insurance details were removed."))
        return redirect("logbook-insurance")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_insurance(
                actor=request.membership,
                insurance=insurance,
                programme=data["programme"],
                insurer=data["insurer"],
                policy_number=data["policy_number"],
                contact=data["contact"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The insurance details are saved."))
            return redirect("logbook-insurance")
    rows = InsuranceSetting.objects.select_related("programme").order_by("programme__name", "pk")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "logbooks/insurance.html", {"form": form, "rows": rows, "editing": insurance}, status=status
    )


@permission_required(permissions.can_edit_settings)
def insurance_list(request):
    """The school's work-accident insurance (insurer, policy number), for staff to keep up to date."""
    return _insurance_page(request, None)


@permission_required(permissions.can_edit_settings)
def insurance_edit(request, pk: int):
    insurance = InsuranceSetting.objects.filter(pk=pk).first()
    if insurance is None:
        raise Http404
    return _insurance_page(request, insurance)
