"""API for workplaces: organisations (with sites), mentors and approvals.

School roles (admins, coordinators, supervisors) read; admins and coordinators write
through the services, so the same validation as the pages applies (errors answer 400).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue.models import ProfessionalRole, Programme
from workplaces import permissions, selectors, services
from workplaces.models import Mentor, OfferDecision, Organisation, PlacementOffer, Site, WorkplaceApproval
from wpl.api import PredicatePermission, TenantModelViewSet, TenantViewSetMixin, require
from wpl.api_fields import ScopedPrimaryKeyRelatedField, WeekdaysField
from wpl.validators import academic_year_validator, format_weekdays

SCHOOL_READS_STAFF_WRITES = PredicatePermission(
    permissions.can_manage_workplaces,
    read=permissions.can_read_workplaces,
    message="Only school staff read workplaces; admins and coordinators change them.",
)


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "street", "postcode", "municipality", "region"]


class OrganisationSerializer(serializers.ModelSerializer):
    sites = SiteSerializer(many=True, read_only=True)
    roles = ScopedPrimaryKeyRelatedField(ProfessionalRole, many=True, required=False)
    enterprise_number = serializers.CharField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Organisation
        fields = ["id", *services.ORGANISATION_FIELDS, "roles", "sites"]
        validators = []  # uniqueness is checked by the service (institution is implicit)

    def create(self, validated_data):
        roles = validated_data.pop("roles", None)
        return services.save_organisation(
            actor=self.context["request"].membership,
            data=validated_data,
            roles=roles,
        )

    def update(self, instance, validated_data):
        roles = validated_data.pop("roles", None)
        return services.save_organisation(
            actor=self.context["request"].membership,
            organisation=instance,
            data=validated_data,
            roles=roles,
        )


class MentorSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyRelatedField(Organisation)
    reachable_weekdays = WeekdaysField(required=False)

    class Meta:
        model = Mentor
        fields = [
            "id",
            "organisation",
            "first_name",
            "last_name",
            "email",
            "phone",
            "function",
            "is_social_worker",
            "years_at_organisation",
            "years_in_sector",
            "reachable_weekdays",
            "attended_start_day",
            "trained",
        ]

    def validate(self, attrs):
        if "reachable_weekdays" in attrs:
            attrs["reachable_weekdays"] = format_weekdays(attrs["reachable_weekdays"])
        return attrs

    def create(self, validated_data):
        organisation = validated_data.pop("organisation")
        return services.save_mentor(
            actor=self.context["request"].membership,
            organisation=organisation,
            data=validated_data,
        )

    def update(self, instance, validated_data):
        validated_data.pop("organisation", None)  # a mentor does not move between organisations
        return services.save_mentor(
            actor=self.context["request"].membership,
            organisation=instance.organisation,
            mentor=instance,
            data=validated_data,
        )


class WorkplaceApprovalSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyRelatedField(Organisation)
    programme = ScopedPrimaryKeyRelatedField(Programme)
    # Null for decisions without a recorded person (imports, demo data): documented as such.
    decided_by = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = WorkplaceApproval
        fields = [
            "id",
            "organisation",
            "programme",
            "academic_year",
            "decision",
            "reason",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = ["decided_at"]

    def create(self, validated_data):
        return services.decide_approval(
            actor=self.context["request"].membership,
            organisation=validated_data["organisation"],
            programme=validated_data["programme"],
            academic_year=validated_data["academic_year"],
            decision=validated_data["decision"],
            reason=validated_data.get("reason", ""),
        )


class OrganisationViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    """Host organisations with their sites; staff create and update (no delete: history)."""

    model = Organisation
    serializer_class = OrganisationSerializer
    permission_classes = [drf_permissions.IsAuthenticated, SCHOOL_READS_STAFF_WRITES]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            selectors.organisations(membership=self.request.membership)
            .prefetch_related(Prefetch("sites", queryset=Site.objects.order_by("name", "id")), "roles")
            .order_by("name", "id")
        )


class MentorViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    """Mentors of host organisations; staff create and update."""

    model = Mentor
    serializer_class = MentorSerializer
    permission_classes = [drf_permissions.IsAuthenticated, SCHOOL_READS_STAFF_WRITES]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.mentors(membership=self.request.membership).order_by("last_name", "first_name", "id")


class WorkplaceApprovalViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Approval decisions (history): read, and record a new decision; rows never change."""

    model = WorkplaceApproval
    serializer_class = WorkplaceApprovalSerializer
    permission_classes = [drf_permissions.IsAuthenticated, SCHOOL_READS_STAFF_WRITES]

    def get_queryset(self):
        return selectors.approvals(membership=self.request.membership).order_by("-decided_at", "-id")


class OfferDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfferDecision
        fields = ["id", "decision", "reason", "decided_at"]
        read_only_fields = ["id", "decided_at"]


class OfferSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    weekdays = WeekdaysField(required=False, default=list)
    academic_year = serializers.CharField(validators=[academic_year_validator])

    class Meta:
        model = PlacementOffer
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "site",
            "programme",
            "programme_name",
            "academic_year",
            "year",
            "places",
            "tasks",
            "roles",
            "mentor",
            "weekdays",
            "status",
            "created_at",
        ]
        read_only_fields = ["id", "status", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        fields["organisation"] = ScopedPrimaryKeyRelatedField(
            scope=lambda m: selectors.host_organisations(membership=m)
        )
        fields["programme"] = ScopedPrimaryKeyRelatedField(Programme)
        fields["site"] = ScopedPrimaryKeyRelatedField(Site, required=False, allow_null=True)
        fields["mentor"] = ScopedPrimaryKeyRelatedField(Mentor, required=False, allow_null=True)
        fields["roles"] = ScopedPrimaryKeyRelatedField(ProfessionalRole, many=True, required=False)
        return fields


class OfferViewSet(TenantModelViewSet):
    """Placement offers the caller may see."""

    model = PlacementOffer
    serializer_class = OfferSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.offers(membership=self.request.membership)

    def perform_create(self, serializer):
        require(
            permissions.can_edit_own_organisation,
            self.request,
            _("Only a workplace contact can submit an offer."),
        )
        data = serializer.validated_data
        serializer.instance = services.submit_offer(
            actor=self.request.membership,
            organisation=data["organisation"],
            programme=data["programme"],
            academic_year=data["academic_year"],
            year=data.get("year", 1),
            places=data.get("places", 1),
            tasks=data.get("tasks", ""),
            roles=data.get("roles", []),
            site=data.get("site"),
            mentor=data.get("mentor"),
            weekdays=data.get("weekdays", []),
        )

    @extend_schema(methods=["GET"], responses=OfferDecisionSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=OfferDecisionSerializer, responses={201: OfferDecisionSerializer}
    )
    # The history is a short plain list, not a page: the schema says so too.
    @action(
        detail=True, methods=["get", "post"], url_path="decision", url_name="decision", pagination_class=None
    )
    def decision(self, request, pk=None):
        """GET: the decision history; POST {decision, reason}: accept or reject (coordinators)."""
        require(permissions.can_review_offers, request, _("Only coordinators decide on offers."))
        offer = self.get_object()
        if request.method == "GET":
            rows = OfferDecision.objects.visible_to(request.membership).filter(offer=offer)
            return Response(OfferDecisionSerializer(rows, many=True).data)
        serializer = OfferDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.decide_offer(
            actor=request.membership,
            offer=offer,
            decision=serializer.validated_data["decision"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(OfferDecisionSerializer(row).data, status=status.HTTP_201_CREATED)
