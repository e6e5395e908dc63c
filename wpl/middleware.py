"""Request middleware: the active institution and role, and the MFA requirement."""

from __future__ import annotations

import logging

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse

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
    """When switched on, coordinators and admins must set up TOTP before anything else."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        if not settings.WPL_REQUIRE_MFA_FOR_STAFF or not request.user.is_authenticated:
            return False
        if request.user.is_demo or request.path.startswith(self.ALLOWED_PREFIXES):
            return False
        needs = request.user.is_superuser or any(
            m.role in permissions.MFA_REQUIRED_ROLES for m in request.memberships
        )
        if not needs:
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
