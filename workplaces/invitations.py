"""Password-free access for workplace contacts and mentors: e-mailed, single-use invitations.

A coordinator invites an e-mail address for an organisation and a role (workplace contact
or mentor). The e-mail holds a link with a random token; only its SHA-256 hash is stored.
Opening the link shows a confirmation page; accepting it (POST, so mail scanners that
follow links do not use it up) creates or finds the person, gives them the role in the
invitation's institution only, links them to the organisation or mentor record and signs
them in. Later they sign in with a one-time code sent by e-mail (allauth login by code).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from workplaces.models import AccessInvitation
from wpl.models import Membership, Role, User
from wpl.tenancy import tenant_context

TOKEN_BYTES = 32


DEFAULT_VALID_DAYS = 14


def valid_days() -> int:
    return int(getattr(settings, "WPL_INVITATION_VALID_DAYS", DEFAULT_VALID_DAYS))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class InvitationUnusable(Exception):
    """The token is unknown, expired, revoked or already used; `state` says which."""

    def __init__(self, state: str, invitation: AccessInvitation | None = None):
        super().__init__(state)
        self.state = state
        self.invitation = invitation


class SignInRequired(Exception):
    """The invitation names an existing account: its owner must sign in with it first.

    The link proves only that someone can read the mailbox; it never replaces the account's
    own password and second factor. After the owner's normal sign-in the role is added.
    """

    def __init__(self, invitation: AccessInvitation):
        super().__init__("sign-in required")
        self.invitation = invitation


@dataclass(frozen=True)
class Accepted:
    invitation: AccessInvitation
    user: User
    membership: Membership
    # True when accepting created the account: only then may the link itself sign in.
    new_account: bool = False


# --- reads ------------------------------------------------------------------------------
def find_invitation(token: str) -> AccessInvitation:
    """The pending invitation for a token, or InvitationUnusable.

    Deliberately unscoped: the person opening the link is not signed in, so no
    institution is active; the token itself is the credential and names one invitation.
    """
    if not token or len(token) > 200:
        raise InvitationUnusable("unknown")
    invitation = (
        AccessInvitation.all_tenants.select_related("institution", "organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.institution.is_active:
        raise InvitationUnusable("unknown")
    if invitation.state != "pending":
        raise InvitationUnusable(invitation.state, invitation)
    return invitation


def existing_account(invitation: AccessInvitation) -> User | None:
    """The account that already uses the invitation's address, if any (across institutions)."""
    return User.objects.filter(email__iexact=invitation.email).first()


# --- writes -----------------------------------------------------------------------------
@transaction.atomic
def create_invitation(
    *,
    organisation,
    email: str,
    role: str,
    purpose: str,
    created_by: User | None,
    base_url: str,
    first_name: str = "",
    last_name: str = "",
    mentor=None,
    message: str = "",
) -> tuple[AccessInvitation, str]:
    """Store an invitation (token hash only) and e-mail the link once the transaction commits.

    Runs inside the organisation's institution; returns the invitation and the token.
    """
    if role not in AccessInvitation.InvitedRole.values:
        raise ValidationError({"role": _("Invite a workplace contact or a mentor.")})
    if mentor is not None and mentor.organisation_id != organisation.pk:
        raise ValidationError({"mentor": _("This mentor works at another organisation.")})
    token = secrets.token_urlsafe(TOKEN_BYTES)
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
            token_hash=hash_token(token),
            expires_at=timezone.now() + timedelta(days=valid_days()),
            created_by=created_by,
        )
    link = base_url.rstrip("/") + reverse("invite-accept", kwargs={"token": token})
    transaction.on_commit(lambda: _send_invitation_mail(invitation, link))
    return invitation, token


def _send_invitation_mail(invitation: AccessInvitation, link: str) -> None:
    context = {
        "invitation": invitation,
        "institution": invitation.institution,
        "organisation": invitation.organisation,
        "link": link,
        "valid_days": valid_days(),
    }
    from wpl import mail

    language = mail.language_for(email=invitation.email, institution=invitation.institution)
    with override(language):
        subject = _("Invitation from %(institution)s: workplace learning") % {
            "institution": invitation.institution.name
        }
        body = render_to_string("workplaces/offers/invitation_email.txt", context)
    send_mail(subject, body, mail.from_address(invitation.institution), [invitation.email])


@transaction.atomic
def revoke_invitation(*, invitation: AccessInvitation) -> AccessInvitation:
    if invitation.state != "pending":
        raise ValidationError(_("Only an invitation that is still waiting can be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, signed_in_user: User | None = None) -> Accepted:
    """Use up the invitation: person, role in the invitation's institution, link to the host.

    Runs inside the invitation's institution whatever institution the browser had active,
    so the membership can never land in another tenant. When the address already has an
    account, `signed_in_user` must be that account (signed in the normal way, second factor
    included); otherwise SignInRequired is raised and the invitation stays unused.
    """
    found = find_invitation(token)
    # Lock the row so two clicks at once cannot both use the same link.
    invitation = AccessInvitation.all_tenants.select_for_update().get(pk=found.pk)
    if invitation.state != "pending":
        raise InvitationUnusable(invitation.state, invitation)
    with tenant_context(invitation.institution_id):
        user = existing_account(invitation)
        new_account = user is None
        if user is not None and (signed_in_user is None or signed_in_user.pk != user.pk):
            raise SignInRequired(invitation)
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
        _mark_email_verified(user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.membership = membership
        invitation.save(update_fields=["accepted_at", "accepted_by", "membership"])
    return Accepted(invitation=invitation, user=user, membership=membership, new_account=new_account)


def _mark_email_verified(user: User) -> None:
    """Opening the e-mailed link proves the mailbox: later sign-ins by e-mail code just work."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=not has_primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def _link_to_host(invitation: AccessInvitation, user: User) -> None:
    """Link the account to what the invitation names; access follows these links only.

    Workplace contact: the organisation's `contact_user` (and its contact e-mail, so the
    school reaches them there); mentor: the mentor record's `user`.
    """
    from workplaces.models import Mentor, Organisation

    if invitation.role == Role.STUDENT:
        # Students are invited for their student record (access.student_access), not a host.
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


def landing_url(invitation: AccessInvitation) -> str:
    """Where the person lands after accepting, by the invitation's purpose."""
    purpose = AccessInvitation.Purpose
    if invitation.role == Role.STUDENT:
        return reverse("home")
    if invitation.purpose == purpose.OFFER:
        return reverse("offer-create")
    if invitation.purpose == purpose.ORGANISATION:
        return reverse("host-organisation-list")
    if invitation.purpose == purpose.QUALITY:
        return reverse("quality-overview")
    return reverse("home")
