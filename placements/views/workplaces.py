"""Workplace pages: organisations with sites, mentors, capacity, criteria checklists, approvals.

Everyone with a role reads organisations they may see (hosts: their own); staff and
workplace contacts edit; coordinators and admins approve and configure criteria.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from placements import permissions
from placements.forms import workplaces as forms
from placements.models import Organisation, Region, WorkplaceApproval
from placements.selectors import workplaces as selectors
from placements.services import workplaces as services
from wpl.views import membership_required

FORM_TEMPLATE = "placements/workplaces/form.html"


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form so the page re-renders with the input."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_page(
    request, *, form, save: Callable[[], object], title: str, back_url: str, success_url, intro=""
):
    if request.method == "POST" and form.is_valid():
        try:
            obj = save()
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(success_url(obj))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "title": title, "back_url": back_url, "intro": intro},
        status=status,
    )


def _organisation(request, pk: int) -> Organisation:
    return get_object_or_404(selectors.organisations(membership=request.membership), pk=pk)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@membership_required
def organisation_list(request):
    """Organisations, 50 per page, with search and filters by region and approval status."""
    membership = request.membership
    programmes = list(selectors.programmes(membership=membership))
    programme = None
    programme_id = request.GET.get("programme", "")
    if programme_id.isdigit():
        programme = next((p for p in programmes if p.pk == int(programme_id)), None)
    year_choices = selectors.academic_year_choices()
    academic_year = request.GET.get("year") or selectors.current_academic_year()
    if academic_year not in year_choices:
        academic_year = selectors.current_academic_year()
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "region": request.GET.get("region", "") if request.GET.get("region") in Region.values else "",
        "status": request.GET.get("status", ""),
    }
    show_status = permissions.can_see_workplace_assessment(membership)
    qs = selectors.organisation_list(
        membership=membership,
        search=filters["q"],
        region=filters["region"],
        status=filters["status"] if show_status else "",
        programme=programme,
        academic_year=academic_year,
    )
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {**filters, "programme": programme_id, "year": academic_year}.items() if v}
    return render(
        request,
        "placements/workplaces/list.html",
        {
            "page": page,
            "organisations": page.object_list,
            "filters": filters,
            "programmes": programmes,
            "programme": programme,
            "academic_year": academic_year,
            "year_choices": year_choices,
            "regions": Region.choices,
            "statuses": [
                (WorkplaceApproval.Decision.APPROVED, _("Approved")),
                (WorkplaceApproval.Decision.REJECTED, _("Rejected")),
                (selectors.APPROVAL_STATUS_NONE, _("Not decided")),
            ],
            "show_status": show_status,
            "query": urlencode(query),
            "can_create": permissions.can_manage_workplaces(membership),
        },
    )


@membership_required
def organisation_detail(request, pk: int):
    membership = request.membership
    try:
        organisation = selectors.organisation_detail(membership=membership, pk=pk)
    except Organisation.DoesNotExist:
        from django.http import Http404

        raise Http404 from None
    can_edit = permissions.can_edit_workplace(membership)
    return render(
        request,
        "placements/workplaces/detail.html",
        {
            "organisation": organisation,
            "sites": list(organisation.sites.all()),
            "mentors": list(organisation.mentors.all()),
            "roles": list(organisation.roles.all()),
            "capacities": list(organisation.capacities.all()),
            "checklists": selectors.checklists(membership=membership, organisation=organisation),
            "approval_states": selectors.approval_states(organisation),
            "show_assessment": permissions.can_see_workplace_assessment(membership),
            "can_see_mentors": membership.role != "student",
            "can_edit": can_edit,
            "can_approve": permissions.can_approve_workplaces(membership),
        },
    )


@membership_required
def organisation_create(request):
    membership = request.membership
    _require(permissions.can_manage_workplaces(membership))
    form = forms.OrganisationForm(
        request.POST or None, role_queryset=selectors.professional_roles(membership=membership)
    )
    return _form_page(
        request,
        form=form,
        save=lambda: services.save_organisation(
            actor=membership, data=form.cleaned_data, roles=form.cleaned_data.get("roles") or []
        ),
        title=_("New workplace"),
        back_url=reverse("organisation-list"),
        success_url=lambda o: reverse("organisation-detail", args=[o.pk]),
    )


@membership_required
def organisation_edit(request, pk: int):
    membership = request.membership
    _require(permissions.can_edit_workplace(membership))
    organisation = _organisation(request, pk)
    form = forms.OrganisationForm(
        request.POST or None,
        instance=organisation,
        role_queryset=selectors.professional_roles(membership=membership),
    )
    return _form_page(
        request,
        form=form,
        save=lambda: services.save_organisation(
            actor=membership,
            organisation=organisation,
            data=form.cleaned_data,
            roles=form.cleaned_data.get("roles") or [],
        ),
        title=_("Edit %(name)s") % {"name": organisation.name},
        back_url=reverse("organisation-detail", args=[organisation.pk]),
        success_url=lambda o: reverse("organisation-detail", args=[o.pk]),
    )


@membership_required
def site_create(request, pk: int):
    membership = request.membership
    _require(permissions.can_edit_workplace(membership))
    organisation = _organisation(request, pk)
    form = forms.SiteForm(request.POST or None)
    return _form_page(
        request,
        form=form,
        save=lambda: services.save_site(actor=membership, organisation=organisation, data=form.cleaned_data),
        title=_("New site of %(name)s") % {"name": organisation.name},
        back_url=reverse("organisation-detail", args=[organisation.pk]),
        success_url=lambda s: reverse("organisation-detail", args=[organisation.pk]),
    )


@membership_required
def site_edit(request, pk: int):
    membership = request.membership
    _require(permissions.can_edit_workplace(membership))
    site = get_object_or_404(selectors.sites(membership=membership), pk=pk)
    form = forms.SiteForm(request.POST or None, instance=site)
    return _form_page(
        request,
        form=form,
        save=lambda: services.save_site(
            actor=membership, organisation=site.organisation, site=site, data=form.cleaned_data
        ),
        title=_("Edit site %(name)s") % {"name": site.name},
        back_url=reverse("organisation-detail", args=[site.organisation_id]),
        success_url=lambda s: reverse("organisation-detail", args=[s.organisation_id]),
    )


@membership_required
def mentor_create(request, pk: int):
    membership = request.membership
    _require(permissions.can_edit_workplace(membership))
    organisation = _organisation(request, pk)
    form = forms.MentorForm(request.POST or None)
    return _form_page(
        request,
        form=form,
        save=lambda: services.save_mentor(
            actor=membership, organisation=organisation, data=form.cleaned_data
        ),
        title=_("New mentor at %(name)s") % {"name": organisation.name},
        back_url=reverse("organisation-detail", args=[organisation.pk]),
        success_url=lambda m: reverse("organisation-detail", args=[organisation.pk]),
    )


@membership_required
def mentor_edit(request, pk: int):
    membership = request.membership
    _require(permissions.can_edit_workplace(membership))
    mentor = get_object_or_404(selectors.mentors(membership=membership), pk=pk)
    form = forms.MentorForm(request.POST or None, instance=mentor)
    return _form_page(
        request,
        form=form,
        save=lambda: services.save_mentor(
            actor=membership, organisation=mentor.organisation, mentor=mentor, data=form.cleaned_data
        ),
        title=_("Edit mentor %(name)s") % {"name": mentor},
        back_url=reverse("organisation-detail", args=[mentor.organisation_id]),
        success_url=lambda m: reverse("organisation-detail", args=[m.organisation_id]),
    )


@membership_required
def organisation_capacity(request, pk: int):
    membership = request.membership
    _require(permissions.can_edit_workplace(membership))
    organisation = _organisation(request, pk)
    form = forms.CapacityForm(
        request.POST or None, programme_queryset=selectors.programmes(membership=membership)
    )
    return _form_page(
        request,
        form=form,
        save=lambda: services.set_capacity(
            actor=membership,
            organisation=organisation,
            programme=form.cleaned_data["programme"],
            year=form.cleaned_data["year"],
            places=form.cleaned_data["places"],
        ),
        title=_("Capacity of %(name)s") % {"name": organisation.name},
        intro=_("Places per programme and programme year. Setting 0 places removes a line."),
        back_url=reverse("organisation-detail", args=[organisation.pk]),
        success_url=lambda c: reverse("organisation-detail", args=[organisation.pk]),
    )


@membership_required
def workplace_decide(request, pk: int):
    """Approve or reject the workplace for a programme and academic year (history is kept)."""
    membership = request.membership
    _require(permissions.can_approve_workplaces(membership))
    organisation = _organisation(request, pk)
    initial = {"academic_year": selectors.current_academic_year()}
    if request.GET.get("programme", "").isdigit():
        initial["programme"] = int(request.GET["programme"])
    form = forms.ApprovalForm(
        request.POST or None, initial=initial, programme_queryset=selectors.programmes(membership=membership)
    )
    return _form_page(
        request,
        form=form,
        save=lambda: services.decide_approval(
            actor=membership,
            organisation=organisation,
            programme=form.cleaned_data["programme"],
            academic_year=form.cleaned_data["academic_year"],
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data.get("reason", ""),
        ),
        title=_("Approve or reject %(name)s") % {"name": organisation.name},
        back_url=reverse("organisation-detail", args=[organisation.pk]),
        success_url=lambda a: reverse("organisation-detail", args=[organisation.pk]),
    )


@membership_required
def criterion_list(request):
    """The workplace criteria of every programme (staff configure them)."""
    membership = request.membership
    _require(permissions.can_manage_catalogue(membership))
    return render(
        request,
        "placements/workplaces/criteria.html",
        {"groups": selectors.criteria_by_programme(membership=membership)},
    )


@membership_required
def criterion_create(request):
    membership = request.membership
    _require(permissions.can_manage_catalogue(membership))
    form = forms.CriterionForm(
        request.POST or None, programme_queryset=selectors.programmes(membership=membership)
    )
    return _form_page(
        request,
        form=form,
        save=lambda: services.save_criterion(
            actor=membership, programme=form.cleaned_data["programme"], data=form.cleaned_data
        ),
        title=_("New workplace criterion"),
        back_url=reverse("criterion-list"),
        success_url=lambda c: reverse("criterion-list"),
    )


@membership_required
def criterion_edit(request, pk: int):
    membership = request.membership
    _require(permissions.can_manage_catalogue(membership))
    criterion = get_object_or_404(selectors.criteria(membership=membership), pk=pk)
    form = forms.CriterionForm(
        request.POST or None,
        instance=criterion,
        programme_queryset=selectors.programmes(membership=membership),
    )
    return _form_page(
        request,
        form=form,
        save=lambda: services.save_criterion(
            actor=membership,
            programme=form.cleaned_data["programme"],
            criterion=criterion,
            data=form.cleaned_data,
        ),
        title=_("Edit criterion"),
        back_url=reverse("criterion-list"),
        success_url=lambda c: reverse("criterion-list"),
    )
