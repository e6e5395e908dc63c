"""Import (with preview) and export of students and workplaces as CSV or XLSX."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports import services as imports_services
from imports.forms import ImportConfirmForm, ImportUploadForm
from students import permissions as perms
from students.views import _export_format, _status
from workplaces import permissions as workplaces_permissions
from workplaces import selectors as workplaces_selectors
from workplaces.imports import WorkplaceImport
from wpl import exports, importers
from wpl import importers as wpl_importers
from wpl.views import permission_required

MAX_ERRORS_SHOWN = 500  # a file that is wrong everywhere still gives a readable page


IMPORT_KINDS = {
    "students": {"title": gettext_lazy("Import students"), "back": "student-list"},
    "workplaces": {"title": gettext_lazy("Import workplaces"), "back": "organisation-list"},
}


@permission_required(workplaces_permissions.can_export_workplaces)
def organisation_export(request):
    membership = request.membership
    organisations = workplaces_selectors.organisation_export_queryset(
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
        headers=wpl_importers.export_headers(WorkplaceImport),
        rows=workplaces_selectors.organisation_export_rows(organisations),
        title=_("Workplaces"),
    )


def _import_kind(kind: str) -> dict:
    if kind not in IMPORT_KINDS:
        raise Http404
    return IMPORT_KINDS[kind]


@permission_required(perms.can_manage_students, methods=["GET", "POST"])
def import_upload(request, kind: str):
    """Step 1: upload a file; it is checked and kept, then the preview shows every problem."""
    membership = request.membership
    info = _import_kind(kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, _report = imports_services.stage_import(
                actor=membership,
                kind=kind,
                uploaded=form.cleaned_data["file"],
                institution_id=membership.institution_id,
            )
        except importers.ImportFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("import-preview", kind=kind, token=token)
    spec = imports_services.IMPORT_KINDS[kind]
    return render(
        request,
        "imports/upload.html",
        {"form": form, "kind": kind, "title": info["title"], "columns": spec.columns, "back": info["back"]},
        status=_status(form),
    )


@permission_required(perms.can_manage_students, methods=["GET", "POST"])
def import_preview(request, kind: str, token: str):
    """Step 2: the row-by-row report; confirm imports all rows (clean file) or only the valid ones."""
    membership = request.membership
    info = _import_kind(kind)
    institution_id = membership.institution_id
    data = importers.load_upload(institution_id=institution_id, token=token)
    if data is None:
        raise Http404
    if request.method == "POST":
        if "cancel" in request.POST:
            imports_services.discard_import(actor=membership, institution_id=institution_id, token=token)
            messages.info(request, _("The import was cancelled; nothing was changed."))
            return redirect("import-upload", kind=kind)
        confirm = ImportConfirmForm(request.POST)
        confirm.is_valid()
        try:
            outcome = imports_services.run_import(
                actor=membership,
                kind=kind,
                data=data,
                only_valid=confirm.cleaned_data.get("only_valid", False),
            )
        except imports_services.ImportNotClean as problem:
            messages.error(
                request, _("The file has rows with errors. Fix them, or import only the valid rows.")
            )
            summary = importers.summarise(problem.report)
            return _render_preview(request, kind, token, info, summary, status=400)
        except importers.ImportFileError as error:
            messages.error(request, error.message)
        else:
            imports_services.discard_import(actor=membership, institution_id=institution_id, token=token)
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
    summary = importers.load_summary(institution_id=institution_id, token=token)
    if summary is None:  # staged before previews were kept
        try:
            spec = imports_services.IMPORT_KINDS[kind]()
            report = importers.parse(spec, data, importers.sniff_stored(data))
        except importers.ImportFileError as error:
            messages.error(request, error.message)
            return redirect("import-upload", kind=kind)
        summary = importers.summarise(report)
    return _render_preview(request, kind, token, info, summary)


def _back_url(info: dict) -> str:
    try:
        return reverse(info["back"])
    except NoReverseMatch:  # the workplace list lives in another area
        return reverse("home")


def _render_preview(request, kind, token, info, summary: importers.Summary, status: int = 200):
    errors = summary.errors
    return render(
        request,
        "imports/preview.html",
        {
            "kind": kind,
            "token": token,
            "title": info["title"],
            "report": summary,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "more_errors": max(0, summary.error_count - min(len(errors), MAX_ERRORS_SHOWN)),
            "row_count": summary.row_count,
            "valid_count": summary.valid_count,
            "invalid_count": summary.invalid_count,
        },
        status=status,
    )
