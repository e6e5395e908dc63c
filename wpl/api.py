"""API foundations: tenant activation, scoped base viewsets and error format."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, permissions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from wpl import selectors, tenancy
from wpl.middleware import resolve_membership

INSTITUTION_HEADER = "X-Institution"


class TenantAPIMixin:
    """Resolves the membership after DRF authentication and activates its institution.

    Session clients use the institution chosen in the browser; token clients name it in
    the X-Institution header (slug) or get their first membership.
    """

    _tenant_token = None

    def initial(self, request, *args, **kwargs):
        self.perform_authentication(request)
        membership = None
        if request.user and request.user.is_authenticated:
            memberships = selectors.memberships_of(request.user)
            wanted = request.headers.get(INSTITUTION_HEADER)
            membership = resolve_membership(request._request, memberships, wanted_slug=wanted)
            if wanted and membership is None:
                raise exceptions.PermissionDenied(_("You are not a member of that institution."))
        request.membership = request._request.membership = membership
        self._tenant_token = tenancy.activate(membership.institution_id if membership else None)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        if self._tenant_token is not None:
            tenancy.deactivate(self._tenant_token)
            self._tenant_token = None
        return super().finalize_response(request, response, *args, **kwargs)


class HasMembership(permissions.BasePermission):
    message = gettext_lazy("You have no role in an institution.")

    def has_permission(self, request, view):
        return getattr(request, "membership", None) is not None


class TenantViewSetMixin(TenantAPIMixin):
    """Base for every API view: queryset comes from the model's `visible_to` filter."""

    permission_classes = [permissions.IsAuthenticated, HasMembership]
    model = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # For the schema generator only (it reads `queryset.model` to type path ids); never
        # queried: get_queryset() below is what requests use. Empty and unscoped on purpose.
        if cls.model is not None and "queryset" not in cls.__dict__:
            cls.queryset = cls.model.all_tenants.none()

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.membership)


class TenantReadOnlyViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantModelViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    pass


def exception_handler(exc, context):
    """DRF's handler; tenant misses become 403 (fail closed) instead of a 500."""
    if isinstance(exc, tenancy.TenantNotSet):
        exc = exceptions.PermissionDenied(_("No active institution."))
    return drf_exception_handler(exc, context)
