"""Pages of the people area: students (list, detail, create, edit), imports and exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from students import permissions as perms
from students import selectors, services
from students.forms import StudentFilterForm, StudentForm
from students.imports import StudentImport
from wpl import exports
from wpl import importers as wpl_importers
from wpl.forms import add_service_errors
from wpl.pagination import OneQueryPaginator
from wpl.views import permission_required

PAGE_SIZE = 50


def _student_filters(request) -> tuple[StudentFilterForm, dict]:
    programmes = selectors.programmes_for_filter(membership=request.membership)
    form = StudentFilterForm(request.GET or None, programmes=programmes)
    return form, form.filters()


@permission_required(perms.can_view_students)
def student_list(request):
    membership = request.membership
    form, filters = _student_filters(request)
    students = selectors.student_list(membership=membership, **filters).select_related("user")
    # A search counts in the page query (one pass over the matches); the plain list counts
    # with an index-only scan and reads its page in index order.
    paginator_class = OneQueryPaginator if filters.get("q") else Paginator
    page = paginator_class(students, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = perms.can_manage_students(membership)
    pending = set()
    if can_manage:  # who has a link waiting (access.services sends them)
        pending = selectors.pending_invitation_ids(
            membership=membership, student_ids=[s.pk for s in page.object_list]
        )
    return render(
        request,
        "students/student_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "students": page.object_list,
            "is_filtered": bool(filters),
            "can_manage": can_manage,
            "can_export": perms.can_list_students(membership),
            "invited_ids": pending,
        },
    )


@permission_required(perms.can_view_students)
def student_detail(request, pk: int):
    membership = request.membership
    student = get_object_or_404(selectors.student_detail_queryset(membership=membership), pk=pk)
    placements = selectors.student_placements(membership=membership, student=student)
    return render(
        request,
        "students/student_detail.html",
        {
            "student": student,
            "placements": placements,
            "can_manage": perms.can_manage_students(membership),
        },
    )


@permission_required(perms.can_manage_students, methods=["GET", "POST"])
def student_create(request):
    form = StudentForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            student = services.create_student(actor=request.membership, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Student %(name)s was added.") % {"name": student})
            return redirect("student-detail", pk=student.pk)
    return render(
        request,
        "students/student_form.html",
        {"form": form, "title": _("New student")},
        status=_status(form),
    )


@permission_required(perms.can_manage_students, methods=["GET", "POST"])
def student_edit(request, pk: int):
    membership = request.membership
    student = get_object_or_404(selectors.student_detail_queryset(membership=membership), pk=pk)
    form = StudentForm(request.POST or None, instance=student, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            # form.is_valid() already copied the input onto `student`; the service checks and saves.
            services.update_student(actor=membership, student=student, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("student-detail", pk=student.pk)
    return render(
        request,
        "students/student_form.html",
        {"form": form, "student": student, "title": _("Edit %(name)s") % {"name": student}},
        status=_status(form),
    )


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _export_format(request) -> str:
    fmt = request.GET.get("format", exports.CSV)
    return fmt if fmt in exports.FORMATS else exports.CSV


@permission_required(perms.can_list_students)
def student_export(request):
    membership = request.membership
    _form, filters = _student_filters(request)
    students = selectors.student_list(membership=membership, **filters)
    return exports.export_response(
        fmt=_export_format(request),
        basename=_("students"),
        headers=wpl_importers.export_headers(StudentImport),
        rows=selectors.student_export_rows(students),
        title=_("Students"),
    )
