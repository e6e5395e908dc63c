"""The coordinator's side of matching: rounds, the board, proposals, publishing, supervisors.

Every page starts from `visible_to(request.membership)`; writes go through
`placements.services.matching`. Board actions answer HTMX with the updated row (plus
out-of-band updates of the summary and the offers' capacities) and fall back to a normal
POST + redirect without JavaScript. Conflicts answer 409 with a translated message.
"""

from __future__ import annotations

import csv
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from placements.forms.matching import AssignForm, ProposeForm, RoundForm, SupervisorForm
from placements.models import MatchingProposal, Placement, Programme, Student
from placements.selectors import matching as selectors
from placements.services import matching as services
from wpl import permissions as core
from wpl.views import membership_required

BOARD_FILTERS = {
    "": None,
    "unplaced": None,
    "conflicts": None,
}


def staff_required(view):
    """Signed in, with a role, and a coordinator or institution admin."""

    @membership_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not core.is_staff(request.membership):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _round(request, pk: int):
    return get_object_or_404(selectors.rounds(membership=request.membership), pk=pk)


def _require_post(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _int(value, default: int = 1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------


@staff_required
def round_list(request):
    rounds = selectors.rounds(membership=request.membership).order_by(
        "-academic_year", "programme__name", "year"
    )
    return render(request, "placements/matching/round_list.html", {"rounds": rounds})


@staff_required
def round_create(request):
    programmes = Programme.objects.visible_to(request.membership).order_by("name")
    form = RoundForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round = services.create_round(
                programme=data["programme"],
                academic_year=data["academic_year"],
                year=data["year"],
                name=data["name"],
                preferences_deadline=data["preferences_deadline"],
                ratings_deadline=data["ratings_deadline"],
                max_choices=data["max_choices"],
                by=request.user,
            )
        except services.MatchingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The matching round was created."))
            return redirect("matching-board", pk=round.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "placements/matching/round_form.html", {"form": form}, status=status)


# ---------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------


def _urls(round) -> dict[str, str]:
    """Action URLs of a board, reversed once instead of once per row."""
    return {
        "assign_url": reverse("matching-assign", kwargs={"pk": round.pk}),
        "unassign_url": reverse("matching-unassign", kwargs={"pk": round.pk}),
        "lock_url": reverse("matching-lock", kwargs={"pk": round.pk}),
        "students_url": reverse("matching-board", kwargs={"pk": round.pk}) + "students/",
    }


def _board_query(request) -> tuple[str, int]:
    only = request.GET.get("only", "")
    if only not in BOARD_FILTERS:
        only = ""
    return only, _int(request.GET.get("page"), 1)


@staff_required
def board(request, pk: int):
    round = _round(request, pk)
    only, page = _board_query(request)
    data, pages = selectors.board(round, only=only, page=page)
    return render(
        request,
        "placements/matching/board.html",
        {
            "round": round,
            "board": data,
            "only": only,
            "page": pages["page"],
            "pages": pages["pages"],
            "page_range": range(1, pages["pages"] + 1),
            "editable": round.status != round.Status.PUBLISHED,
            "return_query": f"?{request.GET.urlencode()}" if request.GET else "",
            **_urls(round),
            "latest_proposal": MatchingProposal.objects.filter(round=round)
            .only("id", "mode", "seed")
            .first(),
        },
    )


def _row_response(request, round, student_id: int, *, error: str = "", status: int = 200, offer_ids=()):
    data, _pages = selectors.board(round, student_ids=[student_id])
    row = data.rows[0] if data.rows else None
    if row is None:
        raise Http404
    row.error = error
    touched = [data.offers_by_id[o] for o in offer_ids if o in data.offers_by_id]
    return render(
        request,
        "placements/matching/_row_response.html",
        {
            "round": round,
            "row": row,
            "board": data,
            "touched": touched,
            "editable": round.status != round.Status.PUBLISHED,
            "return_query": request.POST.get("return", ""),
            **_urls(round),
        },
        status=status,
    )


def _board_action(request, pk: int, action: str):
    round = _round(request, pk)
    not_allowed = _require_post(request)
    if not_allowed:
        return not_allowed
    form = AssignForm(request.POST)
    if not form.is_valid() or (action == "assign" and not form.cleaned_data.get("offer")):
        message = _("Choose an offer.") if form.is_valid() else _("Reload the board and try again.")
        student_id = form.cleaned_data.get("student") if hasattr(form, "cleaned_data") else None
        return _action_result(request, round, student_id, error=message, status=400)
    data = form.cleaned_data
    student = Student.objects.visible_to(request.membership).filter(pk=data["student"]).first()
    if student is None:
        return _action_result(request, round, None, error=_("This student does not exist."), status=400)
    before = round.assignments.filter(student=student).values_list("offer_id", flat=True).first()
    try:
        if action == "assign":
            services.assign(
                round=round,
                student=student,
                offer_id=data["offer"],
                by=request.user,
                expected_offer_id=data["expected"],
            )
            done = _("Assignment saved.")
        elif action == "unassign":
            services.unassign(
                round=round, student=student, by=request.user, expected_offer_id=data["expected"]
            )
            done = _("Assignment removed.")
        else:
            services.set_lock(round=round, student=student, locked=data["locked"], by=request.user)
            done = _("Assignment locked.") if data["locked"] else _("Assignment unlocked.")
    except services.MatchingError as exc:
        return _action_result(
            request,
            round,
            student.pk,
            error=exc.message,
            status=exc.status,
            offer_ids=[before, data.get("offer")],
        )
    return _action_result(request, round, student.pk, success=done, offer_ids=[before, data.get("offer")])


def _action_result(request, round, student_id, *, error="", success="", status=200, offer_ids=()):
    if request.htmx and student_id:
        return _row_response(request, round, student_id, error=error, status=status, offer_ids=offer_ids)
    if request.htmx:
        return HttpResponse(error, status=status, content_type="text/plain; charset=utf-8")
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    target = reverse("matching-board", kwargs={"pk": round.pk})
    query = request.POST.get("return", "")
    if query.startswith("?") and "//" not in query:
        target += query
    if student_id:
        target += f"#student-{student_id}"
    return redirect(target)


@staff_required
def board_assign(request, pk: int):
    return _board_action(request, pk, "assign")


@staff_required
def board_unassign(request, pk: int):
    return _board_action(request, pk, "unassign")


@staff_required
def board_lock(request, pk: int):
    return _board_action(request, pk, "lock")


@staff_required
def board_student(request, pk: int, student_pk: int):
    """One student: every choice with the workplace's verdict, and assigning to any offer."""
    round = _round(request, pk)
    student = get_object_or_404(selectors.round_students(round).visible_to(request.membership), pk=student_pk)
    data, _pages = selectors.board(round, student_ids=[student.pk])
    row = data.rows[0] if data.rows else None
    return render(
        request,
        "placements/matching/student.html",
        {
            "round": round,
            "student": student,
            "row": row,
            "board": data,
            "choices": selectors.student_choices(round, student),
            "editable": round.status != round.Status.PUBLISHED,
        },
    )


@staff_required
def round_history(request, pk: int):
    round = _round(request, pk)
    return render(
        request, "placements/matching/history.html", {"round": round, "changes": selectors.history(round)}
    )


# ---------------------------------------------------------------------------
# Proposals
# ---------------------------------------------------------------------------


@staff_required
def propose(request, pk: int):
    round = _round(request, pk)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.propose(
                round=round, by=request.user, mode=form.cleaned_data["mode"], seed=form.cleaned_data["seed"]
            )
        except services.MatchingError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("matching-proposal", pk=round.pk, proposal_pk=proposal.pk)
    proposals = MatchingProposal.objects.filter(round=round).select_related("created_by")[:20]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "placements/matching/propose.html",
        {"round": round, "form": form, "proposals": proposals},
        status=status,
    )


def _proposal(request, round, proposal_pk: int) -> MatchingProposal:
    return get_object_or_404(
        MatchingProposal.objects.visible_to(request.membership).filter(round=round), pk=proposal_pk
    )


@staff_required
def proposal_detail(request, pk: int, proposal_pk: int):
    round = _round(request, pk)
    proposal = _proposal(request, round, proposal_pk)
    show = request.GET.get("show", "changes")
    rows, counts = selectors.proposal_diff(proposal)
    if show != "all":
        rows = [r for r in rows if r.kind != "unchanged"]
    return render(
        request,
        "placements/matching/proposal.html",
        {
            "round": round,
            "proposal": proposal,
            "rows": rows,
            "counts": counts,
            "show": show,
            "labels": selectors.DIFF_LABELS,
            "mode_label": selectors.MODES.get(proposal.mode, proposal.mode),
            "distribution": selectors.distribution_rows(proposal),
            "editable": round.status != round.Status.PUBLISHED,
        },
    )


@staff_required
def proposal_apply(request, pk: int, proposal_pk: int):
    round = _round(request, pk)
    proposal = _proposal(request, round, proposal_pk)
    not_allowed = _require_post(request)
    if not_allowed:
        return not_allowed
    try:
        counts = services.apply_proposal(proposal=proposal, by=request.user)
    except services.MatchingError as exc:
        messages.error(request, exc.message)
        return redirect("matching-proposal", pk=round.pk, proposal_pk=proposal.pk)
    messages.success(
        request,
        _("Proposal applied: %(added)s added, %(moved)s moved, %(removed)s removed.") % counts,
    )
    return redirect("matching-board", pk=round.pk)


# ---------------------------------------------------------------------------
# Publishing and supervisors
# ---------------------------------------------------------------------------


@staff_required
def publish(request, pk: int):
    round = _round(request, pk)
    data, _pages = selectors.board(round, page=1, page_size=1)
    if request.method == "POST":
        try:
            created = services.publish(round=round, by=request.user)
        except services.MatchingError as exc:
            messages.error(request, exc.message)
            return redirect("matching-publish", pk=round.pk)
        messages.success(
            request,
            _("Round published: %(n)s placements made; the students and workplaces are being notified.")
            % {"n": len(created)},
        )
        return redirect("matching-supervisors", pk=round.pk)
    return render(request, "placements/matching/publish.html", {"round": round, "board": data})


@staff_required
def supervisors(request, pk: int):
    round = _round(request, pk)
    placements = list(selectors.round_placements(round))
    people = list(selectors.supervisors())
    return render(
        request,
        "placements/matching/supervisors.html",
        {
            "round": round,
            "placements": placements,
            "supervisors": people,
            "load": selectors.supervisor_load(round),
        },
    )


@staff_required
def supervisor_set(request, pk: int, placement_pk: int):
    round = _round(request, pk)
    placement = get_object_or_404(
        selectors.round_placements(round).filter(
            pk__in=Placement.objects.visible_to(request.membership).values("pk")
        ),
        pk=placement_pk,
    )
    not_allowed = _require_post(request)
    if not_allowed:
        return not_allowed
    people = selectors.supervisors()
    form = SupervisorForm(request.POST, supervisors=people)
    error = ""
    status = 200
    if form.is_valid():
        try:
            placement = services.set_supervisor(
                placement=placement, supervisor=form.cleaned_data["supervisor"], by=request.user
            )
        except services.MatchingError as exc:
            error, status = exc.message, exc.status
    else:
        error, status = _("Choose a supervisor of this institution."), 400
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Supervisor saved."))
        return redirect("matching-supervisors", pk=round.pk)
    placement = selectors.round_placements(round).get(pk=placement.pk)
    return render(
        request,
        "placements/matching/_supervisor_response.html",
        {
            "round": round,
            "placement": placement,
            "supervisors": list(people),
            "load": selectors.supervisor_load(round),
            "error": error,
            "saved": not error,
        },
        status=status,
    )


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


@staff_required
def export(request, pk: int):
    """The whole round as JSON or CSV, enough to recompute any result."""
    round = _round(request, pk)
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "csv"):
        return HttpResponse(
            _("Choose format=json or format=csv."), status=400, content_type="text/plain; charset=utf-8"
        )
    data = selectors.export_round(round)
    filename = f"matching-round-{round.pk}"
    if fmt == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    for row in selectors.export_csv_rows(data):
        writer.writerow(row)
    return response


# ---------------------------------------------------------------------------
# The student's own placement
# ---------------------------------------------------------------------------


@membership_required
def my_placement(request):
    from placements.selectors.catalogue import year_plan

    placements = list(selectors.student_placements(membership=request.membership))
    # A student has one or two placements at a time; the plan per placement is a few queries.
    plans = [
        year_plan(
            programme=p.programme,
            year=p.year,
            academic_year=p.academic_year,
            start=p.start_date,
            end=p.end_date,
        )
        for p in placements
    ]
    context = {"placements": list(zip(placements, plans, strict=True))}
    return render(request, "placements/matching/my_placement.html", context)
