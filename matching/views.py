"""Matching, students' and workplaces' side: browse offers, visits, ranking, own employer,
candidate ratings, and the coordinator's record of a change of workplace (year 2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from catalogue.models import ProfessionalRole, Programme
from matching import permissions, selectors, services
from matching.forms import (
    AssignForm,
    FollowUpForm,
    OfferFilterForm,
    OwnEmployerForm,
    ProposeForm,
    PublishForm,
    RankingForm,
    RatingsForm,
    RoundForm,
    SupervisorForm,
    VisitForm,
    WorkplaceChangeForm,
    weekday_names,
)
from matching.models import MatchingProposal, MatchingRound, WorkplaceChange, WorkplaceVisit
from placements.models import Placement
from students.models import Student
from workplaces.models import Organisation
from wpl import exports
from wpl import permissions as core
from wpl.forms import add_service_errors
from wpl.ids import parse_id
from wpl.views import permission_required


def _student_round(request, pk: int) -> tuple[Student, MatchingRound]:
    """The student's own record and a round of theirs (404 otherwise); pages guard the role."""
    student = selectors.student_for(request.membership)
    if student is None:
        raise Http404
    matching_round = get_object_or_404(
        selectors.rounds_for_student(membership=request.membership, student=student), pk=pk
    )
    return student, matching_round


def _round_context(matching_round: MatchingRound) -> dict:
    return {
        "round": matching_round,
        "round_open": selectors.round_is_open(matching_round),
    }


@permission_required(permissions.can_state_preferences)
def preferences_home(request):
    """A student's matching rounds (their programme and year)."""
    student = selectors.student_for(request.membership)
    rounds = (
        list(selectors.rounds_for_student(membership=request.membership, student=student)) if student else []
    )
    return render(
        request,
        "matching/preferences/home.html",
        {"student": student, "rounds": rounds},
    )


@permission_required(permissions.can_state_preferences)
def round_detail(request, pk: int):
    """The student's page in a round: what to do, the current ranking, or 'you stay at …'."""
    student, matching_round = _student_round(request, pk)
    stay = selectors.stay_organisation(matching_round=matching_round, student=student)
    preferences = selectors.student_preferences(
        membership=request.membership, matching_round=matching_round, student=student
    )
    context = {
        **_round_context(matching_round),
        "student": student,
        "stay": stay,
        "preferences": preferences,
        "unavailable": selectors.unavailable_choices(
            membership=request.membership, matching_round=matching_round, preferences=preferences
        ),
        "visits": selectors.student_visits(
            membership=request.membership, matching_round=matching_round, student=student
        ),
        "proposals": selectors.own_employer_proposals(
            membership=request.membership, student=student, academic_year=matching_round.academic_year
        ),
        "pending_change": selectors.workplace_changes(membership=request.membership)
        .filter(
            student=student, academic_year=matching_round.academic_year, agreed_by_student_at__isnull=True
        )
        .first(),
    }
    return render(request, "matching/preferences/round.html", context)


@permission_required(permissions.can_state_preferences)
def offer_list(request, pk: int):
    """Accepted offers of the round, with filters (HTMX refreshes the results only)."""
    student, matching_round = _student_round(request, pk)
    roles = list(
        ProfessionalRole.objects.visible_to(request.membership).filter(programme=matching_round.programme)
    )
    form = OfferFilterForm(request.GET or None, roles=roles)
    filters = None
    if form.is_bound:
        form.is_valid()  # invalid values are shown on the form and left out of the filters
        filters = form.filters()
    offers = list(
        selectors.offers_for_round(
            membership=request.membership, matching_round=matching_round, student=student, filters=filters
        )
    )
    for offer in offers:
        offer.weekday_names = weekday_names(offer.weekdays)
    context = {**_round_context(matching_round), "student": student, "form": form, "offers": offers}
    if request.htmx and request.htmx.target == "offer-results":
        return render(request, "matching/preferences/_offer_results.html", context)
    return render(request, "matching/preferences/offers.html", context)


@permission_required(permissions.can_state_preferences)
def offer_detail(request, pk: int):
    """One offer; the student records a visit or introductory interview here."""
    student = selectors.student_for(request.membership)
    if student is None:
        raise Http404
    found = selectors.offer_for_student(membership=request.membership, student=student, offer_id=pk)
    if found is None:
        raise Http404
    offer, matching_round = found
    form = VisitForm(
        request.POST or None, offers=[offer], initial={"offer": str(offer.pk), "date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_visit(
                actor=request.membership,
                matching_round=matching_round,
                student=student,
                offer=offer,
                kind=form.cleaned_data["kind"],
                date=form.cleaned_data["date"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your visit was recorded."))
            return redirect("preferences-offer", pk=offer.pk)
    context = {
        **_round_context(matching_round),
        "student": student,
        "offer": offer,
        "weekday_names": weekday_names(offer.weekdays),
        "visits": selectors.student_visits(
            membership=request.membership, matching_round=matching_round, student=student, offer=offer
        ),
        "form": form,
    }
    return render(request, "matching/preferences/offer_detail.html", context)


def _ranking_initial(preferences) -> dict:
    initial = {}
    for p in preferences:
        initial[f"offer_{p.rank}"] = str(p.offer_id)
        initial[f"motivation_{p.rank}"] = p.motivation
    return initial


def _moved(data, max_choices: int, move: str) -> dict:
    """The posted slots with one choice moved up or down (no saving)."""
    values = {
        n: (data.get(f"offer_{n}", ""), data.get(f"motivation_{n}", "")) for n in range(1, max_choices + 1)
    }
    direction, _sep, number = move.partition("-")
    if number.isdigit():
        n = int(number)
        other = n - 1 if direction == "up" else n + 1
        if n in values and other in values:
            values[n], values[other] = values[other], values[n]
    initial = {}
    for n, (offer, motivation) in values.items():
        initial[f"offer_{n}"] = offer
        initial[f"motivation_{n}"] = motivation
    return initial


@permission_required(permissions.can_state_preferences)
def ranking(request, pk: int):
    """Rank up to max_choices offers with a short motivation; phone-friendly numbered slots."""
    student, matching_round = _student_round(request, pk)
    stay = selectors.stay_organisation(matching_round=matching_round, student=student)
    offers = list(selectors.offers_for_round(membership=request.membership, matching_round=matching_round))
    preferences = selectors.student_preferences(
        membership=request.membership, matching_round=matching_round, student=student
    )
    # Choices that closed since they were made are named, not silently dropped from the form.
    unavailable = selectors.unavailable_choices(
        membership=request.membership, matching_round=matching_round, preferences=preferences
    )
    gone = {str(u.offer.pk) for u in unavailable}
    moved = False
    if request.method == "POST" and request.POST.get("move"):
        form = RankingForm(
            offers=offers,
            max_choices=matching_round.max_choices,
            initial=_moved(request.POST, matching_round.max_choices, request.POST["move"]),
        )
        moved = True
    elif request.method == "POST":
        form = RankingForm(request.POST, offers=offers, max_choices=matching_round.max_choices)
        if form.is_valid():
            try:
                services.save_preferences(
                    actor=request.membership,
                    matching_round=matching_round,
                    student=student,
                    choices=[services.Choice(rank=n, offer=o, motivation=m) for n, o, m in form.choices],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your choices were saved."))
                target = reverse("preferences-round", args=[matching_round.pk])
                return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    else:
        initial = _ranking_initial(preferences)
        for u in unavailable:
            if initial.get(f"offer_{u.rank}") in gone:
                initial.pop(f"offer_{u.rank}")
                initial.pop(f"motivation_{u.rank}", None)
        add = request.GET.get("add", "")
        if add and add in {str(o.pk) for o in offers} and add not in initial.values():
            free = next(
                (n for n in range(1, matching_round.max_choices + 1) if f"offer_{n}" not in initial), None
            )
            if free is not None:
                initial[f"offer_{free}"] = add
        form = RankingForm(offers=offers, max_choices=matching_round.max_choices, initial=initial)
    context = {
        **_round_context(matching_round),
        "student": student,
        "stay": stay,
        "form": form,
        "moved": moved,
        "has_offers": bool(offers),
        "unavailable": unavailable,
    }
    if request.method == "GET":
        form.unavailable = {u.rank: u for u in unavailable}
    if request.htmx and request.htmx.target == "ranking-form":
        return render(request, "matching/preferences/_ranking_form.html", context)
    return render(request, "matching/preferences/ranking.html", context)


@permission_required(permissions.can_state_preferences)
def visits(request, pk: int):
    """The student's visits and introductory interviews in the round; add or remove one."""
    student, matching_round = _student_round(request, pk)
    offers = list(selectors.offers_for_round(membership=request.membership, matching_round=matching_round))
    form = VisitForm(offers=offers, initial={"date": timezone.localdate()})
    if request.method == "POST" and request.POST.get("action") == "delete":
        visit = get_object_or_404(
            WorkplaceVisit.objects.visible_to(request.membership).filter(
                round=matching_round, student=student
            ),
            pk=request.POST.get("visit") if str(request.POST.get("visit", "")).isdigit() else 0,
        )
        services.delete_visit(actor=request.membership, visit=visit)
        messages.success(request, _("The visit was removed."))
        return redirect("preferences-visits", pk=matching_round.pk)
    if request.method == "POST":
        form = VisitForm(request.POST, offers=offers)
        if form.is_valid():
            try:
                services.record_visit(
                    actor=request.membership,
                    matching_round=matching_round,
                    student=student,
                    offer=form.cleaned_data["offer"],
                    kind=form.cleaned_data["kind"],
                    date=form.cleaned_data["date"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your visit was recorded."))
                return redirect("preferences-visits", pk=matching_round.pk)
    context = {
        **_round_context(matching_round),
        "student": student,
        "form": form,
        "visits": selectors.student_visits(
            membership=request.membership, matching_round=matching_round, student=student
        ),
    }
    return render(request, "matching/preferences/visits.html", context)


@permission_required(permissions.can_state_preferences)
def own_employer(request, pk: int):
    """A working student proposes their own employer as workplace (context 'own employee')."""
    student, matching_round = _student_round(request, pk)
    form = OwnEmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_own_employer(
                actor=request.membership, matching_round=matching_round, student=student, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Thank you. The coordinator reviews your employer against the workplace criteria.")
            )
            return redirect("preferences-round", pk=matching_round.pk)
    context = {
        **_round_context(matching_round),
        "student": student,
        "form": form,
        "proposals": selectors.own_employer_proposals(
            membership=request.membership, student=student, academic_year=matching_round.academic_year
        ),
    }
    return render(request, "matching/preferences/own_employer.html", context)


@permission_required(permissions.can_rate_candidates)
def candidates_list(request):
    """Offers of the mentor's / contact's organisations with candidates to rate."""
    rows = selectors.offers_with_candidates(membership=request.membership)
    pending = []
    if core.is_mentor(request.membership):
        pending = list(
            selectors.workplace_changes(membership=request.membership).filter(
                agreed_by_mentor_at__isnull=True
            )
        )
    return render(
        request, "matching/preferences/candidates_list.html", {"rows": rows, "pending_changes": pending}
    )


@permission_required(permissions.can_rate_candidates)
def candidate_ratings(request, pk: int):
    """Rate the candidates of one offer: yes / maybe / no and an optional ranking."""
    offer = get_object_or_404(selectors.host_offers(request.membership), pk=pk)
    matching_round = selectors.round_of_offer(offer)
    candidates = (
        selectors.candidates_for_offer(
            membership=request.membership, matching_round=matching_round, offer=offer
        )
        if matching_round
        else []
    )
    form = RatingsForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        if matching_round is None:
            raise Http404
        if form.is_valid():
            try:
                services.save_ratings(
                    matching_round=matching_round,
                    offer=offer,
                    ratings=[
                        services.RatingInput(
                            student=c.student,
                            verdict=form.cleaned_data.get(f"verdict_{c.student.pk}") or "",
                            rank=form.cleaned_data.get(f"rank_{c.student.pk}"),
                        )
                        for c in candidates
                    ],
                    actor=request.membership,
                    candidate_ids={c.student.pk for c in candidates},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your ratings were saved."))
                return redirect("candidates-offer", pk=offer.pk)
    context = {
        "offer": offer,
        "round": matching_round,
        "ratings_open": bool(matching_round) and selectors.ratings_are_open(matching_round),
        "form": form,
    }
    return render(request, "matching/preferences/candidate_ratings.html", context)


@permission_required(permissions.can_see_workplace_changes)
def workplace_changes(request):
    """Coordinators see every change; supervisors those of their students (to give agreement)."""
    changes = selectors.workplace_changes(membership=request.membership)
    return render(
        request,
        "matching/preferences/changes_list.html",
        {"changes": changes, "can_record": permissions.can_manage_matching(request.membership)},
    )


def _change_form(request, *, change: WorkplaceChange | None):
    students = Student.objects.visible_to(request.membership).select_related("programme")
    organisations = Organisation.objects.visible_to(request.membership)
    initial = {}
    if change is not None:
        initial = {
            "student": change.student_id,
            "academic_year": change.academic_year,
            "from_organisation": change.from_organisation_id,
            "to_organisation": change.to_organisation_id,
            "reason": change.reason,
            "agreed_by_student_at": change.agreed_by_student_at,
            "agreed_by_mentor_at": change.agreed_by_mentor_at,
            "agreed_by_supervisor_at": change.agreed_by_supervisor_at,
        }
    elif parse_id(request.GET.get("student")):
        student = students.filter(pk=parse_id(request.GET["student"])).first()
        if student is not None:
            initial["student"] = student.pk
            placement = (
                Placement.objects.visible_to(request.membership)
                .filter(student=student)
                .order_by("-academic_year", "-year")
                .first()
            )
            if placement is not None:
                initial["from_organisation"] = placement.organisation_id
    return WorkplaceChangeForm(
        request.POST or None, students=students, organisations=organisations, initial=initial
    )


def _save_change(request, *, change: WorkplaceChange | None):
    form = _change_form(request, change=change)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_workplace_change(
                change=change, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if saved.is_fully_agreed:
                messages.success(request, _("The change of workplace is agreed by all three parties."))
            else:
                messages.success(
                    request,
                    _("Saved. The student stays at the current workplace until all three parties agree."),
                )
            return redirect("workplace-change-detail", pk=saved.pk)
    return render(request, "matching/preferences/change_form.html", {"form": form, "change": change})


@permission_required(permissions.can_manage_matching)
def workplace_change_new(request):
    return _save_change(request, change=None)


@permission_required(permissions.can_manage_matching)
def workplace_change_detail(request, pk: int):
    change = get_object_or_404(selectors.workplace_changes(membership=request.membership), pk=pk)
    return _save_change(request, change=change)


@permission_required(permissions.can_agree_to_workplace_change, methods=["GET", "POST"])
def workplace_change_agree(request, pk: int):
    """The student, the mentor or the supervisor gives their own agreement to a change."""
    field = permissions.agreement_field(request.membership)
    change = get_object_or_404(selectors.workplace_changes(membership=request.membership), pk=pk)
    if request.method == "POST":
        services.agree_to_workplace_change(actor=request.membership, change=change, party=field)
        messages.success(request, _("Thank you: your agreement was recorded."))
        return redirect("workplace-change-agree", pk=change.pk)
    return render(
        request,
        "matching/preferences/change_agree.html",
        {"change": change, "agreed_on": getattr(change, field)},
    )


BOARD_FILTERS = {
    "": None,
    "unplaced": None,
    "conflicts": None,
}


def _round(request, pk: int):
    return get_object_or_404(selectors.rounds(membership=request.membership), pk=pk)


def _post_only(request):
    """405 for anything but POST (asked after the object lookup: another tenant's round is 404)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _int(value, default: int = 1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@permission_required(permissions.can_manage_matching)
def round_list(request):
    rounds = selectors.rounds(membership=request.membership).order_by(
        "-academic_year", "programme__name", "year"
    )
    return render(request, "matching/round_list.html", {"rounds": rounds})


@permission_required(permissions.can_manage_matching)
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
                actor=request.membership,
            )
        except services.MatchingError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The matching round was created."))
            return redirect("matching-board", pk=round.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "matching/round_form.html", {"form": form}, status=status)


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


@permission_required(permissions.can_manage_matching)
def board(request, pk: int):
    round = _round(request, pk)
    only, page = _board_query(request)
    data, pages = selectors.board(round, only=only, page=page)
    return render(
        request,
        "matching/board.html",
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
        "matching/_row_response.html",
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
    not_allowed = _post_only(request)
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
                actor=request.membership,
                expected_offer_id=data["expected"],
            )
            done = _("Assignment saved.")
        elif action == "unassign":
            services.unassign(
                round=round, student=student, actor=request.membership, expected_offer_id=data["expected"]
            )
            done = _("Assignment removed.")
        else:
            services.set_lock(round=round, student=student, locked=data["locked"], actor=request.membership)
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


@permission_required(permissions.can_manage_matching)
def board_assign(request, pk: int):
    return _board_action(request, pk, "assign")


@permission_required(permissions.can_manage_matching)
def board_unassign(request, pk: int):
    return _board_action(request, pk, "unassign")


@permission_required(permissions.can_manage_matching)
def board_lock(request, pk: int):
    return _board_action(request, pk, "lock")


@permission_required(permissions.can_manage_matching)
def board_student(request, pk: int, student_pk: int):
    """One student: every choice with the workplace's verdict, and assigning to any offer."""
    round = _round(request, pk)
    student = get_object_or_404(selectors.round_students(round).visible_to(request.membership), pk=student_pk)
    data, _pages = selectors.board(round, student_ids=[student.pk])
    row = data.rows[0] if data.rows else None
    return render(
        request,
        "matching/student.html",
        {
            "round": round,
            "student": student,
            "row": row,
            "board": data,
            "choices": selectors.student_choices(round, student),
            "editable": round.status != round.Status.PUBLISHED,
        },
    )


@permission_required(permissions.can_manage_matching)
def round_history(request, pk: int):
    round = _round(request, pk)
    return render(request, "matching/history.html", {"round": round, "changes": selectors.history(round)})


@permission_required(permissions.can_manage_matching)
def propose(request, pk: int):
    round = _round(request, pk)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.propose(
                round=round,
                actor=request.membership,
                mode=form.cleaned_data["mode"],
                seed=form.cleaned_data["seed"],
            )
        except services.MatchingError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("matching-proposal", pk=round.pk, proposal_pk=proposal.pk)
    proposals = MatchingProposal.objects.filter(round=round).select_related("created_by")[:20]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "matching/propose.html",
        {"round": round, "form": form, "proposals": proposals},
        status=status,
    )


def _proposal(request, round, proposal_pk: int) -> MatchingProposal:
    return get_object_or_404(
        MatchingProposal.objects.visible_to(request.membership).filter(round=round), pk=proposal_pk
    )


@permission_required(permissions.can_manage_matching)
def proposal_detail(request, pk: int, proposal_pk: int):
    round = _round(request, pk)
    proposal = _proposal(request, round, proposal_pk)
    show = request.GET.get("show", "changes")
    rows, counts = selectors.proposal_diff(proposal)
    if show != "all":
        rows = [r for r in rows if r.kind != "unchanged"]
    return render(
        request,
        "matching/proposal.html",
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


@permission_required(permissions.can_manage_matching)
def proposal_apply(request, pk: int, proposal_pk: int):
    round = _round(request, pk)
    proposal = _proposal(request, round, proposal_pk)
    not_allowed = _post_only(request)
    if not_allowed:
        return not_allowed
    try:
        counts = services.apply_proposal(proposal=proposal, actor=request.membership)
    except services.MatchingError as exc:
        messages.error(request, exc.message)
        return redirect("matching-proposal", pk=round.pk, proposal_pk=proposal.pk)
    messages.success(
        request,
        _("Proposal applied: %(added)s added, %(moved)s moved, %(removed)s removed.") % counts,
    )
    return redirect("matching-board", pk=round.pk)


@permission_required(permissions.can_manage_matching)
def publish(request, pk: int):
    """Ask for confirmation, naming what is wrong; refuse what may not be published at all."""
    round = _round(request, pk)
    data, _pages = selectors.board(round, page=1, page_size=1)
    check = selectors.publish_check(round) if round.status != round.Status.PUBLISHED else None
    form = PublishForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        needs = check.acknowledgements if check else frozenset()
        ticked = form.cleaned_data["confirm"]
        confirmed = ticked and check is not None and form.cleaned_data["token"] == check.token
        if needs and ticked and not confirmed:
            messages.error(request, _("The board changed since you looked; check the problems again."))
            status = 409
        else:
            try:
                created = services.publish(
                    round=round,
                    actor=request.membership,
                    acknowledged=needs if confirmed else (),
                )
            except services.PublishNeedsConfirmation as exc:
                check = exc.check
                messages.error(request, _("Confirm the problems below before publishing."))
                status = 409
            except services.MatchingError as exc:
                messages.error(request, exc.message)
                return redirect("matching-publish", pk=round.pk)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Round published: %(n)s placement made; the students and workplaces are being "
                        "notified.",
                        "Round published: %(n)s placements made; the students and workplaces are being "
                        "notified.",
                        len(created),
                    )
                    % {"n": len(created)},
                )
                return redirect("matching-supervisors", pk=round.pk)
    return render(
        request,
        "matching/publish.html",
        {"round": round, "board": data, "check": check},
        status=status,
    )


@permission_required(permissions.can_manage_matching)
def follow_up(request, pk: int):
    """Open a follow-up round for the students this published round left unplaced."""
    round = _round(request, pk)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_follow_up(round=round, actor=request.membership, **form.cleaned_data)
        except services.MatchingError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The follow-up round was opened."))
            return redirect("matching-board", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "matching/follow_up.html",
        {
            "round": round,
            "form": form,
            "unplaced": selectors.unplaced_after(round),
            "offers_left": selectors.round_offers_left(round),
        },
        status=status,
    )


@permission_required(permissions.can_manage_matching)
def supervisors(request, pk: int):
    round = _round(request, pk)
    placements = list(selectors.round_placements(round))
    people = list(selectors.supervisors())
    return render(
        request,
        "matching/supervisors.html",
        {
            "round": round,
            "placements": placements,
            "supervisors": people,
            "load": selectors.supervisor_load(round),
        },
    )


@permission_required(permissions.can_manage_matching)
def supervisor_set(request, pk: int, placement_pk: int):
    round = _round(request, pk)
    placement = get_object_or_404(
        selectors.round_placements(round).filter(
            pk__in=Placement.objects.visible_to(request.membership).values("pk")
        ),
        pk=placement_pk,
    )
    not_allowed = _post_only(request)
    if not_allowed:
        return not_allowed
    people = selectors.supervisors()
    form = SupervisorForm(request.POST, supervisors=people)
    error = ""
    status = 200
    if form.is_valid():
        try:
            placement = services.set_supervisor(
                placement=placement, supervisor=form.cleaned_data["supervisor"], actor=request.membership
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
        "matching/_supervisor_response.html",
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


@permission_required(permissions.can_manage_matching)
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
    # The shared writer neutralises formulas (organisation and student names are user input).
    header, *rows = selectors.export_csv_rows(data)
    response = HttpResponse(
        exports.csv_bytes(header, rows, delimiter=",", bom=False), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
