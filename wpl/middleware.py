"""Request middleware: the active institution and role, and the MFA requirement."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from wpl import permissions, selectors, tenancy

logger = logging.getLogger(__name__)
SESSION_KEY = "wpl_membership_id"


def resolve_membership(request, memberships, *, wanted_slug: str | None = None):
    """Pick the active membership: the one named by slug, the session's choice, or the first."""
    if wanted_slug:
        return next((m for m in memberships if m.institution.slug == wanted_slug), None)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return next((m for m in memberships if m.pk == chosen), memberships[0] if memberships else None)


class ActiveMembershipMiddleware:
    """Sets request.membership / request.institution and activates the tenant for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        memberships = []
        if request.user.is_authenticated:
            memberships = selectors.memberships_of(request.user)
        membership = resolve_membership(request, memberships)
        request.memberships = memberships
        request.membership = membership
        request.institution = membership.institution if membership else None
        token = tenancy.activate(membership.institution_id if membership else None)
        try:
            return self.get_response(request)
        finally:
            tenancy.deactivate(token)

    def process_exception(self, request, exception):
        if isinstance(exception, tenancy.TenantNotSet):
            # Fail closed, but tell the person why instead of a bare server error.
            logger.error("Tenant-owned data requested without an institution: %s", request.path)
            return render(request, "wpl/no_institution.html", status=403)
        return None


class RequireMfaMiddleware:
    """When switched on, coordinators and admins must set up TOTP before anything else.

    Runs after ActiveMembershipMiddleware (it reads `request.memberships`). Pages redirect
    to the TOTP set-up page; HTMX requests get an `HX-Redirect` there; session calls to the
    API get a 403 with the reason. Demo accounts are exempt so anyone can try every role.
    """

    # The sign-in, sign-out and MFA pages themselves, static files and the language switch.
    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/jsi18n/", "/health/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            target = reverse("mfa_activate_totp")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication before using the API.")}, status=403
                )
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        if not settings.WPL_REQUIRE_MFA_FOR_STAFF or not request.user.is_authenticated:
            return False
        if request.user.is_demo or request.path.startswith(self.ALLOWED_PREFIXES):
            return False
        if not mfa_required_for(request.user, getattr(request, "memberships", None)):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()


def mfa_required_for(user, memberships=None) -> bool:
    """Whether policy requires TOTP for this person (demo accounts never)."""
    if not settings.WPL_REQUIRE_MFA_FOR_STAFF or user.is_demo:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if memberships is None:
        memberships = selectors.memberships_of(user)
    return any(m.role in permissions.MFA_REQUIRED_ROLES for m in memberships)


class SignOutClearsCacheMiddleware:
    """The answer to a sign-out tells the browser to drop its HTTP cache of this site.

    `Clear-Site-Data: "cache"` only, not "storage": storage would also wipe the logbook's
    offline queue, which may hold entries not sent yet (static/js/signout.js empties the
    service worker's caches and keeps such entries for their owner).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        was_signed_in = bool(user is not None and user.is_authenticated)
        response = self.get_response(request)
        now = getattr(request, "user", None)
        if was_signed_in and not (now is not None and now.is_authenticated):
            response["Clear-Site-Data"] = '"cache"'
        return response
