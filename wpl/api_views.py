from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from wpl import selectors
from wpl.api import TenantAPIMixin, TenantReadOnlyViewSet
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
