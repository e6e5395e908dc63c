"""Single sign-on per institution with OpenID Connect, through django-allauth.

Each institution may configure one identity provider (`SingleSignOn`). The adapter below
hands those rows to allauth's `openid_connect` provider as in-memory apps, so the admin's
page is the only place the settings live. allauth runs the redirect flow, checks the ID
token (issuer, audience, signature through the provider's JWKS) and then asks
`pre_social_login` who the person is; `access.services.resolve_sso_user` answers by these
rules:

* the provider must say the address is verified, and its domain must be one the
  institution configured (a provider cannot speak for addresses it does not own);
* a known address links to the existing person: someone with a role in the institution,
  or a student the institution imported (who then gets the student role);
* the person must hold no role in another institution: one institution's provider must
  never open another institution's data (those people sign in with an e-mailed code or
  their password, and the second factor when they have one);
* an unknown address gets an account only when the institution allows it (default: not).

Two-factor authentication still applies: allauth runs its MFA step after this one.
"""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from access.services import SsoRefused, resolve_sso_user
from wpl.models import SingleSignOn

PROVIDER = "openid_connect"

REASONS = {
    "unavailable": _("Single sign-on is not available for this institution."),
    "no_email": _("Your school account did not tell us your e-mail address."),
    "unverified": _("Your school account did not confirm that your e-mail address is verified."),
    "domain": _("Single sign-on of this institution does not cover your e-mail address."),
    "inactive": _("Your account is deactivated."),
    "unknown": _(
        "The institution does not know your e-mail address yet. Ask your coordinator for an invitation."
    ),
    "no_role": _("You have no role at this institution."),
    "other_institutions": _(
        "You also work with another institution, so sign in with your e-mail address "
        "(a sign-in code or your password) instead."
    ),
}


# --- reads ------------------------------------------------------------------------------
def active_configs():
    """Every institution's active single sign-on; deliberately unscoped (nobody is signed in yet)."""
    return (
        SingleSignOn.all_tenants.filter(is_active=True, institution__is_active=True)
        .select_related("institution")
        .order_by("institution__name")
    )


def config_for_provider(provider_id: str) -> SingleSignOn | None:
    prefix = "sso-"
    if not provider_id.startswith(prefix):
        return None
    return active_configs().filter(institution__slug=provider_id[len(prefix) :]).first()


def social_app(config: SingleSignOn):
    """An unsaved allauth SocialApp built from the institution's settings."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp(
        provider=PROVIDER,
        provider_id=config.provider_id,
        name=config.name,
        client_id=config.client_id,
        secret=config.client_secret,
        settings={"server_url": config.issuer.rstrip("/")},
    )


def _asserted_email(sociallogin) -> tuple[str, bool]:
    for address in sociallogin.email_addresses:
        # Some providers send the claim as the string "true".
        verified = address.verified is True or str(address.verified).lower() == "true"
        return address.email, verified
    return "", False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth's view of the institutions' identity providers and of who may sign in."""

    def list_apps(self, request, provider=None, client_id=None):
        apps = []
        for config in active_configs():
            if provider not in (None, PROVIDER, config.provider_id):
                continue
            if client_id and config.client_id != client_id:
                continue
            apps.append(social_app(config))
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Accounts are made in pre_social_login by resolve_sso_user, never by allauth's sign-up.
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        config = config_for_provider(sociallogin.account.provider)
        try:
            if config is None:
                raise SsoRefused("unavailable")
            email, verified = _asserted_email(sociallogin)
            data = sociallogin.account.extra_data or {}
            claims = data.get("userinfo") or data.get("id_token") or {}
            resolved = resolve_sso_user(
                actor=None,
                config=config,
                email=email,
                verified=verified,
                first_name=claims.get("given_name", "") or "",
                last_name=claims.get("family_name", "") or "",
                linked_user=sociallogin.user if sociallogin.is_existing else None,
            )
        except SsoRefused as exc:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "account/sso_refused.html",
                    {"reason": REASONS[exc.reason], "config": config},
                    status=403,
                )
            ) from exc
        if not sociallogin.is_existing:
            sociallogin.connect(request, resolved.user)
        from wpl.middleware import SESSION_KEY

        # Start in the institution whose provider vouched for the person.
        request.session[SESSION_KEY] = resolved.membership.pk
