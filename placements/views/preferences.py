"""Matching, students' and workplaces' side: browse offers, visits, ranking, own employer,
candidate ratings, and the coordinator's record of a change of workplace (year 2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from placements.forms.preferences import (
    OfferFilterForm,
    OwnEmployerForm,
    RankingForm,
    RatingsForm,
    VisitForm,
    WorkplaceChangeForm,
    weekday_names,
)
from placements.models import (
    MatchingRound,
    Organisation,
    Placement,
    ProfessionalRole,
    Student,
    WorkplaceChange,
    WorkplaceVisit,
)
from placements.selectors import preferences as selectors
from placements.services import preferences as services
from wpl import permissions as core
from wpl.models import Role
from wpl.views import membership_required

# --- helpers ----------------------------------------------------------------------------------


def _require_student(request) -> Student | None:
    if request.membership.role != Role.STUDENT:
        raise PermissionDenied
    return selectors.student_for(request.membership)


def _student_round(request, pk: int) -> tuple[Student, MatchingRound]:
    student = _require_student(request)
    if student is None:
        raise Http404
    matching_round = get_object_or_404(
        selectors.rounds_for_student(membership=request.membership, student=student), pk=pk
    )
    return student, matching_round


def _add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields when they exist."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _round_context(matching_round: MatchingRound) -> dict:
    return {
        "round": matching_round,
        "round_open": selectors.round_is_open(matching_round),
    }


# --- students -----------------------------------------------------------------------------------


@membership_required
def preferences_home(request):
    """A student's matching rounds (their programme and year)."""
    student = _require_student(request)
    rounds = (
        list(selectors.rounds_for_student(membership=request.membership, student=student)) if student else []
    )
    return render(
        request,
        "placements/preferences/home.html",
        {"student": student, "rounds": rounds},
    )


@membership_required
def round_detail(request, pk: int):
    """The student's page in a round: what to do, the current ranking, or 'you stay at …'."""
    student, matching_round = _student_round(request, pk)
    stay = selectors.stay_organisation(matching_round=matching_round, student=student)
    context = {
        **_round_context(matching_round),
        "student": student,
        "stay": stay,
        "preferences": selectors.student_preferences(
            membership=request.membership, matching_round=matching_round, student=student
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
    return render(request, "placements/preferences/round.html", context)


@membership_required
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
        return render(request, "placements/preferences/_offer_results.html", context)
    return render(request, "placements/preferences/offers.html", context)


@membership_required
def offer_detail(request, pk: int):
    """One offer; the student records a visit or introductory interview here."""
    student = _require_student(request)
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
                matching_round=matching_round,
                student=student,
                offer=offer,
                kind=form.cleaned_data["kind"],
                date=form.cleaned_data["date"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
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
    return render(request, "placements/preferences/offer_detail.html", context)


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


@membership_required
def ranking(request, pk: int):
    """Rank up to max_choices offers with a short motivation; phone-friendly numbered slots."""
    student, matching_round = _student_round(request, pk)
    stay = selectors.stay_organisation(matching_round=matching_round, student=student)
    offers = list(selectors.offers_for_round(membership=request.membership, matching_round=matching_round))
    preferences = selectors.student_preferences(
        membership=request.membership, matching_round=matching_round, student=student
    )
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
                    matching_round=matching_round,
                    student=student,
                    choices=[services.Choice(rank=n, offer=o, motivation=m) for n, o, m in form.choices],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Your choices were saved."))
                target = reverse("preferences-round", args=[matching_round.pk])
                return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    else:
        initial = _ranking_initial(preferences)
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
    }
    if request.htmx and request.htmx.target == "ranking-form":
        return render(request, "placements/preferences/_ranking_form.html", context)
    return render(request, "placements/preferences/ranking.html", context)


@membership_required
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
        services.delete_visit(visit=visit)
        messages.success(request, _("The visit was removed."))
        return redirect("preferences-visits", pk=matching_round.pk)
    if request.method == "POST":
        form = VisitForm(request.POST, offers=offers)
        if form.is_valid():
            try:
                services.record_visit(
                    matching_round=matching_round,
                    student=student,
                    offer=form.cleaned_data["offer"],
                    kind=form.cleaned_data["kind"],
                    date=form.cleaned_data["date"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
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
    return render(request, "placements/preferences/visits.html", context)


@membership_required
def own_employer(request, pk: int):
    """A working student proposes their own employer as workplace (context 'own employee')."""
    student, matching_round = _student_round(request, pk)
    form = OwnEmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_own_employer(matching_round=matching_round, student=student, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
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
    return render(request, "placements/preferences/own_employer.html", context)


# --- workplaces: rate candidates ------------------------------------------------------------------


def _require_host(request) -> None:
    if request.membership.role not in (Role.MENTOR, Role.ORG_ADMIN):
        raise PermissionDenied


@membership_required
def candidates_list(request):
    """Offers of the mentor's / contact's organisations with candidates to rate."""
    _require_host(request)
    rows = selectors.offers_with_candidates(membership=request.membership)
    pending = []
    if request.membership.role == Role.MENTOR:
        pending = list(
            selectors.workplace_changes(membership=request.membership).filter(
                agreed_by_mentor_at__isnull=True
            )
        )
    return render(
        request, "placements/preferences/candidates_list.html", {"rows": rows, "pending_changes": pending}
    )


@membership_required
def candidate_ratings(request, pk: int):
    """Rate the candidates of one offer: yes / maybe / no and an optional ranking."""
    _require_host(request)
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
                    rated_by=request.user,
                    candidate_ids={c.student.pk for c in candidates},
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Your ratings were saved."))
                return redirect("candidates-offer", pk=offer.pk)
    context = {
        "offer": offer,
        "round": matching_round,
        "ratings_open": bool(matching_round) and selectors.ratings_are_open(matching_round),
        "form": form,
    }
    return render(request, "placements/preferences/candidate_ratings.html", context)


# --- coordinator: changes of workplace ---------------------------------------------------------------


def _require_staff(request) -> None:
    if not core.is_staff(request.membership):
        raise PermissionDenied


@membership_required
def workplace_changes(request):
    """Coordinators see every change; supervisors those of their students (to give agreement)."""
    if not core.is_school(request.membership):
        raise PermissionDenied
    changes = selectors.workplace_changes(membership=request.membership)
    return render(
        request,
        "placements/preferences/changes_list.html",
        {"changes": changes, "can_record": core.is_staff(request.membership)},
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
    elif str(request.GET.get("student", "")).isdigit():
        student = students.filter(pk=request.GET["student"]).first()
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
                change=change, recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if saved.is_fully_agreed:
                messages.success(request, _("The change of workplace is agreed by all three parties."))
            else:
                messages.success(
                    request,
                    _("Saved. The student stays at the current workplace until all three parties agree."),
                )
            return redirect("workplace-change-detail", pk=saved.pk)
    return render(request, "placements/preferences/change_form.html", {"form": form, "change": change})


@membership_required
def workplace_change_new(request):
    _require_staff(request)
    return _save_change(request, change=None)


@membership_required
def workplace_change_detail(request, pk: int):
    _require_staff(request)
    change = get_object_or_404(selectors.workplace_changes(membership=request.membership), pk=pk)
    return _save_change(request, change=change)


AGREEING_PARTIES = {
    Role.STUDENT: "agreed_by_student_at",
    Role.MENTOR: "agreed_by_mentor_at",
    Role.SUPERVISOR: "agreed_by_supervisor_at",
}


@membership_required
@require_http_methods(["GET", "POST"])
def workplace_change_agree(request, pk: int):
    """The student, the mentor or the supervisor gives their own agreement to a change."""
    field = AGREEING_PARTIES.get(request.membership.role)
    if field is None:
        raise PermissionDenied
    change = get_object_or_404(selectors.workplace_changes(membership=request.membership), pk=pk)
    if request.method == "POST":
        services.agree_to_workplace_change(change=change, party=field)
        messages.success(request, _("Thank you: your agreement was recorded."))
        return redirect("workplace-change-agree", pk=change.pk)
    return render(
        request,
        "placements/preferences/change_agree.html",
        {"change": change, "agreed_on": getattr(change, field)},
    )
