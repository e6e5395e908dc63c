"""Pages of the quality checklist: adapt templates, self-evaluate, compare over the years."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from quality import permissions, selectors, services
from quality.forms import ChecklistItemForm, ResponseForm, TemplateForm
from quality.models import QualityParty
from wpl import registry
from wpl.academic_years import academic_year_choices, current_academic_year
from wpl.forms import add_service_errors
from wpl.validators import academic_year_validator
from wpl.views import confirm_page, membership_required, permission_required


@permission_required(permissions.can_use_quality)
def quality_overview(request):
    """Where each organisation stands with this year's self-evaluation, per party."""
    membership = request.membership
    years = academic_year_choices()
    year = request.GET.get("year") or current_academic_year()
    if year not in years:
        year = current_academic_year()
    progress = selectors.response_progress(membership=membership, academic_year=year)
    organisations = selectors.organisations(membership=membership)
    rows = [
        (
            org,
            progress.get((org.pk, QualityParty.WORKPLACE)),
            progress.get((org.pk, QualityParty.SCHOOL)),
        )
        for org in organisations
    ]
    return render(
        request,
        "quality/overview.html",
        {
            "rows": rows,
            "year": year,
            "years": years,
            "party": permissions.quality_party_of(membership),
            "can_manage": permissions.can_manage_quality(membership),
        },
    )


@permission_required(permissions.can_manage_quality)
def template_list(request):
    form = TemplateForm(request.POST or None, initial={"year": current_academic_year()})
    if request.method == "POST" and form.is_valid():
        try:
            template = services.create_template(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The checklist was created; add its items."))
            return redirect("quality-template-detail", pk=template.pk)
    rows = selectors.templates(membership=request.membership)
    return render(request, "quality/template_list.html", {"templates": rows, "form": form})


@permission_required(permissions.can_manage_quality)
def template_detail(request, pk: int):
    template = selectors.template(membership=request.membership, pk=pk)
    if template is None:
        raise Http404
    items = selectors.items_of(template)
    return render(
        request,
        "quality/template_detail.html",
        {"template": template, "groups": selectors.group_items(items), "n_items": len(items)},
    )


@permission_required(permissions.can_manage_quality)
def template_copy(request, pk: int):
    """Copy a checklist to adapt it for a new year without changing earlier answers."""
    template = selectors.template(membership=request.membership, pk=pk)
    if template is None:
        raise Http404
    initial = {
        "name": _("%(name)s (copy)") % {"name": template.name},
        "year": current_academic_year(),
        "description": template.description,
    }
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.copy_template(actor=request.membership, template=template, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The checklist was copied; adapt its items."))
            return redirect("quality-template-detail", pk=copy.pk)
    return render(request, "quality/template_copy.html", {"template": template, "form": form})


@permission_required(permissions.can_manage_quality)
def item_create(request, pk: int):
    template = selectors.template(membership=request.membership, pk=pk)
    if template is None:
        raise Http404
    form = ChecklistItemForm(request.POST or None, initial={"stage": request.GET.get("stage", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_item(actor=request.membership, template=template, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item was added."))
            return redirect("quality-template-detail", pk=template.pk)
    return render(request, "quality/item_form.html", {"template": template, "form": form})


@permission_required(permissions.can_manage_quality)
def item_edit(request, pk: int):
    item = selectors.item(membership=request.membership, pk=pk)
    if item is None:
        raise Http404
    form = ChecklistItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_item(
                actor=request.membership, template=item.template, item=item, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("quality-template-detail", pk=item.template_id)
    return render(request, "quality/item_form.html", {"template": item.template, "item": item, "form": form})


@permission_required(permissions.can_manage_quality)
def item_delete(request, pk: int):
    item = selectors.item(membership=request.membership, pk=pk)
    if item is None:
        raise Http404
    return confirm_page(
        request,
        act=lambda: services.delete_item(actor=request.membership, item=item),
        template="quality/item_delete.html",
        context={"item": item},
        done=_("The item was removed."),
        next_url=reverse("quality-template-detail", kwargs={"pk": item.template_id}),
    )


@permission_required(permissions.can_use_quality)
def organisation_summary(request, pk: int):
    """One workplace over the years: share of "yes" per stage, workplace versus school."""
    membership = request.membership
    organisation = selectors.organisation(membership=membership, pk=pk)
    if organisation is None:
        raise Http404
    return render(
        request,
        "quality/organisation_summary.html",
        {
            "organisation": organisation,
            "summary": selectors.summary(organisation=organisation),
            "feedback": registry.workplace_feedback(organisation, membership),
            "responses": selectors.responses_of(membership=membership, organisation=organisation),
            "party": permissions.quality_party_of(membership),
            "year": current_academic_year(),
        },
    )


@membership_required
def response_fill(request, pk: int, academic_year: str, party: str):
    """The workplace (contact or mentor) or the school fills in its own self-evaluation."""
    membership = request.membership
    if party not in QualityParty.values:
        raise Http404
    if permissions.quality_party_of(membership) != party:
        raise PermissionDenied
    try:
        academic_year_validator(academic_year)
    except ValidationError as exc:
        raise Http404 from exc
    organisation = selectors.organisation(membership=membership, pk=pk)
    if organisation is None:
        raise Http404
    response = selectors.response_for(organisation=organisation, academic_year=academic_year, party=party)
    template = response.template if response else selectors.template_for_year(academic_year)
    if template is None:
        return render(request, "quality/no_template.html", {"organisation": organisation})
    items = selectors.items_of(template)
    form = ResponseForm(request.POST or None, items=items, answers=selectors.answers_of(response))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_response(
                organisation=organisation,
                academic_year=academic_year,
                party=party,
                template=template,
                answers=form.answers(),
                actor=membership,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your self-evaluation was saved."))
            return redirect("quality-organisation", pk=organisation.pk)
    return render(
        request,
        "quality/response_form.html",
        {
            "organisation": organisation,
            "academic_year": academic_year,
            "party_label": QualityParty(party).label,
            "template": template,
            "form": form,
            "response": response,
        },
    )
