"""Catalogue pages: programmes with their structure, and academic calendars.

School roles read; institution admins and coordinators manage (see permissions).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from catalogue import forms, permissions, selectors, services
from catalogue.models import (
    AcademicCalendar,
    ClassDay,
    Competence,
    CourseUnit,
    LearningLine,
    Period,
    ProfessionalRole,
    Programme,
    ProgrammeYear,
    SchoolHoliday,
    WplUnit,
)
from wpl.views import form_page, permission_required

FORM_TEMPLATE = "catalogue/form.html"


def _form_page(request, *, form, save: Callable[[dict], object], **page):
    """`wpl.views.form_page` with this area's template; `save` gets the form's service kwargs."""
    return form_page(
        request, form=form, save=lambda: save(form.service_kwargs()), template=FORM_TEMPLATE, **page
    )


def _programme(request, pk: int) -> Programme:
    return get_object_or_404(Programme.objects.visible_to(request.membership), pk=pk)


def _detail_url(programme_id: int) -> str:
    return reverse("programme-detail", kwargs={"pk": programme_id})


# --- programmes ---------------------------------------------------------------------------
@permission_required(permissions.can_read_catalogue)
def programme_list(request):
    """All programmes of the institution with their form of WPL."""
    programmes = selectors.programme_list(membership=request.membership)
    return render(
        request,
        "catalogue/programme_list.html",
        {"programmes": programmes, "can_manage": permissions.can_manage_catalogue(request.membership)},
    )


@permission_required(permissions.can_read_catalogue)
def programme_detail(request, pk: int):
    """A programme: years, roles, periods, course units, competences, WPL units and objectives."""
    try:
        programme = selectors.programme_detail(membership=request.membership, pk=pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    course_units = list(programme.course_units.all())
    return render(
        request,
        "catalogue/programme_detail.html",
        {
            "programme": programme,
            "course_units": course_units,
            "credit_totals": _credit_totals(course_units),
            "can_manage": permissions.can_manage_catalogue(request.membership),
        },
    )


def _credit_totals(course_units) -> list[tuple[int, int]]:
    totals: dict[int, int] = {}
    for unit in course_units:
        totals[unit.year] = totals.get(unit.year, 0) + (unit.credits or 0)
    return sorted(totals.items())


@permission_required(permissions.can_manage_catalogue)
def programme_create(request):
    form = forms.ProgrammeForm(request.POST or None)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.save_programme(actor=request.membership, **data),
        title=_("New programme"),
        back_url=reverse("programme-list"),
        success_url=lambda obj: _detail_url(obj.pk),
        extra={"form_defaults": _defaults_table()},
    )


def _defaults_table():
    from catalogue.models import WPL_FORM_DEFAULTS, WplForm

    return [(WplForm(key).label, value) for key, value in WPL_FORM_DEFAULTS.items()]


@permission_required(permissions.can_manage_catalogue)
def programme_edit(request, pk: int):
    programme = _programme(request, pk)
    form = forms.ProgrammeForm(request.POST or None, instance=programme)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.save_programme(actor=request.membership, programme=programme, **data),
        title=_("Edit %(name)s") % {"name": programme.name},
        back_url=_detail_url(programme.pk),
    )


def _child_page(request, *, programme_pk: int | None, model, obj_pk: int | None, form_class, save, kind: str):
    """Create (obj_pk None, under programme_pk) or edit (obj_pk) a row of a programme."""
    if obj_pk is not None:
        obj = get_object_or_404(
            model.objects.visible_to(request.membership).select_related("programme"), pk=obj_pk
        )
        programme = obj.programme
        title = _("Edit %(kind)s: %(name)s") % {"kind": kind, "name": obj}
    else:
        obj = None
        programme = _programme(request, programme_pk)
        title = _("New %(kind)s") % {"kind": kind}
    form = form_class(request.POST or None, instance=obj, programme=programme)
    return _form_page(
        request,
        form=form,
        save=lambda data: save(actor=request.membership, programme=programme, existing=obj, data=data),
        title=title,
        back_url=_detail_url(programme.pk),
        extra={"programme": programme},
    )


def _save_year(*, actor, programme, existing, data):
    return services.save_programme_year(actor=actor, programme=programme, programme_year=existing, **data)


def _save_period(*, actor, programme, existing, data):
    return services.save_period(actor=actor, programme=programme, period=existing, **data)


def _save_role(*, actor, programme, existing, data):
    return services.save_role(actor=actor, programme=programme, role=existing, **data)


def _save_line(*, actor, programme, existing, data):
    return services.save_learning_line(actor=actor, programme=programme, line=existing, **data)


def _save_course_unit(*, actor, programme, existing, data):
    return services.save_course_unit(actor=actor, programme=programme, course_unit=existing, **data)


def _save_competence(*, actor, programme, existing, data):
    return services.save_competence(actor=actor, programme=programme, competence=existing, **data)


def _save_unit(*, actor, programme, existing, data):
    return services.save_wpl_unit(actor=actor, programme=programme, unit=existing, **data)


CHILDREN = {
    "programmeyear": (ProgrammeYear, forms.ProgrammeYearForm, _save_year),
    "period": (Period, forms.PeriodForm, _save_period),
    "role": (ProfessionalRole, forms.RoleForm, _save_role),
    "learningline": (LearningLine, forms.LearningLineForm, _save_line),
    "courseunit": (CourseUnit, forms.CourseUnitForm, _save_course_unit),
    "competence": (Competence, forms.CompetenceForm, _save_competence),
    "wplunit": (WplUnit, forms.WplUnitForm, _save_unit),
}


def child_create(key: str):
    model, form_class, save = CHILDREN[key]

    @permission_required(permissions.can_manage_catalogue)
    def view(request, pk: int):
        return _child_page(
            request,
            programme_pk=pk,
            model=model,
            obj_pk=None,
            form_class=form_class,
            save=save,
            kind=str(model._meta.verbose_name),
        )

    view.__name__ = f"{key}_create"
    view.__doc__ = f"New {model._meta.verbose_name} of a programme."
    return view


def child_edit(key: str):
    model, form_class, save = CHILDREN[key]

    @permission_required(permissions.can_manage_catalogue)
    def view(request, pk: int):
        return _child_page(
            request,
            programme_pk=None,
            model=model,
            obj_pk=pk,
            form_class=form_class,
            save=save,
            kind=str(model._meta.verbose_name),
        )

    view.__name__ = f"{key}_edit"
    view.__doc__ = f"Edit a {model._meta.verbose_name} of a programme."
    return view


# --- calendars ----------------------------------------------------------------------------
def _calendar(request, pk: int) -> AcademicCalendar:
    return get_object_or_404(AcademicCalendar.objects.visible_to(request.membership), pk=pk)


def _calendar_url(calendar_id: int) -> str:
    return reverse("calendar-detail", kwargs={"pk": calendar_id})


@permission_required(permissions.can_read_catalogue)
def calendar_list(request):
    calendars = selectors.calendar_list(membership=request.membership)
    return render(
        request,
        "catalogue/calendar_list.html",
        {"calendars": calendars, "can_manage": permissions.can_manage_catalogue(request.membership)},
    )


@permission_required(permissions.can_read_catalogue)
def calendar_detail(request, pk: int):
    """Class days, school and public holidays, and the planned WPL days per programme year."""
    try:
        calendar = selectors.calendar_detail(membership=request.membership, pk=pk)
    except AcademicCalendar.DoesNotExist:
        raise Http404 from None
    plans = selectors.calendar_plans(membership=request.membership, calendar=calendar)
    return render(
        request,
        "catalogue/calendar_detail.html",
        {
            "calendar": calendar,
            "plans": plans,
            "public_holidays": selectors.public_holidays(calendar.academic_year).items(),
            "can_manage": permissions.can_manage_catalogue(request.membership),
        },
    )


@permission_required(permissions.can_read_catalogue)
def calendar_plan(request, pk: int, programme_pk: int, year: int):
    """Every planned WPL day of one programme year in this calendar."""
    calendar = _calendar(request, pk)
    programme = _programme(request, programme_pk)
    if not 1 <= year <= programme.years:
        raise Http404
    plan = selectors.year_plan(programme=programme, year=year, academic_year=calendar.academic_year)
    return render(request, "catalogue/calendar_plan.html", {"calendar": calendar, "plan": plan})


@permission_required(permissions.can_manage_catalogue)
def calendar_create(request):
    form = forms.CalendarForm(request.POST or None)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.save_calendar(actor=request.membership, **data),
        title=_("New academic calendar"),
        back_url=reverse("calendar-list"),
        success_url=lambda obj: _calendar_url(obj.pk),
    )


@permission_required(permissions.can_manage_catalogue)
def calendar_edit(request, pk: int):
    calendar = _calendar(request, pk)
    form = forms.CalendarForm(request.POST or None, instance=calendar)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.save_calendar(actor=request.membership, calendar=calendar, **data),
        title=_("Edit calendar %(year)s") % {"year": calendar.academic_year},
        back_url=_calendar_url(calendar.pk),
    )


@permission_required(permissions.can_manage_catalogue)
def classday_create(request, pk: int):
    calendar = _calendar(request, pk)
    form = forms.ClassDayForm(request.POST or None, calendar=calendar)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.add_class_day(actor=request.membership, calendar=calendar, **data),
        title=_("New class day"),
        intro=_("There is no WPL on class days."),
        back_url=_calendar_url(calendar.pk),
    )


@permission_required(permissions.can_manage_catalogue)
def holiday_create(request, pk: int):
    calendar = _calendar(request, pk)
    form = forms.SchoolHolidayForm(request.POST or None, calendar=calendar)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.save_school_holiday(actor=request.membership, calendar=calendar, **data),
        title=_("New school holiday"),
        back_url=_calendar_url(calendar.pk),
    )


@permission_required(permissions.can_manage_catalogue)
def holiday_edit(request, pk: int):
    holiday = get_object_or_404(
        SchoolHoliday.objects.visible_to(request.membership).select_related("calendar"), pk=pk
    )
    form = forms.SchoolHolidayForm(request.POST or None, instance=holiday, calendar=holiday.calendar)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.save_school_holiday(
            actor=request.membership, calendar=holiday.calendar, holiday=holiday, **data
        ),
        title=_("Edit %(name)s") % {"name": holiday.name},
        back_url=_calendar_url(holiday.calendar_id),
    )


def _delete_page(request, *, obj, label: str, delete: Callable[[], None], back_url: str):
    """GET asks for confirmation; POST deletes."""
    if request.method == "POST":
        delete()
        messages.success(request, _("Deleted."))
        return redirect(back_url)
    return render(
        request,
        "catalogue/confirm_delete.html",
        {"object": obj, "label": label, "back_url": back_url},
    )


@permission_required(permissions.can_manage_catalogue)
def classday_delete(request, pk: int):
    class_day = get_object_or_404(ClassDay.objects.visible_to(request.membership), pk=pk)
    return _delete_page(
        request,
        obj=class_day,
        label=_("class day"),
        delete=lambda: services.delete_class_day(actor=request.membership, class_day=class_day),
        back_url=_calendar_url(class_day.calendar_id),
    )


@permission_required(permissions.can_manage_catalogue)
def holiday_delete(request, pk: int):
    holiday = get_object_or_404(SchoolHoliday.objects.visible_to(request.membership), pk=pk)
    return _delete_page(
        request,
        obj=holiday,
        label=_("school holiday"),
        delete=lambda: services.delete_school_holiday(actor=request.membership, holiday=holiday),
        back_url=_calendar_url(holiday.calendar_id),
    )
