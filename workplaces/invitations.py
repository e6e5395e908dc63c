"""Password-free access for workplace contacts and mentors: e-mailed, single-use invitations.

A coordinator invites an e-mail address for an organisation and a role (workplace contact
or mentor). The e-mail holds a link with a random token; only its SHA-256 hash is stored.
Opening the link shows a confirmation page; accepting it (POST, so mail scanners that
follow links do not use it up) creates or finds the person, gives them the role in the
invitation's institution only, links them to the organisation or mentor record and signs
them in. Later they sign in with a one-time code sent by e-mail (allauth login by code).

This module holds the token, the reads and the e-mail; the writes (create, revoke, accept)
are services in `workplaces.services`, with `actor=` and the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from workplaces.models import AccessInvitation
from wpl.models import Membership, Role, User

TOKEN_BYTES = 32


DEFAULT_VALID_DAYS = 14


def valid_days() -> int:
    return int(getattr(settings, "WPL_INVITATION_VALID_DAYS", DEFAULT_VALID_DAYS))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh link token and the hash that is stored (the token itself never is)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def expiry() -> datetime:
    """When an invitation sent now stops working."""
    return timezone.now() + timedelta(days=valid_days())


def accept_link(base_url: str, token: str) -> str:
    """The absolute address of the link in the e-mail."""
    return base_url.rstrip("/") + reverse("invite-accept", kwargs={"token": token})


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


# --- the e-mail ------------------------------------------------------------------------
def send_invitation_mail(invitation: AccessInvitation, link: str) -> None:
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
