"""Writes for workplaces: organisations, sites, mentors, capacity, criteria and approvals.

Keyword-only, typed and atomic. Each function checks the actor may do it (defence in
depth: the views check too) and raises a translated `ValidationError` for bad input, so
nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from catalogue import permissions as catalogue_permissions
from catalogue.models import ProfessionalRole, Programme
from workplaces import invitations, permissions
from workplaces.criteria import clean_params
from workplaces.models import (
    AccessInvitation,
    Mentor,
    OfferDecision,
    Organisation,
    OrganisationCapacity,
    PlacementOffer,
    Site,
    WorkplaceApproval,
    WorkplaceCriterion,
)
from wpl import audit
from wpl.models import Membership, Role, User
from wpl.tenancy import tenant_context
from wpl.validators import YEARS_ORDER_MESSAGE, format_weekdays, normalise_enterprise_number

NOT_ACTOR_SERVICES = {
    "mark_email_verified": "a step of accepting an invitation or a single sign-on, which record the event",
}

ORGANISATION_FIELDS = (
    "name",
    "enterprise_number",
    "sector",
    "description",
    "staff_fte",
    "permanent_staff",
    "commits_years",
    "learning_by_doing",
    "languages",
    "contact_name",
    "contact_email",
    "contact_phone",
)


SITE_FIELDS = ("name", "street", "postcode", "municipality", "region")


MENTOR_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "function",
    "is_social_worker",
    "years_at_organisation",
    "years_in_sector",
    "reachable_weekdays",
    "attended_start_day",
    "trained",
)


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not change this workplace."))


def _assign(obj, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _check_editable(actor: Membership, organisation: Organisation) -> None:
    _refuse_unless(permissions.can_edit_workplace(actor))
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("You may not change this workplace."))


@transaction.atomic
def save_organisation(
    *,
    actor: Membership,
    data: Mapping[str, Any],
    organisation: Organisation | None = None,
    roles: Iterable[ProfessionalRole] | None = None,
) -> Organisation:
    """Create (staff only) or update an organisation; normalises the enterprise number."""
    if organisation is None:
        _refuse_unless(permissions.can_manage_workplaces(actor))
        organisation = Organisation()
    else:
        _check_editable(actor, organisation)
    _assign(organisation, data, ORGANISATION_FIELDS)
    number = (organisation.enterprise_number or "").strip()
    if number:
        try:
            organisation.enterprise_number = normalise_enterprise_number(number)
        except ValidationError as exc:
            raise ValidationError({"enterprise_number": exc.messages}) from None
        duplicate = Organisation.objects.filter(enterprise_number=organisation.enterprise_number).exclude(
            pk=organisation.pk
        )
        if duplicate.exists():
            raise ValidationError(
                {"enterprise_number": _("Another organisation already has this enterprise number.")}
            )
    else:
        organisation.enterprise_number = ""
    creating = organisation.pk is None
    organisation.full_clean(exclude=["institution"])
    organisation.save()
    if roles is not None:
        organisation.roles.set(list(roles))
    verb = "create" if creating else "update"
    audit.record(
        actor=actor, action=f"workplaces.organisation.{verb}", obj=organisation, summary=organisation.name
    )
    return organisation


@transaction.atomic
def save_site(
    *, actor: Membership, organisation: Organisation, data: Mapping[str, Any], site: Site | None = None
) -> Site:
    _check_editable(actor, organisation)
    if site is None:
        site = Site(organisation=organisation)
    elif site.organisation_id != organisation.pk:
        raise PermissionDenied
    _assign(site, data, SITE_FIELDS)
    site.full_clean(exclude=["institution", "organisation"])
    site.save()
    audit.record(actor=actor, action="workplaces.site.save", obj=site, summary=site.name)
    return site


@transaction.atomic
def save_mentor(
    *, actor: Membership, organisation: Organisation, data: Mapping[str, Any], mentor: Mentor | None = None
) -> Mentor:
    """Create or update a mentor record.

    The record's account (`mentor.user`, which access follows) is never set from the e-mail
    typed here: the mentor gets it by accepting an invitation for this organisation.
    """
    _check_editable(actor, organisation)
    if mentor is None:
        mentor = Mentor(organisation=organisation)
    elif mentor.organisation_id != organisation.pk:
        raise PermissionDenied
    _assign(mentor, data, MENTOR_FIELDS)
    errors = {}
    for name in ("years_at_organisation", "years_in_sector"):
        value = getattr(mentor, name)
        if value is not None and value < 0:
            errors[name] = _("Years cannot be negative.")
    if (
        not errors
        and mentor.years_at_organisation is not None
        and mentor.years_in_sector is not None
        and mentor.years_at_organisation > mentor.years_in_sector
    ):
        errors["years_at_organisation"] = str(YEARS_ORDER_MESSAGE)
    if errors:
        raise ValidationError(errors)
    mentor.full_clean(exclude=["institution", "organisation", "user"])
    mentor.save()
    audit.record(actor=actor, action="workplaces.mentor.save", obj=mentor, summary=str(mentor))
    return mentor


@transaction.atomic
def set_capacity(
    *, actor: Membership, organisation: Organisation, programme: Programme, year: int, places: int
) -> OrganisationCapacity | None:
    """Places for a programme year; 0 places removes the row."""
    _check_editable(actor, organisation)
    if year < 1 or year > max(programme.years, 1):
        raise ValidationError(
            {
                "year": _("%(programme)s has years 1 to %(years)s.")
                % {"programme": programme, "years": programme.years}
            }
        )
    if places < 0:
        raise ValidationError({"places": _("Places cannot be negative.")})
    existing = OrganisationCapacity.objects.filter(organisation=organisation, programme=programme, year=year)
    audit.record(
        actor=actor,
        action="workplaces.capacity.set",
        obj=organisation,
        summary=f"{programme} {year}: {places}",
        data={"programme": programme.pk, "year": year, "places": places},
    )
    if places == 0:
        existing.delete()
        return None
    capacity = existing.first() or OrganisationCapacity(
        organisation=organisation, programme=programme, year=year
    )
    capacity.places = places
    capacity.save()
    return capacity


@transaction.atomic
def decide_approval(
    *,
    actor: Membership,
    organisation: Organisation,
    programme: Programme,
    academic_year: str,
    decision: str,
    reason: str = "",
) -> WorkplaceApproval:
    """Record a coordinator's decision; the newest row per programme and year is the current one."""
    _refuse_unless(permissions.can_approve_workplaces(actor))
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    reason = (reason or "").strip()
    if decision not in WorkplaceApproval.Decision.values:
        raise ValidationError({"decision": _("Choose approve or reject.")})
    if decision == WorkplaceApproval.Decision.REJECTED and not reason:
        raise ValidationError({"reason": _("Give a reason when you reject a workplace.")})
    if decision == WorkplaceApproval.Decision.APPROVED and not reason:
        # Approving against the checklist is allowed, but never without saying why.
        from workplaces.criteria import Status
        from workplaces.selectors import programme_checklist

        checklist = programme_checklist(
            membership=actor, organisation_pk=organisation.pk, programme=programme
        )
        if checklist.overall != Status.PASS:
            raise ValidationError(
                {
                    "reason": _(
                        "This workplace does not meet every criterion, or some are unknown: "
                        "give a reason for approving it."
                    )
                }
            )
    approval = WorkplaceApproval(
        organisation=organisation,
        programme=programme,
        academic_year=(academic_year or "").strip(),
        decision=decision,
        reason=reason,
        decided_by=actor.user,
    )
    approval.full_clean(exclude=["institution", "organisation", "programme", "decided_by"])
    approval.save()
    audit.record(
        actor=actor,
        action=f"workplaces.approval.{decision}",
        obj=approval,
        summary=f"{organisation.name} / {programme} {approval.academic_year}",
    )
    return approval


@transaction.atomic
def save_criterion(
    *,
    actor: Membership,
    programme: Programme,
    data: Mapping[str, Any],
    criterion: WorkplaceCriterion | None = None,
) -> WorkplaceCriterion:
    """Create or update a programme's workplace criterion; params are checked by its rule."""
    _refuse_unless(catalogue_permissions.can_manage_catalogue(actor))
    criterion = criterion or WorkplaceCriterion()
    criterion.programme = programme
    _assign(criterion, data, ("order", "label", "kind", "params", "is_preference"))
    criterion.params = clean_params(criterion.kind, criterion.params)
    criterion.full_clean(exclude=["institution", "programme"])
    criterion.save()
    audit.record(actor=actor, action="workplaces.criterion.save", obj=criterion, summary=criterion.label)
    return criterion


@transaction.atomic
def delete_criterion(*, actor: Membership, criterion: WorkplaceCriterion) -> None:
    _refuse_unless(catalogue_permissions.can_manage_catalogue(actor))
    audit.record(actor=actor, action="workplaces.criterion.delete", obj=criterion, summary=criterion.label)
    criterion.delete()


@transaction.atomic
def submit_offer(
    *,
    actor: Membership | None,
    organisation: Organisation,
    programme: Programme,
    academic_year: str,
    year: int,
    places: int,
    tasks: str,
    roles: Iterable[ProfessionalRole] = (),
    site: Site | None = None,
    mentor: Mentor | None = None,
    weekdays: Iterable[int] = (),
) -> PlacementOffer:
    """A host offers places for a programme year; the coordinator reviews it."""
    errors = {}
    if site is not None and site.organisation_id != organisation.pk:
        errors["site"] = _("This site belongs to another organisation.")
    if mentor is not None and mentor.organisation_id != organisation.pk:
        errors["mentor"] = _("This mentor works at another organisation.")
    roles = list(roles)
    if any(r.programme_id != programme.pk for r in roles):
        errors["roles"] = _("Choose professional roles of the chosen programme.")
    if not 1 <= year <= max(programme.years, 1):
        errors["year"] = _("The programme has %(n)s year(s).") % {"n": programme.years}
    if places < 1:
        errors["places"] = _("Offer at least one place.")
    if errors:
        raise ValidationError(errors)
    offer = PlacementOffer(
        organisation=organisation,
        programme=programme,
        academic_year=academic_year,
        year=year,
        places=places,
        tasks=tasks,
        site=site,
        mentor=mentor,
        weekdays=format_weekdays(weekdays),
        status=PlacementOffer.Status.SUBMITTED,
    )
    offer.full_clean(exclude=["institution", "proposed_by_student"])
    offer.save()
    offer.roles.set(roles)
    audit.record(actor=actor, action="workplaces.offer.submit", obj=offer, summary=str(offer))
    return offer


@transaction.atomic
def decide_offer(*, actor: Membership, offer: PlacementOffer, decision: str, reason: str) -> OfferDecision:
    """Accept or reject an offer; a rejection needs a reason. Tells the workplace contact."""
    offer = PlacementOffer.objects.select_for_update().get(pk=offer.pk)
    if decision not in OfferDecision.Decision.values:
        raise ValidationError({"decision": _("Choose accept or reject.")})
    if offer.status == PlacementOffer.Status.WITHDRAWN:
        raise ValidationError(_("The workplace withdrew this offer."))
    reason = (reason or "").strip()
    if decision == OfferDecision.Decision.REJECTED and not reason:
        raise ValidationError({"reason": _("Give a reason when you reject an offer.")})
    offer.status = decision
    offer.save(update_fields=["status"])
    row = OfferDecision.objects.create(offer=offer, decision=decision, reason=reason, decided_by=actor.user)
    audit.record(actor=actor, action=f"workplaces.offer.{decision}", obj=offer, summary=reason[:200])
    contact = offer.organisation.contact_email
    if contact:
        transaction.on_commit(lambda: _mail_decision(offer, row, contact))
    return row


def _mail_decision(offer: PlacementOffer, row: OfferDecision, to: str) -> None:
    from wpl import mail

    institution = offer.institution
    with override(mail.language_for(email=to, institution=institution)):
        subject = _("Your placement offer for %(programme)s: %(decision)s") % {
            "programme": offer.programme.name,
            "decision": row.get_decision_display(),
        }
        body = _("Your offer for %(programme)s (%(year)s) was %(decision)s.") % {
            "programme": offer.programme.name,
            "year": offer.academic_year,
            "decision": row.get_decision_display().lower(),
        }
        if row.reason:
            body += "\n\n" + _("Reason: %(reason)s") % {"reason": row.reason}
    send_mail(subject, body, mail.from_address(institution), [to])


@transaction.atomic
def withdraw_offer(*, actor: Membership | None, offer: PlacementOffer) -> PlacementOffer:
    """The host takes an offer back; it can no longer be accepted."""
    offer = PlacementOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status == PlacementOffer.Status.WITHDRAWN:
        raise ValidationError(_("This offer was already withdrawn."))
    offer.status = PlacementOffer.Status.WITHDRAWN
    offer.save(update_fields=["status"])
    audit.record(actor=actor, action="workplaces.offer.withdraw", obj=offer, summary=str(offer))
    return offer


HOST_ORGANISATION_FIELDS = (
    "name",
    "sector",
    "staff_fte",
    "permanent_staff",
    "languages",
    "contact_name",
    "contact_phone",
)


@transaction.atomic
def update_host_organisation(
    *, actor: Membership | None, organisation: Organisation, data: dict, roles, sites_formset
) -> Organisation:
    """The workplace contact updates the organisation's own data, roles and sites at once.

    `sites_formset` is a validated inline formset of the organisation's sites.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field in HOST_ORGANISATION_FIELDS:
        if field in data:
            setattr(organisation, field, data[field])
    organisation.full_clean(exclude=["institution", "roles"])
    organisation.save()
    organisation.roles.set(list(roles))
    sites_formset.instance = organisation
    sites_formset.save()
    audit.record(
        actor=actor, action="workplaces.organisation.host_update", obj=organisation, summary=organisation.name
    )
    return organisation


# --- host invitations: password-free access (workplaces.invitations holds the token and mail) ----
@transaction.atomic
def create_invitation(
    *,
    actor: Membership | None,
    organisation: Organisation,
    email: str,
    role: str,
    purpose: str,
    base_url: str,
    first_name: str = "",
    last_name: str = "",
    mentor: Mentor | None = None,
    message: str = "",
) -> tuple[AccessInvitation, str]:
    """Store an invitation (token hash only) and e-mail the link once the transaction commits.

    Runs inside the organisation's institution; returns the invitation and the token.
    """
    if role not in AccessInvitation.InvitedRole.values:
        raise ValidationError({"role": _("Invite a workplace contact or a mentor.")})
    if mentor is not None and mentor.organisation_id != organisation.pk:
        raise ValidationError({"mentor": _("This mentor works at another organisation.")})
    token, token_hash = invitations.new_token()
    with tenant_context(organisation.institution_id):
        invitation = AccessInvitation.objects.create(
            organisation=organisation,
            email=User.objects.normalize_email(email).lower(),
            first_name=first_name,
            last_name=last_name,
            mentor=mentor,
            role=role,
            purpose=purpose,
            message=message,
            token_hash=token_hash,
            expires_at=invitations.expiry(),
            created_by=actor.user if actor is not None else None,
        )
        audit.record(
            actor=actor, action="workplaces.invitation.create", obj=invitation, summary=invitation.email
        )
    link = invitations.accept_link(base_url, token)
    transaction.on_commit(lambda: invitations.send_invitation_mail(invitation, link))
    return invitation, token


@transaction.atomic
def revoke_invitation(*, actor: Membership | None, invitation: AccessInvitation) -> AccessInvitation:
    """The link stops working; only a pending invitation can be revoked."""
    if invitation.state != "pending":
        raise ValidationError(_("Only an invitation that is still waiting can be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="workplaces.invitation.revoke", obj=invitation, summary=invitation.email)
    return invitation


@transaction.atomic
def accept_invitation(
    *, actor: Membership | None, token: str, signed_in_user: User | None = None
) -> invitations.Accepted:
    """Use up the invitation: person, role in the invitation's institution, link to the host.

    `actor` is None: the link is the credential, whoever holds the browser. The audit event
    names the membership the link grants (the person who accepted). Runs inside the
    invitation's institution whatever institution the browser had active, so the
    membership can never land in another tenant. When the address already has an account,
    `signed_in_user` must be that account (signed in the normal way, second factor
    included); otherwise SignInRequired is raised and the invitation stays unused.
    """
    found = invitations.find_invitation(token)
    # Lock the row so two clicks at once cannot both use the same link.
    invitation = AccessInvitation.all_tenants.select_for_update().get(pk=found.pk)
    if invitation.state != "pending":
        raise invitations.InvitationUnusable(invitation.state, invitation)
    with tenant_context(invitation.institution_id):
        user = invitations.existing_account(invitation)
        new_account = user is None
        if user is not None and (signed_in_user is None or signed_in_user.pk != user.pk):
            raise invitations.SignInRequired(invitation)
        if user is None:
            user = User(
                email=invitation.email,
                first_name=invitation.first_name,
                last_name=invitation.last_name,
            )
            user.set_unusable_password()
            user.save()
        elif not user.first_name and not user.last_name and (invitation.first_name or invitation.last_name):
            user.first_name, user.last_name = invitation.first_name, invitation.last_name
            user.save(update_fields=["first_name", "last_name"])
        membership, _created = Membership.objects.get_or_create(user=user, role=invitation.role)
        if not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        _link_to_host(invitation, user)
        mark_email_verified(user, user.email)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.membership = membership
        invitation.save(update_fields=["accepted_at", "accepted_by", "membership"])
        audit.record(
            actor=actor or membership,
            action="workplaces.invitation.accept",
            obj=invitation,
            summary=user.email,
        )
    return invitations.Accepted(
        invitation=invitation, user=user, membership=membership, new_account=new_account
    )


def mark_email_verified(user: User, email: str) -> None:
    """The person proved the mailbox (an e-mailed link, an identity provider that vouches for
    it): later sign-ins by e-mailed code just work. Part of the sign-in writes that call it."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=not has_primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def _link_to_host(invitation: AccessInvitation, user: User) -> None:
    """Link the account to what the invitation names; access follows these links only.

    Workplace contact: the organisation's `contact_user` (and its contact e-mail, so the
    school reaches them there); mentor: the mentor record's `user`.
    """
    if invitation.role == Role.STUDENT:
        # Students are invited for their student record (access.services), not a host.
        from students.models import Student
        from students.services import grant_student_access

        student = Student.objects.filter(pk=invitation.student_id).first()
        if student is not None:
            grant_student_access(student=student, user=user)
        return

    organisation = Organisation.objects.select_for_update().get(pk=invitation.organisation_id)
    if invitation.role == Role.ORG_ADMIN:
        organisation.contact_user = user
        organisation.contact_email = user.email
        fields = ["contact_user", "contact_email"]
        if not organisation.contact_name:
            organisation.contact_name = user.get_full_name()
            fields.append("contact_name")
        organisation.save(update_fields=fields)
        return
    mentor = None
    if invitation.mentor_id:
        mentor = Mentor.objects.filter(pk=invitation.mentor_id, organisation=organisation).first()
    if mentor is None:
        # The coordinator invited this address as a mentor of this organisation: the record
        # with that address is the person's, unless it is already another account's.
        mentor = (
            Mentor.objects.filter(organisation=organisation, email__iexact=user.email)
            .filter(Q(user__isnull=True) | Q(user=user))
            .first()
        )
    if mentor is None:
        mentor = Mentor.objects.create(
            organisation=organisation,
            email=user.email,
            first_name=user.first_name or user.email.split("@")[0],
            last_name=user.last_name,
        )
    mentor.user = user
    mentor.save(update_fields=["user"])
