"""django-allauth adapter: closed sign-up and a smooth first two-factor set-up."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by institutions (invitations, imports), never by self sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a *first* authenticator right after signing in needs no second password.

        Coordinators and admins are sent to the TOTP set-up page straight after signing in
        (RequireMfaMiddleware); asking for the password they typed seconds ago again would
        only get in the way. Everything else (changing or removing an existing
        authenticator, recovery codes, a sign-in older than the re-authentication timeout)
        still asks to re-authenticate.
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and self._first_enrolment_after_fresh_sign_in():
            return False
        return required

    def _first_enrolment_after_fresh_sign_in(self) -> bool:
        from allauth.mfa.models import Authenticator

        request = self.request or context.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return False
        if Authenticator.objects.filter(user=user).exists():
            return False
        records = get_authentication_records(request, user)
        if not records:
            return False
        signed_in_at = records[-1].get("at", 0)
        return time.time() - signed_in_at < account_settings.REAUTHENTICATION_TIMEOUT
