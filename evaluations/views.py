"""Pages of the evaluations area. Thin: rules live in services, reads in selectors.

Mentors reach their pages through the platform's password-free access (an invitation
link, then sign-in by e-mailed code) like every other mentor page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluations import forms, permissions, rubric_io, selectors, services
from evaluations.models import Evaluation, EvaluationSettings, Party, Rubric, tr
from wpl import permissions as core
from wpl.academic_years import current_academic_year
from wpl.forms import add_service_errors
from wpl.ids import parse_id
from wpl.views import permission_required


def _evaluation(request, pk: int) -> Evaluation:
    try:
        return selectors.evaluation_detail(membership=request.membership, pk=pk)
    except Evaluation.DoesNotExist:
        raise Http404 from None


def _moment_label(evaluation: Evaluation) -> str:
    return EvaluationSettings.for_programme(evaluation.placement.programme).moment_label(evaluation.moment)


# --- lists --------------------------------------------------------------------------------------
@permission_required(permissions.can_see_evaluations)
def evaluation_list(request):
    """Everyone's evaluations as far as they may see them; `?todo=1` what waits on this person."""
    m = request.membership
    qs = selectors.evaluations_for(membership=m, status=request.GET.get("status", ""))
    # `?todo=1`: everything waiting on me; `?todo=<step>`: what a start-page item counted.
    todo = request.GET.get("todo", "")[:20]
    if todo:
        step = "" if todo == "1" else todo
        qs = qs.filter(pk__in=selectors.waiting(m, step).values("pk"))
    rows = selectors.list_rows(membership=m, evaluations=qs[:300])
    student = None
    if permissions.is_student(m):
        from students.models import Student

        student = Student.objects.visible_to(m).filter(user_id=m.user_id).first()
    return render(
        request,
        "evaluations/evaluation_list.html",
        {
            "rows": rows,
            "todo": todo,
            "statuses": Evaluation.Status.choices,
            "status": request.GET.get("status", ""),
            "is_school": core.is_school(m),
            "can_author": permissions.can_author_rubrics(m),
            "student": student,
        },
    )


@permission_required(permissions.can_author_rubrics)
def open_moment(request):
    """Staff open one moment for every placement of a programme and year."""
    m = request.membership
    form = forms.OpenMomentForm(
        request.POST or None,
        membership=m,
        initial={"moment": "final", "academic_year": current_academic_year()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opened = services.open_for_programme(
                actor=m,
                programme=data["programme"],
                moment=data["moment"],
                academic_year=data["academic_year"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(n)s evaluation was opened.", "%(n)s evaluations were opened.", opened)
                % {"n": opened},
            )
            return redirect("evaluation-list")
    from django.db.models import Count

    year = current_academic_year()
    waiting = (
        selectors.placements_without_evaluation(m, year)
        .values("programme__name")
        .annotate(n=Count("id"))
        .order_by("programme__name")
    )
    return render(
        request,
        "evaluations/open_moment.html",
        {"form": form, "waiting": list(waiting), "year": year},
        status=400 if request.method == "POST" else 200,
    )


@permission_required(permissions.can_lead_evaluations)
def placement_evaluations(request, pk: int):
    """The moments of one placement; staff and its supervisor open them."""
    from placements.models import Placement

    m = request.membership
    placement = (
        Placement.objects.visible_to(m)
        .select_related("student", "programme", "organisation")
        .filter(pk=pk)
        .first()
    )
    if placement is None:
        raise Http404
    settings_row = EvaluationSettings.for_programme(placement.programme)
    existing = {e.moment: e for e in Evaluation.objects.filter(placement=placement)}
    if request.method == "POST":
        if not permissions.can_lead(m, placement):
            raise PermissionDenied
        try:
            evaluation = services.open_evaluation(
                actor=m, placement=placement, moment=request.POST.get("moment", "")[:40]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The evaluation is open; the mentor and the student were told."))
            return redirect("evaluation-detail", pk=evaluation.pk)
        return redirect(request.path)
    moments = [(mo["key"], tr(mo.get("label")), existing.get(mo["key"])) for mo in settings_row.moments]
    return render(
        request,
        "evaluations/placement.html",
        {"placement": placement, "moments": moments, "can_lead": permissions.can_lead(m, placement)},
    )


# --- one evaluation -------------------------------------------------------------------------------
@permission_required(permissions.can_see_evaluations)
def evaluation_detail(request, pk: int):
    m = request.membership
    evaluation = _evaluation(request, pk)
    sheet = selectors.sheet(evaluation=evaluation, membership=m)
    party = permissions.party_of(m, evaluation.placement)
    lead = permissions.can_lead(m, evaluation.placement)
    return render(
        request,
        "evaluations/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "moment": _moment_label(evaluation),
            "sheet": sheet,
            "evidence": selectors.evidence_labels(evaluation.placement, sheet),
            "party": party,
            "can_fill": party is not None
            and evaluation.status == Evaluation.Status.OPEN
            and evaluation.submitted_at(party) is None,
            "can_lead": lead,
            "show_score": (lead or core.is_school(m) or evaluation.published_at is not None)
            and evaluation.final_score is not None,
            "can_reflect": party == Party.STUDENT and services.can_reflect(evaluation),
            "present_labels": _present_labels(evaluation),
        },
    )


def _present_labels(evaluation: Evaluation) -> list[str]:
    labels = {"student": _("Student"), "mentor": _("Mentor"), "supervisor": _("Supervisor")}
    names = [labels[p] for p in evaluation.present if p in labels]
    if evaluation.present_others:
        names.append(evaluation.present_others)
    return names


@permission_required(permissions.can_fill)
def fill(request, pk: int):
    """The mentor's rubric or the student's self-evaluation: one card per criterion, autosaved."""
    m = request.membership
    evaluation = _evaluation(request, pk)
    party = permissions.party_of(m, evaluation.placement)
    if party is None:
        raise Http404
    if request.method == "POST":
        try:
            services.submit(actor=m, evaluation=evaluation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(request.path)
        messages.success(request, _("Your assessment is submitted. Thank you!"))
        return redirect("evaluation-detail", pk=evaluation.pk)
    sheet = selectors.sheet(evaluation=evaluation, membership=m)
    from wpl import registry

    options = registry.evidence_options(evaluation.placement)[:40]
    return render(
        request,
        "evaluations/fill.html",
        {
            "evaluation": evaluation,
            "moment": _moment_label(evaluation),
            "sheet": sheet,
            "party": party,
            "own": [(row, row.scores.get(party)) for row in sheet.rows],
            "other": Party.STUDENT if party == Party.MENTOR else Party.MENTOR,
            "editable": evaluation.status == Evaluation.Status.OPEN
            and evaluation.submitted_at(party) is None,
            "phrases": selectors.phrases_for(evaluation.version.rubric),
            "evidence_options": options,
            "filled": sheet.filled(party),
        },
    )


@permission_required(permissions.can_fill)
def autosave(request, pk: int, criterion: int):
    """Save one criterion (HTMX answers a status line; a plain form post goes back to the page)."""
    evaluation = _evaluation(request, pk)
    if permissions.party_of(request.membership, evaluation.placement) is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    raw_level = request.POST.get("level", "")
    level_id = parse_id(raw_level) if raw_level else None
    htmx = request.headers.get("HX-Request") == "true"
    try:
        if raw_level and level_id is None:
            raise ValidationError({"level": _("Choose one of the rubric's levels.")})
        services.save_criterion(
            actor=request.membership,
            evaluation=evaluation,
            criterion_id=criterion,
            level_id=level_id,
            comment=request.POST.get("comment", ""),
            evidence=[k[:40] for k in request.POST.getlist("evidence")[:50]],
        )
    except ValidationError as exc:
        text = " ".join(exc.messages)
        if htmx:
            return render(request, "evaluations/_saved.html", {"error": text}, status=400)
        messages.error(request, text)
    else:
        if htmx:
            return render(request, "evaluations/_saved.html", {"at": timezone.now()})
        messages.success(request, _("Saved."))
    return redirect(reverse("evaluation-fill", kwargs={"pk": pk}) + f"#criterion-{criterion}")


def _lead(request, pk: int) -> Evaluation:
    evaluation = _evaluation(request, pk)
    if not permissions.can_lead(request.membership, evaluation.placement):
        raise PermissionDenied
    return evaluation


@permission_required(permissions.can_lead_evaluations)
def meeting(request, pk: int):
    """The evaluation meeting: both assessments side by side; record the agreed version."""
    m = request.membership
    evaluation = _lead(request, pk)
    sheet = selectors.sheet(evaluation=evaluation, membership=m)
    errors: list[str] = []
    posted = None
    if request.method == "POST":
        posted = request.POST
        agreed = {}
        for row in sheet.rows:
            cid = row.criterion.pk
            raw = request.POST.get(f"level_{cid}", "")
            agreed[cid] = (parse_id(raw), request.POST.get(f"comment_{cid}", "")[:4000])
        try:
            services.record_meeting(
                actor=m,
                evaluation=evaluation,
                agreed=agreed,
                present=request.POST.getlist("present"),
                present_others=request.POST.get("present_others", ""),
                notes=request.POST.get("notes", ""),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The agreed version of the meeting is recorded."))
            return redirect("evaluation-detail", pk=evaluation.pk)
    rows = []
    for row in sheet.rows:
        cid = row.criterion.pk
        agreed_row = row.scores.get(Party.AGREED)
        mentor_row = row.scores.get(Party.MENTOR)
        if posted is not None:
            chosen = parse_id(posted.get(f"level_{cid}", ""))
            comment = posted.get(f"comment_{cid}", "")
        else:
            # The mentor's level is the starting point of the conversation (002_…txt).
            source = agreed_row or mentor_row
            chosen = source.level_id if source else None
            comment = agreed_row.comment if agreed_row else ""
        rows.append({"row": row, "chosen": chosen, "comment": comment})
    present = (
        posted.getlist("present")
        if posted is not None
        else (evaluation.present or list(services.PRESENT_ROLES))
    )
    return render(
        request,
        "evaluations/meeting.html",
        {
            "evaluation": evaluation,
            "moment": _moment_label(evaluation),
            "sheet": sheet,
            "rows": rows,
            "errors": errors,
            "present": present,
            "present_others": posted.get("present_others", "")
            if posted is not None
            else evaluation.present_others,
            "notes": posted.get("notes", "") if posted is not None else evaluation.meeting_notes,
            "locked": evaluation.status not in (Evaluation.Status.OPEN, Evaluation.Status.MET),
        },
        status=400 if errors else 200,
    )


@permission_required(permissions.can_lead_evaluations)
def score(request, pk: int):
    """The supervisor converts the agreed version to a score, may override it, and publishes."""
    m = request.membership
    evaluation = _lead(request, pk)
    components = services.components_for(evaluation)
    if evaluation.component_values:
        initial = {f"component_{k}": v for k, v in evaluation.component_values.items()}
    else:
        proposed = services.proposed_inputs(evaluation)
        initial = {f"component_{k}": v for k, v in proposed.items() if v is not None}
    if evaluation.final_score is not None and evaluation.final_score != evaluation.computed_score:
        initial.update(final_score=evaluation.final_score, reason=evaluation.override_reason)
    form = forms.ScoreForm(request.POST or None, components=components, initial=initial)
    if request.method == "POST":
        if request.POST.get("op") == "publish":
            try:
                services.publish_score(actor=m, evaluation=evaluation)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(request.path)
            messages.success(request, _("The score is published; the student was told."))
            return redirect("evaluation-detail", pk=evaluation.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                evaluation = services.set_score(
                    actor=m,
                    evaluation=evaluation,
                    component_values={c["key"]: data[f"component_{c['key']}"] for c in components},
                    final_score=data["final_score"],
                    reason=data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The score is saved. Check it, then publish it."))
                return redirect(request.path)
    settings_row = EvaluationSettings.for_programme(evaluation.placement.programme)
    return render(
        request,
        "evaluations/score.html",
        {
            "evaluation": evaluation,
            "moment": _moment_label(evaluation),
            "form": form,
            "settings": settings_row,
            "scored_moment": services.is_scored_moment(evaluation),
            "ready": evaluation.status in (Evaluation.Status.MET, Evaluation.Status.SCORED),
        },
        status=400 if request.method == "POST" else 200,
    )


@permission_required(permissions.is_student)
def reflection(request, pk: int):
    """The student's reflection closes the evaluation (with an optional rating of the workplace)."""
    m = request.membership
    evaluation = _evaluation(request, pk)
    if permissions.party_of(m, evaluation.placement) != Party.STUDENT:
        raise Http404
    initial = {
        "reflection": evaluation.reflection,
        "workplace_rating": evaluation.workplace_rating,
        "workplace_comment": evaluation.workplace_comment,
    }
    form = forms.ReflectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.write_reflection(
                actor=m,
                evaluation=evaluation,
                text=data["reflection"],
                workplace_rating=data["workplace_rating"],
                workplace_comment=data["workplace_comment"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your reflection is saved; the evaluation is closed."))
            return redirect("evaluation-detail", pk=evaluation.pk)
    return render(
        request,
        "evaluations/reflection.html",
        {
            "evaluation": evaluation,
            "moment": _moment_label(evaluation),
            "form": form,
            "open": services.can_reflect(evaluation),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the competence overview (portfolio) and the scores export ---------------------------------------
def _student(request, pk: int):
    from students.models import Student

    m = request.membership
    student = Student.objects.visible_to(m).filter(pk=pk).first()
    if student is None or (permissions.is_student(m) and student.user_id != m.user_id):
        raise Http404
    return student


@permission_required(permissions.can_see_overview)
def overview(request, pk: int):
    student = _student(request, pk)
    groups = selectors.competence_overview(membership=request.membership, student=student)
    return render(request, "evaluations/overview.html", {"student": student, "groups": groups})


@permission_required(permissions.can_see_overview)
def overview_pdf(request, pk: int):
    from wpl.pdf import render_pdf

    student = _student(request, pk)
    groups = selectors.competence_overview(membership=request.membership, student=student)
    pdf = render_pdf(
        "evaluations/overview_pdf.html",
        {
            "student": student,
            "groups": groups,
            "institution": request.membership.institution,
            "today": timezone.localdate(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="portfolio-{student.student_number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required(permissions.can_lead_evaluations)
def scores_export(request):
    from wpl.exports import CSV, export_response

    headers = [
        _("Student number"),
        _("Last name"),
        _("First name"),
        _("Programme"),
        _("WPL unit"),
        _("Academic year"),
        _("Moment"),
        _("Computed score"),
        _("Final score"),
        _("Out of"),
        _("Reason for the change"),
        _("Published on"),
    ]
    return export_response(
        fmt=CSV,
        basename="scores",
        headers=headers,
        rows=selectors.score_rows(
            membership=request.membership,
            programme=request.GET.get("programme", ""),
            academic_year=request.GET.get("academic_year", ""),
        ),
    )


# --- programme settings ------------------------------------------------------------------------------
@permission_required(permissions.can_author_rubrics)
def settings_edit(request, pk: int):
    from catalogue.models import Programme

    m = request.membership
    programme = Programme.objects.visible_to(m).filter(pk=pk).first()
    if programme is None:
        raise Http404
    row = EvaluationSettings.for_programme(programme)
    data = request.POST if request.method == "POST" else None
    form = forms.SettingsForm(data, initial=forms.SettingsForm.initial_for(row))
    moments = forms.MomentFormSet(data, prefix="moment", initial=forms.SettingsForm.moments_initial(row))
    components = forms.ComponentFormSet(
        data, prefix="component", initial=forms.SettingsForm.components_initial(row)
    )
    if request.method == "POST" and all([form.is_valid(), moments.is_valid(), components.is_valid()]):
        try:
            services.save_settings(
                actor=m,
                programme=programme,
                moments=moments.rows(),
                components=components.rows(),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The evaluation rules are saved."))
            return redirect(request.path)
    return render(
        request,
        "evaluations/settings.html",
        {"programme": programme, "form": form, "moments": moments, "components": components},
        status=400 if request.method == "POST" else 200,
    )


# --- rubric authoring --------------------------------------------------------------------------------
def _rubric(request, pk: int) -> Rubric:
    try:
        return selectors.rubric_detail(membership=request.membership, pk=pk)
    except Rubric.DoesNotExist:
        raise Http404 from None


@permission_required(permissions.can_see_rubrics)
def rubric_list(request):
    from catalogue.models import Programme

    return render(
        request,
        "evaluations/rubric_list.html",
        {
            "rubrics": selectors.rubrics_for(membership=request.membership),
            "programmes": Programme.objects.visible_to(request.membership),
            "can_author": permissions.can_author_rubrics(request.membership),
        },
    )


@permission_required(permissions.can_author_rubrics)
def rubric_create(request):
    m = request.membership
    form = forms.RubricCreateForm(request.POST or None, request.FILES or None, membership=m)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("document")
        try:
            if upload:
                if upload.size > rubric_io.MAX_BYTES:
                    raise ValidationError(
                        {
                            "document": _("The file is larger than %(kb)s kB.")
                            % {"kb": rubric_io.MAX_BYTES // 1000}
                        }
                    )
                document = rubric_io.loads(upload.read())
                rubric = services.import_rubric(
                    actor=m,
                    programme=data["programme"],
                    name=data["name"],
                    document=document,
                    wpl_unit=data["wpl_unit"],
                )
            else:
                rubric = services.create_rubric(
                    actor=m, programme=data["programme"], name=data["name"], wpl_unit=data["wpl_unit"]
                )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_errors(form, exc)
            else:
                for message in exc.messages:
                    form.add_error("document" if upload else None, message)
        else:
            messages.success(request, _("The rubric is created as a draft. Check it, then publish it."))
            return redirect("rubric-detail", pk=rubric.pk)
    return render(
        request,
        "evaluations/rubric_create.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@permission_required(permissions.can_see_rubrics)
def rubric_detail(request, pk: int):
    m = request.membership
    rubric = _rubric(request, pk)
    if request.method == "POST":
        if not permissions.can_author_rubrics(m):
            raise PermissionDenied
        op = request.POST.get("op")
        try:
            if op == "publish":
                draft = services.draft_of(rubric)
                if draft is None:
                    raise ValidationError(_("There is no draft to publish."))
                services.publish_version(actor=m, version=draft)
                messages.success(request, _("Version %(n)s is published.") % {"n": draft.number})
            elif op == "edit":
                draft = services.edit_rubric(actor=m, rubric=rubric)
                return redirect("rubric-edit", pk=rubric.pk)
            elif op == "phrases":
                phrases_form = forms.PhrasesForm(request.POST)
                if phrases_form.is_valid():
                    n = services.save_phrases(actor=m, rubric=rubric, phrases=phrases_form.by_language())
                    messages.success(request, _("The comment bank holds %(n)s phrases.") % {"n": n})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(request.path)
    from django.db.models import Count

    versions = list(rubric.versions.annotate(n=Count("evaluations")).order_by("-number"))
    draft = services.draft_of(rubric)
    return render(
        request,
        "evaluations/rubric_detail.html",
        {
            "rubric": rubric,
            "versions": versions,
            "draft": draft,
            "draft_criteria": list(draft.criteria.all()) if draft else [],
            "can_author": permissions.can_author_rubrics(m),
            "phrases_form": forms.PhrasesForm(initial=forms.PhrasesForm.initial_for(rubric.phrases.all())),
        },
    )


@permission_required(permissions.can_author_rubrics)
def rubric_edit(request, pk: int):
    """Edit the draft as JSON (the export format): every problem is listed, nothing is lost."""
    m = request.membership
    rubric = _rubric(request, pk)
    draft = services.draft_of(rubric)
    if draft is None:
        messages.info(request, _("Start a new version to edit this rubric."))
        return redirect("rubric-detail", pk=rubric.pk)
    form = forms.RubricJsonForm(
        request.POST or None, initial={"document": rubric_io.dumps(rubric_io.export(draft))}
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = rubric_io.loads(form.cleaned_data["document"])
            services.save_draft(actor=m, version=draft, document=document)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("document", message)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("rubric-preview", pk=rubric.pk)
    return render(
        request,
        "evaluations/rubric_edit.html",
        {"rubric": rubric, "draft": draft, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@permission_required(permissions.can_author_rubrics)
def rubric_criterion(request, pk: int, number: int):
    """Edit one criterion of the draft in a form (or add one: the number after the last).

    The form fills the same JSON document as the JSON editor, so one validation applies.
    """
    m = request.membership
    rubric = _rubric(request, pk)
    draft = services.draft_of(rubric)
    if draft is None:
        messages.info(request, _("Start a new version to edit this rubric."))
        return redirect("rubric-detail", pk=rubric.pk)
    document = rubric_io.export(draft)
    criteria = document["criteria"]
    if not 1 <= number <= len(criteria) + 1:
        raise Http404
    levels = [tr(level["label"]) for level in document["levels"]]
    existing = criteria[number - 1] if number <= len(criteria) else {}
    form = forms.CriterionForm(
        request.POST or None,
        levels=levels,
        programme=rubric.programme,
        initial=forms.CriterionForm.initial_for(existing, len(levels)),
    )
    if request.method == "POST":
        if request.POST.get("op") == "delete" and existing:
            del criteria[number - 1]
            try:
                services.save_draft(actor=m, version=draft, document=document)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("rubric-detail", pk=rubric.pk)
        if form.is_valid():
            if existing:
                criteria[number - 1] = form.criterion(len(levels))
            else:
                criteria.append(form.criterion(len(levels)))
            try:
                services.save_draft(actor=m, version=draft, document=document)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The criterion is saved."))
                return redirect("rubric-detail", pk=rubric.pk)
    return render(
        request,
        "evaluations/rubric_criterion.html",
        {"rubric": rubric, "draft": draft, "form": form, "number": number, "existing": bool(existing)},
        status=400 if request.method == "POST" else 200,
    )


@permission_required(permissions.can_see_rubrics)
def rubric_preview(request, pk: int):
    """A version as mentors and students will see it, in the chosen language."""
    rubric = _rubric(request, pk)
    number = parse_id(request.GET.get("version", "")) if request.GET.get("version") else None
    version = selectors.version_of(rubric, number)
    if version is None:
        raise Http404
    language = request.GET.get("lang", "")
    language = language if language in ("nl", "fr", "en") else None
    levels = list(version.levels.all())
    criteria = list(version.criteria.select_related("competence", "role", "objective"))
    rows = [
        (
            tr(c.title, language),
            c,
            [
                (tr(lv.label, language), tr(c.descriptors[i], language) if i < len(c.descriptors) else "")
                for i, lv in enumerate(levels)
            ],
        )
        for c in criteria
    ]
    return render(
        request,
        "evaluations/rubric_preview.html",
        {
            "rubric": rubric,
            "version": version,
            "title": tr(version.title, language),
            "levels": [(tr(lv.label, language), lv.points) for lv in levels],
            "rows": rows,
            "language": language or "",
            "versions": rubric.versions.all(),
        },
    )


@permission_required(permissions.can_see_rubrics)
def rubric_export(request, pk: int):
    rubric = _rubric(request, pk)
    number = parse_id(request.GET.get("version", "")) if request.GET.get("version") else None
    version = selectors.version_of(rubric, number)
    if version is None:
        raise Http404
    response = HttpResponse(
        rubric_io.dumps(rubric_io.export(version)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rubric-{rubric.pk}-v{version.number}.json"'
    return response
