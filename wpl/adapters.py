"""django-allauth adapter: closed sign-up, a smooth first two-factor set-up, mails per institution."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from django.utils import translation

from wpl import mail


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

    # --- mails (sign-in code, password reset, ...) ------------------------------------
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Write allauth's mails in the recipient's language, signed by their institution.

        Without this the mail says "Hello from 127.0.0.1:8000!": allauth names the site
        after the request's host when django.contrib.sites is not installed.
        """
        from wpl.models import User

        request = self.request or globals()["context"].request
        user = context.get("user") if isinstance(context.get("user"), User) else None
        if user is None:
            user = User.objects.filter(email__iexact=email).first()
        institution = mail.institution_for(user=user, request=request)
        language = mail.language_for(user=user, institution=institution)
        sender = institution.name if institution else mail.platform_name()
        self._mail_sender = (sender, institution)
        site = MailSite(name=sender, domain=request.get_host() if request is not None else "")
        ctx = {"request": request, "email": email, "current_site": site, "institution": institution}
        ctx.update(context)
        ctx["current_site"] = site
        try:
            with translation.override(language):
                msg = self.render_mail(template_prefix, email, ctx)
        finally:
            self._mail_sender = None
        msg.send()

    def format_email_subject(self, subject: str) -> str:
        sender = getattr(self, "_mail_sender", None)
        name = sender[0] if sender else mail.platform_name()
        return f"{name}: {subject}"

    def get_from_email(self) -> str:
        sender = getattr(self, "_mail_sender", None)
        return mail.from_address(sender[1] if sender else None)


class MailSite:
    """What allauth's mail templates read as `current_site`: the institution, not the host."""

    def __init__(self, *, name: str, domain: str):
        self.name = name
        self.domain = domain

    def __str__(self) -> str:
        return self.name
