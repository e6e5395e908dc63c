"""Workplace pages: organisations with sites, mentors, capacity, criteria checklists, approvals.

Everyone with a role reads organisations they may see (hosts: their own); staff and
workplace contacts edit; coordinators and admins approve and configure criteria.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from catalogue.models import ProfessionalRole, Programme
from workplaces import forms, invitations, permissions, selectors, services
from workplaces.forms import (
    DecisionForm,
    HostOrganisationForm,
    InvitationForm,
    OfferFilterForm,
    OfferForm,
    SiteFormSet,
)
from workplaces.models import Mentor, Organisation, Region, WorkplaceApproval
from wpl import academic_years as wpl_academic_years
from wpl.forms import add_service_errors
from wpl.ids import parse_id
from wpl.middleware import SESSION_KEY
from wpl.validators import parse_weekdays
from wpl.views import confirm_page, form_page, membership_required, permission_required

FORM_TEMPLATE = "workplaces/form.html"


def _form_page(request, *, form, save: Callable[[], object], template=FORM_TEMPLATE, **page):
    """`wpl.views.form_page` with this area's template; an invalid POST answers 400."""
    return form_page(request, form=form, save=save, template=template, invalid_status=400, **page)


def _organisation(request, pk: int) -> Organisation:
    return get_object_or_404(selectors.organisations(membership=request.membership), pk=pk)


@membership_required
def organisation_list(request):
    """Organisations, 50 per page, with search and filters by region and approval status."""
    membership = request.membership
    programmes = list(selectors.programmes(membership=membership))
    programme = None
    programme_id = request.GET.get("programme", "")
    if parse_id(programme_id):
        programme = next((p for p in programmes if p.pk == parse_id(programme_id)), None)
    year_choices = wpl_academic_years.academic_year_choices()
    academic_year = request.GET.get("year") or wpl_academic_years.current_academic_year()
    if academic_year not in year_choices:
        academic_year = wpl_academic_years.current_academic_year()
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
        "workplaces/list.html",
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
        "workplaces/detail.html",
        {
            "organisation": organisation,
            "sites": list(organisation.sites.all()),
            "mentors": list(organisation.mentors.all()),
            "roles": list(organisation.roles.all()),
            "capacities": list(organisation.capacities.all()),
            "checklists": selectors.checklists(membership=membership, organisation=organisation),
            "approval_states": selectors.approval_states(organisation),
            "show_assessment": permissions.can_see_workplace_assessment(membership),
            "can_see_mentors": permissions.can_see_mentors(membership),
            "can_edit": can_edit,
            "can_approve": permissions.can_approve_workplaces(membership),
        },
    )


@permission_required(permissions.can_manage_workplaces)
def organisation_create(request):
    membership = request.membership
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


@permission_required(permissions.can_edit_workplace)
def organisation_edit(request, pk: int):
    membership = request.membership
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


@permission_required(permissions.can_edit_workplace)
def site_create(request, pk: int):
    membership = request.membership
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


@permission_required(permissions.can_edit_workplace)
def site_edit(request, pk: int):
    membership = request.membership
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


@permission_required(permissions.can_edit_workplace)
def mentor_create(request, pk: int):
    membership = request.membership
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


@permission_required(permissions.can_edit_workplace)
def mentor_edit(request, pk: int):
    membership = request.membership
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


@permission_required(permissions.can_edit_workplace)
def organisation_capacity(request, pk: int):
    membership = request.membership
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


@permission_required(permissions.can_approve_workplaces)
def workplace_decide(request, pk: int):
    """Approve or reject the workplace for a programme and academic year (history is kept)."""
    membership = request.membership
    organisation = _organisation(request, pk)
    initial = {"academic_year": wpl_academic_years.current_academic_year()}
    if parse_id(request.GET.get("programme")):
        initial["programme"] = parse_id(request.GET["programme"])
    programmes = selectors.programmes(membership=membership)
    form = forms.ApprovalForm(request.POST or None, initial=initial, programme_queryset=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_approval(
                actor=membership,
                organisation=organisation,
                programme=form.cleaned_data["programme"],
                academic_year=form.cleaned_data["academic_year"],
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("organisation-detail", pk=organisation.pk)
    # The checklist of the chosen programme (or of every programme) is shown beside the decision.
    chosen = form.cleaned_data.get("programme") if form.is_bound and hasattr(form, "cleaned_data") else None
    if chosen is None and initial.get("programme"):
        chosen = programmes.filter(pk=initial["programme"]).first()
    if chosen is not None:
        checklists = [
            selectors.programme_checklist(
                membership=membership, organisation_pk=organisation.pk, programme=chosen
            )
        ]
    else:
        checklists = selectors.checklists(
            membership=membership, organisation=selectors.organisation_detail(membership=membership, pk=pk)
        )
    return render(
        request,
        "workplaces/decide.html",
        {
            "form": form,
            "organisation": organisation,
            "checklists": checklists,
            "title": _("Approve or reject %(name)s") % {"name": organisation.name},
            "back_url": reverse("organisation-detail", args=[organisation.pk]),
        },
        status=400 if request.method == "POST" else 200,
    )


@permission_required(permissions.can_configure_criteria)
def criterion_list(request):
    """The workplace criteria of every programme (staff configure them)."""
    membership = request.membership
    return render(
        request,
        "workplaces/criteria.html",
        {"groups": selectors.criteria_by_programme(membership=membership)},
    )


@permission_required(permissions.can_configure_criteria)
def criterion_create(request):
    membership = request.membership
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
        template="workplaces/criterion_form.html",
    )


@permission_required(permissions.can_configure_criteria)
def criterion_edit(request, pk: int):
    membership = request.membership
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
        template="workplaces/criterion_form.html",
    )


# --- offers ----------------------------------------------------------------------------
@membership_required
def offer_list(request):
    """Staff review every offer (with filters); hosts see their own; students accepted ones."""
    membership = request.membership
    programmes = Programme.objects.visible_to(membership).order_by("name")
    filter_form = OfferFilterForm(request.GET or None, programmes=programmes)
    filters = selectors.OfferFilters()
    if filter_form.is_bound and filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = selectors.OfferFilters(
            status=data["status"],
            programme=data["programme"].pk if data["programme"] else None,
            academic_year=data["academic_year"].strip(),
            q=data["q"].strip(),
        )
    rows = selectors.offers(membership=membership, filters=filters)
    return render(
        request,
        "workplaces/offers/offer_list.html",
        {
            "offers": rows,
            "filter_form": filter_form,
            "can_review": permissions.can_review_offers(membership),
            "can_submit": permissions.can_submit_offers(membership),
        },
    )


@membership_required
def offer_detail(request, pk: int):
    offer = selectors.offer_detail(membership=request.membership, pk=pk)
    if offer is None:
        raise Http404
    return render(
        request,
        "workplaces/offers/offer_detail.html",
        {
            "offer": offer,
            "weekdays": _weekday_names(offer.weekdays),
            "can_review": permissions.can_review_offers(request.membership),
            "can_withdraw": permissions.can_submit_offers(request.membership)
            and offer.status != offer.Status.WITHDRAWN,
            "decision_form": DecisionForm(),
        },
    )


def _weekday_names(value: str) -> list[str]:
    from workplaces.forms import WEEKDAYS

    names = dict(WEEKDAYS)
    return [str(names[d]) for d in parse_weekdays(value) if d in names]


@permission_required(permissions.can_submit_offers)
def offer_create(request):
    """A workplace contact or mentor offers places for a programme year."""
    membership = request.membership
    organisations = selectors.host_organisations(membership=membership)
    if not organisations.exists():
        return render(request, "workplaces/offers/no_organisation.html")
    kwargs = {
        "organisations": organisations,
        "programmes": Programme.objects.visible_to(membership).order_by("name"),
        "sites": selectors.sites_of(organisations).order_by("organisation__name", "name"),
        "mentors": selectors.mentors_of(organisations).order_by("last_name", "first_name"),
        "roles": ProfessionalRole.objects.visible_to(membership)
        .select_related("programme")
        .order_by("programme__name", "order", "name"),
    }
    form = OfferForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = services.submit_offer(
                actor=membership,
                organisation=data["organisation"],
                programme=data["programme"],
                academic_year=data["academic_year"],
                year=data["year"],
                places=data["places"],
                tasks=data["tasks"],
                roles=data["roles"],
                site=data["site"],
                mentor=data["mentor"],
                weekdays=data["weekdays"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your offer was sent to the coordinator."))
            return redirect("offer-detail", pk=offer.pk)
    return render(request, "workplaces/offers/offer_form.html", {"form": form})


@permission_required(permissions.can_review_offers)
def offer_decide(request, pk: int):
    """The coordinator accepts or rejects an offer (a rejection needs a reason)."""
    offer = selectors.offer_detail(membership=request.membership, pk=pk)
    if offer is None:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_offer(
                actor=request.membership,
                offer=offer,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your decision was saved and the workplace was informed."))
            return redirect("offer-detail", pk=offer.pk)
    return render(request, "workplaces/offers/offer_decide.html", {"offer": offer, "form": form})


@permission_required(permissions.can_submit_offers)
def offer_withdraw(request, pk: int):
    """A host withdraws an offer of their own organisation."""
    offer = selectors.offer_detail(membership=request.membership, pk=pk)
    if offer is None:
        raise Http404
    return confirm_page(
        request,
        act=lambda: services.withdraw_offer(actor=request.membership, offer=offer),
        template="workplaces/offers/offer_withdraw.html",
        context={"offer": offer},
        done=_("The offer was withdrawn."),
        next_url=reverse("offer-detail", kwargs={"pk": offer.pk}),
    )


# --- host self-service ---------------------------------------------------------------
@permission_required(permissions.is_host)
def host_organisation_list(request):
    """The organisations a workplace contact or mentor works for."""
    organisations = (
        selectors.host_organisations(membership=request.membership)
        .prefetch_related("sites", "mentors", "roles")
        .order_by("name")
    )
    return render(
        request,
        "workplaces/offers/host_organisation_list.html",
        {
            "organisations": organisations,
            "can_edit": permissions.can_edit_own_organisation(request.membership),
        },
    )


@permission_required(permissions.can_edit_own_organisation)
def host_organisation_edit(request, pk: int):
    """The workplace contact keeps contact data, staff numbers, roles and sites up to date."""
    membership = request.membership
    organisation = selectors.host_organisation(membership=membership, pk=pk)
    if organisation is None:
        raise Http404
    roles = (
        ProfessionalRole.objects.visible_to(membership)
        .select_related("programme")
        .order_by("programme__name", "order", "name")
    )
    data = request.POST or None
    form = HostOrganisationForm(data, instance=organisation, roles=roles)
    sites = SiteFormSet(data, instance=organisation, prefix="sites")
    if request.method == "POST" and form.is_valid() and sites.is_valid():
        try:
            services.update_host_organisation(
                actor=membership,
                organisation=organisation,
                data=form.cleaned_data,
                roles=form.cleaned_data["roles"],
                sites_formset=sites,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your organisation's data were saved."))
            return redirect("host-organisation-list")
    return render(
        request,
        "workplaces/offers/host_organisation_form.html",
        {"organisation": organisation, "form": form, "sites": sites},
    )


# --- invitations (coordinator) ---------------------------------------------------------
@permission_required(permissions.can_review_offers)
def invitation_list(request):
    rows = selectors.invitations(membership=request.membership)[:200]
    return render(request, "workplaces/offers/invitation_list.html", {"invitations": rows})


@permission_required(permissions.can_review_offers)
def invitation_create(request):
    """Send a workplace contact or mentor a sign-in link for an organisation."""
    membership = request.membership
    organisations = Organisation.objects.visible_to(membership).order_by("name")
    mentors = (
        Mentor.objects.visible_to(membership)
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )
    initial = {}
    if parse_id(request.GET.get("organisation")):
        initial["organisation"] = parse_id(request.GET["organisation"])
    form = InvitationForm(request.POST or None, organisations=organisations, mentors=mentors, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, _token = services.create_invitation(
                actor=request.membership,
                organisation=data["organisation"],
                email=data["email"],
                role=data["role"],
                purpose=data["purpose"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                mentor=data["mentor"],
                message=data["message"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("invitation-list")
    return render(request, "workplaces/offers/invitation_form.html", {"form": form})


@permission_required(permissions.can_review_offers)
def invitation_revoke(request, pk: int):
    invitation = selectors.invitation(membership=request.membership, pk=pk)
    if invitation is None:
        raise Http404
    return confirm_page(
        request,
        act=lambda: services.revoke_invitation(actor=request.membership, invitation=invitation),
        template="workplaces/offers/invitation_revoke.html",
        context={"invitation": invitation},
        done=_("The invitation was revoked; its link no longer works."),
        next_url=reverse("invitation-list"),
    )


# --- the link in the e-mail (anonymous) ------------------------------------------------
@never_cache
def invite_accept(request, token: str):
    """GET shows what accepting does; POST uses the link up, signs the person in and redirects."""
    try:
        invitation = invitations.find_invitation(token)
    except invitations.InvitationUnusable as exc:
        return _unusable(request, exc)
    account = invitations.existing_account(invitation)
    signed_in = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        try:
            accepted = services.accept_invitation(actor=None, token=token, signed_in_user=signed_in)
        except invitations.InvitationUnusable as exc:
            return _unusable(request, exc)
        except invitations.SignInRequired:
            # An existing account signs in its own way (password or code, then its second
            # factor) and comes back here; the link alone never signs anyone in.
            if signed_in is not None:
                return render(
                    request,
                    "workplaces/offers/invite_accept.html",
                    {"invitation": invitation, "account": account, "other_account": True},
                    status=403,
                )
            messages.info(request, _("An account already exists for this address: sign in to accept."))
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        if accepted.new_account:
            login(request, accepted.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = accepted.membership.pk
        if accepted.invitation.organisation_id is None:  # a student (access.services)
            welcome = _("Welcome! You now have access to workplace learning at %(institution)s.") % {
                "institution": accepted.invitation.institution.name
            }
        else:
            welcome = _("Welcome! You now work as %(role)s for %(organisation)s at %(institution)s.") % {
                "role": accepted.membership.get_role_display(),
                "organisation": accepted.invitation.organisation.name,
                "institution": accepted.invitation.institution.name,
            }
        messages.success(request, welcome)
        return redirect(invitations.landing_url(accepted.invitation))
    context = {
        "invitation": invitation,
        "account": account,
        "other_account": bool(account and signed_in and signed_in.pk != account.pk),
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
    }
    return render(request, "workplaces/offers/invite_accept.html", context)


def _unusable(request, exc: invitations.InvitationUnusable):
    status = 404 if exc.state == "unknown" else 410
    return render(request, "workplaces/offers/invite_unusable.html", {"state": exc.state}, status=status)
