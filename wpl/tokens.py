"""API tokens under the same rules as the website's sign-in.

- A token of someone who must use a second factor (coordinators, admins where policy
  requires it) is refused until TOTP is set up, whenever the token was issued.
- Setting up (or removing) an authenticator rotates the token: a key handed out before
  the second factor existed never comes back.
- Owners revoke their own token (`DELETE /api/token/`).
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from wpl.middleware import mfa_required_for


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_enrol(user) -> bool:
    """Policy requires a second factor for this person and they have not set one up yet."""
    return mfa_required_for(user) and not has_totp(user)


class MfaTokenAuthentication(TokenAuthentication):
    """DRF token authentication that applies the second-factor rule to every request."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if must_enrol(user):
            raise exceptions.AuthenticationFailed(
                _("Set up two-factor authentication on the website before using an API token.")
            )
        return user, token


def revoke_tokens(user) -> int:
    """Delete the person's API token(s); the next token request issues a new key."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted


def rotate_on_authenticator_change(sender, instance, created=True, **kwargs) -> None:
    """Signal receiver: an authenticator was added or removed, so the old key goes.

    Model signals rather than allauth's `authenticator_added` (sent on commit, from its views
    only): every way of adding a factor (web, admin, shell) rotates the token, in the same
    transaction.
    """
    if created:
        revoke_tokens(instance.user_id and instance.user)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(
        rotate_on_authenticator_change, sender=Authenticator, dispatch_uid="wpl-token-rotate-add"
    )
    post_delete.connect(
        rotate_on_authenticator_change, sender=Authenticator, dispatch_uid="wpl-token-rotate-remove"
    )
