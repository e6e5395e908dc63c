"""API foundations: tenant activation, scoped base viewsets and error format."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from wpl import selectors, tenancy
from wpl.errors import ServiceError, api_detail
from wpl.middleware import resolve_membership
from wpl.permissions import Predicate

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


class PredicatePermission(permissions.BasePermission):
    """The one API guard, built from the same predicates as the pages' `permission_required`.

    ``PredicatePermission(write, read=...)``: safe methods (GET, HEAD, OPTIONS) need `read`
    (default: any membership), the others `write` (default: same as `read`). Put the
    instance itself in `permission_classes` (DRF calls each entry; an instance returns
    itself). Object-level limits stay in the viewset's scoped queryset (404).
    """

    def __init__(self, write: Predicate | None = None, *, read: Predicate | None = None, message=None):
        self.read = read
        self.write = write if write is not None else read
        if message is not None:
            self.message = message

    def __call__(self):
        return self

    def has_permission(self, request, view):
        membership = getattr(request, "membership", None)
        if membership is None:
            return False
        predicate = self.read if request.method in permissions.SAFE_METHODS else self.write
        return predicate is None or bool(predicate(membership))


def require(predicate: Predicate, request, message=None) -> None:
    """Inside an action: refuse with 403 unless `predicate(request.membership)`."""
    if not predicate(getattr(request, "membership", None)):
        raise exceptions.PermissionDenied(message)


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
    """DRF's handler plus the service error mapping (`wpl.errors`).

    A service's Django ValidationError answers 400 with its field errors (as a form shows
    them); a `ServiceError` answers its status with {"detail": message}; tenant misses become
    403 (fail closed) instead of a 500.
    """
    if isinstance(exc, tenancy.TenantNotSet):
        exc = exceptions.PermissionDenied(_("No active institution."))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(api_detail(exc))
    elif isinstance(exc, ServiceError):
        set_rollback()
        return Response({"detail": exc.message}, status=exc.status)
    return drf_exception_handler(exc, context)
