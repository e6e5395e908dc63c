"""Writes for placement offers (hosts submit, coordinators decide) and host self-service."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from placements.models import (
    Mentor,
    OfferDecision,
    Organisation,
    PlacementOffer,
    ProfessionalRole,
    Programme,
    Site,
)
from placements.validators import format_weekdays
from wpl.models import User


@transaction.atomic
def submit_offer(
    *,
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
    return offer


@transaction.atomic
def decide_offer(*, offer: PlacementOffer, decision: str, reason: str, decided_by: User) -> OfferDecision:
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
    row = OfferDecision.objects.create(offer=offer, decision=decision, reason=reason, decided_by=decided_by)
    contact = offer.organisation.contact_email
    if contact:
        transaction.on_commit(lambda: _mail_decision(offer, row, contact))
    return row


def _mail_decision(offer: PlacementOffer, row: OfferDecision, to: str) -> None:
    with override(settings.LANGUAGE_CODE):
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
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@transaction.atomic
def withdraw_offer(*, offer: PlacementOffer) -> PlacementOffer:
    offer = PlacementOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status == PlacementOffer.Status.WITHDRAWN:
        raise ValidationError(_("This offer was already withdrawn."))
    offer.status = PlacementOffer.Status.WITHDRAWN
    offer.save(update_fields=["status"])
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
def update_host_organisation(*, organisation: Organisation, data: dict, roles, sites_formset) -> Organisation:
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
    return organisation
