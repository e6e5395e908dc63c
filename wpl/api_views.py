"""API views of the platform core: the signed-in person, memberships and API tokens."""

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from wpl import safe_json, selectors, tokens
from wpl.api import TenantAPIMixin, TenantReadOnlyViewSet
from wpl.middleware import mfa_required_for
from wpl.models import Membership
from wpl.serializers import MembershipSerializer, UserSerializer


class MeView(TenantAPIMixin, APIView):
    """The signed-in person, their active role and every role they hold."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=None)
    def get(self, request):
        memberships = selectors.memberships_of(request.user)
        active = request.membership
        return Response(
            {
                "user": UserSerializer(request.user).data,
                "active_membership": MembershipSerializer(active).data if active else None,
                "memberships": MembershipSerializer(memberships, many=True).data,
            }
        )


class MembershipViewSet(TenantReadOnlyViewSet):
    """People of the active institution (school staff) or yourself (others)."""

    model = Membership
    serializer_class = MembershipSerializer

    def get_queryset(self):
        return selectors.people(membership=self.request.membership).select_related("institution")


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.CharField(label=_("E-mail address"), max_length=254)
    password = serializers.CharField(
        label=_("Password"), max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    code = serializers.CharField(
        label=_("Authenticator code"),
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_("Six-digit code of your authenticator app; required once two-factor sign-in is on."),
    )

    def validate(self, attrs):
        request = getattr(self.context["request"], "_request", self.context["request"])
        email = attrs["email"].strip().lower()
        # allauth's adapter applies the website's failed sign-in limit (per account and per
        # address), so a locked account stays locked here and guesses here count there.
        try:
            user = get_account_adapter(request).authenticate(request, email=email, password=attrs["password"])
        except DjangoValidationError as error:
            raise exceptions.Throttled(detail=" ".join(error.messages)) from None
        # allauth hands back an inactive account (for its own "inactive" page): no token for it.
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to sign in with this e-mail address and password."), code="authorization"
            )
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None:
            code = attrs.get("code") or ""
            if not code or not TOTP(totp).validate_code(code):
                raise serializers.ValidationError(
                    {"code": _("Enter the current code of your authenticator app.")}, code="authorization"
                )
        elif mfa_required_for(user):
            raise serializers.ValidationError(
                _("Set up two-factor authentication on the website before requesting an API token."),
                code="authorization",
            )
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(ObtainAuthToken):
    """Exchange e-mail address and password (plus a TOTP code when two-factor sign-in is on)
    for an API token. Send it as `Authorization: Token <key>`, and the institution's short
    name in the `X-Institution` header when you hold roles in several institutions."""

    serializer_class = TokenRequestSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "api-token"
    parser_classes = [safe_json.JSONParser, FormParser, MultiPartParser]

    def get_permissions(self):
        # Anyone may ask for a token; only a signed-in owner may revoke theirs.
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer, auth=[])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        """Revoke your own API token (sent as the credential or not); a new request issues a new key."""
        tokens.revoke_tokens(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
