"""Pages of the people area: students (list, detail, create, edit), imports and exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from placements import exports, importers
from placements import permissions as perms
from placements.forms.people import (
    ImportConfirmForm,
    ImportUploadForm,
    StudentFilterForm,
    StudentForm,
    add_service_errors,
)
from placements.selectors import people as selectors
from placements.services import people as services
from wpl import permissions as core
from wpl.views import membership_required

PAGE_SIZE = 50
MAX_ERRORS_SHOWN = 500  # a file that is wrong everywhere still gives a readable page
IMPORT_KINDS = {
    "students": {"title": gettext_lazy("Import students"), "back": "student-list"},
    "workplaces": {"title": gettext_lazy("Import workplaces"), "back": "organisation-list"},
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _student_filters(request) -> tuple[StudentFilterForm, dict]:
    programmes = selectors.programmes_for_filter(membership=request.membership)
    form = StudentFilterForm(request.GET or None, programmes=programmes)
    return form, form.filters()


@membership_required
def student_list(request):
    membership = request.membership
    _require(perms.can_view_students(membership))
    form, filters = _student_filters(request)
    students = selectors.student_list(membership=membership, **filters)
    page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "placements/people/student_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "students": page.object_list,
            "is_filtered": bool(filters),
            "can_manage": perms.can_manage_students(membership),
            "can_export": core.is_school(membership),
        },
    )


@membership_required
def student_detail(request, pk: int):
    membership = request.membership
    _require(perms.can_view_students(membership))
    student = get_object_or_404(selectors.student_detail_queryset(membership=membership), pk=pk)
    placements = selectors.student_placements(membership=membership, student=student)
    return render(
        request,
        "placements/people/student_detail.html",
        {
            "student": student,
            "placements": placements,
            "can_manage": perms.can_manage_students(membership),
        },
    )


@membership_required
@require_http_methods(["GET", "POST"])
def student_create(request):
    _require(perms.can_manage_students(request.membership))
    form = StudentForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            student = services.create_student(fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Student %(name)s was added.") % {"name": student})
            return redirect("student-detail", pk=student.pk)
    return render(
        request,
        "placements/people/student_form.html",
        {"form": form, "title": _("New student")},
        status=_status(form),
    )


@membership_required
@require_http_methods(["GET", "POST"])
def student_edit(request, pk: int):
    membership = request.membership
    _require(perms.can_manage_students(membership))
    student = get_object_or_404(selectors.student_detail_queryset(membership=membership), pk=pk)
    form = StudentForm(request.POST or None, instance=student, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            # form.is_valid() already copied the input onto `student`; the service checks and saves.
            services.update_student(student=student, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("student-detail", pk=student.pk)
    return render(
        request,
        "placements/people/student_form.html",
        {"form": form, "student": student, "title": _("Edit %(name)s") % {"name": student}},
        status=_status(form),
    )


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


# --- exports ----------------------------------------------------------------------------


def _export_format(request) -> str:
    fmt = request.GET.get("format", exports.CSV)
    return fmt if fmt in exports.FORMATS else exports.CSV


@membership_required
def student_export(request):
    membership = request.membership
    _require(core.is_school(membership))
    _form, filters = _student_filters(request)
    students = selectors.student_list(membership=membership, **filters)
    return exports.export_response(
        fmt=_export_format(request),
        basename=_("students"),
        headers=selectors.export_headers("students"),
        rows=selectors.student_export_rows(students),
        title=_("Students"),
    )


@membership_required
def organisation_export(request):
    membership = request.membership
    _require(core.is_school(membership))
    organisations = selectors.organisation_export_queryset(
        membership=membership,
        q=request.GET.get("q", ""),
        region=request.GET.get("region", ""),
        status=request.GET.get("status", ""),
        programme_id=request.GET.get("programme", ""),
        academic_year=request.GET.get("year", ""),
    )
    return exports.export_response(
        fmt=_export_format(request),
        basename=_("workplaces"),
        headers=selectors.export_headers("workplaces"),
        rows=selectors.organisation_export_rows(organisations),
        title=_("Workplaces"),
    )


# --- imports ----------------------------------------------------------------------------


def _import_kind(kind: str) -> dict:
    if kind not in IMPORT_KINDS:
        raise Http404
    return IMPORT_KINDS[kind]


@membership_required
@require_http_methods(["GET", "POST"])
def import_upload(request, kind: str):
    """Step 1: upload a file; it is checked and kept, then the preview shows every problem."""
    membership = request.membership
    _require(perms.can_manage_students(membership))
    info = _import_kind(kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, _report = services.stage_import(
                kind=kind, uploaded=form.cleaned_data["file"], institution_id=membership.institution_id
            )
        except importers.ImportFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("import-preview", kind=kind, token=token)
    spec = services.IMPORT_KINDS[kind]
    return render(
        request,
        "placements/imports/upload.html",
        {"form": form, "kind": kind, "title": info["title"], "columns": spec.columns, "back": info["back"]},
        status=_status(form),
    )


@membership_required
@require_http_methods(["GET", "POST"])
def import_preview(request, kind: str, token: str):
    """Step 2: the row-by-row report; confirm imports all rows (clean file) or only the valid ones."""
    membership = request.membership
    _require(perms.can_manage_students(membership))
    info = _import_kind(kind)
    institution_id = membership.institution_id
    data = importers.load_upload(institution_id=institution_id, token=token)
    if data is None:
        raise Http404
    if request.method == "POST":
        if "cancel" in request.POST:
            services.discard_import(institution_id=institution_id, token=token)
            messages.info(request, _("The import was cancelled; nothing was changed."))
            return redirect("import-upload", kind=kind)
        confirm = ImportConfirmForm(request.POST)
        confirm.is_valid()
        try:
            outcome = services.run_import(
                kind=kind, data=data, only_valid=confirm.cleaned_data.get("only_valid", False)
            )
        except services.ImportNotClean as problem:
            messages.error(
                request, _("The file has rows with errors. Fix them, or import only the valid rows.")
            )
            return _render_preview(request, kind, token, info, problem.report, status=400)
        except importers.ImportFileError as error:
            messages.error(request, error.message)
        else:
            services.discard_import(institution_id=institution_id, token=token)
            result = outcome.result
            messages.success(
                request,
                _(
                    "Import finished: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(skipped)s rows with errors skipped."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "skipped": result.skipped,
                },
            )
            return redirect(_back_url(info))
    try:
        report = importers.parse(services.IMPORT_KINDS[kind](), data, importers.sniff_stored(data))
    except importers.ImportFileError as error:
        messages.error(request, error.message)
        return redirect("import-upload", kind=kind)
    return _render_preview(request, kind, token, info, report)


def _back_url(info: dict) -> str:
    try:
        return reverse(info["back"])
    except NoReverseMatch:  # the workplace list lives in another area
        return reverse("home")


def _render_preview(request, kind, token, info, report, status: int = 200):
    errors = report.errors
    return render(
        request,
        "placements/imports/preview.html",
        {
            "kind": kind,
            "token": token,
            "title": info["title"],
            "report": report,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "more_errors": max(0, len(errors) - MAX_ERRORS_SHOWN),
            "row_count": len(report.rows),
            "valid_count": len(report.valid_rows),
            "invalid_count": len(report.invalid_rows),
        },
        status=status,
    )
