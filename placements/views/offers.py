"""Pages for placement offers, host self-service of organisation data and access invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from placements import permissions
from placements.forms.offers import (
    DecisionForm,
    HostOrganisationForm,
    InvitationForm,
    OfferFilterForm,
    OfferForm,
    SiteFormSet,
)
from placements.models import Mentor, Organisation, ProfessionalRole, Programme
from placements.selectors import offers as selectors
from placements.services import offers as services
from placements.validators import parse_weekdays
from wpl import invitations
from wpl.middleware import SESSION_KEY
from wpl.views import membership_required


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form so the page re-renders with the input."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


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
        "placements/offers/offer_list.html",
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
        "placements/offers/offer_detail.html",
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
    from placements.forms.offers import WEEKDAYS

    names = dict(WEEKDAYS)
    return [str(names[d]) for d in parse_weekdays(value) if d in names]


@membership_required
def offer_create(request):
    """A workplace contact or mentor offers places for a programme year."""
    membership = request.membership
    if not permissions.can_submit_offers(membership):
        raise PermissionDenied
    organisations = selectors.host_organisations(membership=membership)
    if not organisations.exists():
        return render(request, "placements/offers/no_organisation.html")
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
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you: your offer was sent to the coordinator."))
            return redirect("offer-detail", pk=offer.pk)
    return render(request, "placements/offers/offer_form.html", {"form": form})


@membership_required
def offer_decide(request, pk: int):
    """The coordinator accepts or rejects an offer (a rejection needs a reason)."""
    if not permissions.can_review_offers(request.membership):
        raise PermissionDenied
    offer = selectors.offer_detail(membership=request.membership, pk=pk)
    if offer is None:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_offer(
                offer=offer,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                decided_by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your decision was saved and the workplace was informed."))
            return redirect("offer-detail", pk=offer.pk)
    return render(request, "placements/offers/offer_decide.html", {"offer": offer, "form": form})


@membership_required
def offer_withdraw(request, pk: int):
    """A host withdraws an offer of their own organisation."""
    if not permissions.can_submit_offers(request.membership):
        raise PermissionDenied
    offer = selectors.offer_detail(membership=request.membership, pk=pk)
    if offer is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.withdraw_offer(offer=offer)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The offer was withdrawn."))
            return redirect("offer-detail", pk=offer.pk)
    return render(request, "placements/offers/offer_withdraw.html", {"offer": offer, "error": error})


# --- host self-service ---------------------------------------------------------------
@membership_required
def host_organisation_list(request):
    """The organisations a workplace contact or mentor works for."""
    if not permissions.is_host(request.membership):
        raise PermissionDenied
    organisations = (
        selectors.host_organisations(membership=request.membership)
        .prefetch_related("sites", "mentors", "roles")
        .order_by("name")
    )
    return render(
        request,
        "placements/offers/host_organisation_list.html",
        {
            "organisations": organisations,
            "can_edit": permissions.can_edit_own_organisation(request.membership),
        },
    )


@membership_required
def host_organisation_edit(request, pk: int):
    """The workplace contact keeps contact data, staff numbers, roles and sites up to date."""
    membership = request.membership
    if not permissions.can_edit_own_organisation(membership):
        raise PermissionDenied
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
                organisation=organisation,
                data=form.cleaned_data,
                roles=form.cleaned_data["roles"],
                sites_formset=sites,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your organisation's data were saved."))
            return redirect("host-organisation-list")
    return render(
        request,
        "placements/offers/host_organisation_form.html",
        {"organisation": organisation, "form": form, "sites": sites},
    )


# --- invitations (coordinator) ---------------------------------------------------------
@membership_required
def invitation_list(request):
    if not permissions.can_review_offers(request.membership):
        raise PermissionDenied
    rows = selectors.invitations(membership=request.membership)[:200]
    return render(request, "placements/offers/invitation_list.html", {"invitations": rows})


@membership_required
def invitation_create(request):
    """Send a workplace contact or mentor a sign-in link for an organisation."""
    membership = request.membership
    if not permissions.can_review_offers(membership):
        raise PermissionDenied
    organisations = Organisation.objects.visible_to(membership).order_by("name")
    mentors = (
        Mentor.objects.visible_to(membership)
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = int(request.GET["organisation"])
    form = InvitationForm(request.POST or None, organisations=organisations, mentors=mentors, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, _token = invitations.create_invitation(
                organisation=data["organisation"],
                email=data["email"],
                role=data["role"],
                purpose=data["purpose"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                mentor=data["mentor"],
                message=data["message"],
                created_by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("The invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("invitation-list")
    return render(request, "placements/offers/invitation_form.html", {"form": form})


@membership_required
def invitation_revoke(request, pk: int):
    if not permissions.can_review_offers(request.membership):
        raise PermissionDenied
    invitation = selectors.invitation(membership=request.membership, pk=pk)
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            invitations.revoke_invitation(invitation=invitation)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The invitation was revoked; its link no longer works."))
            return redirect("invitation-list")
    return render(
        request, "placements/offers/invitation_revoke.html", {"invitation": invitation, "error": error}
    )


# --- the link in the e-mail (anonymous) ------------------------------------------------
@never_cache
def invite_accept(request, token: str):
    """GET shows what accepting does; POST uses the link up, signs the person in and redirects."""
    try:
        invitation = invitations.find_invitation(token)
    except invitations.InvitationUnusable as exc:
        return _unusable(request, exc)
    if request.method == "POST":
        try:
            accepted = invitations.accept_invitation(token=token)
        except invitations.InvitationUnusable as exc:
            return _unusable(request, exc)
        login(request, accepted.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = accepted.membership.pk
        messages.success(
            request,
            _("Welcome! You now work as %(role)s for %(organisation)s at %(institution)s.")
            % {
                "role": accepted.membership.get_role_display(),
                "organisation": accepted.invitation.organisation.name,
                "institution": accepted.invitation.institution.name,
            },
        )
        return redirect(invitations.landing_url(accepted.invitation))
    return render(request, "placements/offers/invite_accept.html", {"invitation": invitation})


def _unusable(request, exc: invitations.InvitationUnusable):
    status = 404 if exc.state == "unknown" else 410
    return render(request, "placements/offers/invite_unusable.html", {"state": exc.state}, status=status)
