"""API for workplaces: organisations (with sites), mentors and approvals.

School roles (admins, coordinators, supervisors) read; admins and coordinators write
through the services, so the same validation as the pages applies (errors answer 400).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue.models import ProfessionalRole, Programme
from workplaces import permissions, selectors, services
from workplaces.models import Mentor, OfferDecision, Organisation, PlacementOffer, Site, WorkplaceApproval
from wpl import permissions as core
from wpl.api import TenantModelViewSet, TenantViewSetMixin
from wpl.api_fields import WeekdaysField
from wpl.validators import academic_year_validator, format_weekdays


class SchoolReadsStaffWrites(drf_permissions.BasePermission):
    message = "Only school staff read workplaces; admins and coordinators change them."

    def has_permission(self, request, view):
        membership = getattr(request, "membership", None)
        if request.method in drf_permissions.SAFE_METHODS:
            return core.is_school(membership)
        return permissions.can_manage_workplaces(membership)


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id looked up only among the rows the requesting membership may see."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].membership)


def _service_call(func, **kwargs):
    """Run a service; its Django ValidationError becomes a DRF 400 with the same messages."""
    try:
        return func(**kwargs)
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            detail = {
                ("non_field_errors" if key == NON_FIELD_ERRORS else key): messages
                for key, messages in error.message_dict.items()
            }
        else:
            detail = {"non_field_errors": error.messages}
        raise serializers.ValidationError(detail) from None


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "street", "postcode", "municipality", "region"]


class OrganisationSerializer(serializers.ModelSerializer):
    sites = SiteSerializer(many=True, read_only=True)
    roles = VisiblePrimaryKeyRelatedField(ProfessionalRole, many=True, required=False)
    enterprise_number = serializers.CharField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Organisation
        fields = ["id", *services.ORGANISATION_FIELDS, "roles", "sites"]
        validators = []  # uniqueness is checked by the service (institution is implicit)

    def create(self, validated_data):
        roles = validated_data.pop("roles", None)
        return _service_call(
            services.save_organisation,
            actor=self.context["request"].membership,
            data=validated_data,
            roles=roles,
        )

    def update(self, instance, validated_data):
        roles = validated_data.pop("roles", None)
        return _service_call(
            services.save_organisation,
            actor=self.context["request"].membership,
            organisation=instance,
            data=validated_data,
            roles=roles,
        )


class MentorSerializer(serializers.ModelSerializer):
    organisation = VisiblePrimaryKeyRelatedField(Organisation)
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
        return _service_call(
            services.save_mentor,
            actor=self.context["request"].membership,
            organisation=organisation,
            data=validated_data,
        )

    def update(self, instance, validated_data):
        validated_data.pop("organisation", None)  # a mentor does not move between organisations
        return _service_call(
            services.save_mentor,
            actor=self.context["request"].membership,
            organisation=instance.organisation,
            mentor=instance,
            data=validated_data,
        )


class WorkplaceApprovalSerializer(serializers.ModelSerializer):
    organisation = VisiblePrimaryKeyRelatedField(Organisation)
    programme = VisiblePrimaryKeyRelatedField(Programme)
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
        return _service_call(
            services.decide_approval,
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
    permission_classes = [drf_permissions.IsAuthenticated, SchoolReadsStaffWrites]
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
    permission_classes = [drf_permissions.IsAuthenticated, SchoolReadsStaffWrites]
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
    permission_classes = [drf_permissions.IsAuthenticated, SchoolReadsStaffWrites]

    def get_queryset(self):
        return selectors.approvals(membership=self.request.membership).order_by("-decided_at", "-id")


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A primary key resolved only among the objects the caller may see."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].membership)


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
        fields["organisation"] = ScopedPK(lambda m: selectors.host_organisations(membership=m))
        fields["programme"] = ScopedPK(lambda m: Programme.objects.visible_to(m))
        fields["site"] = ScopedPK(lambda m: Site.objects.visible_to(m), required=False, allow_null=True)
        fields["mentor"] = ScopedPK(lambda m: Mentor.objects.visible_to(m), required=False, allow_null=True)
        fields["roles"] = serializers.ManyRelatedField(
            child_relation=ScopedPK(lambda m: ProfessionalRole.objects.visible_to(m)), required=False
        )
        return fields


class OfferViewSet(TenantModelViewSet):
    """Placement offers the caller may see."""

    model = PlacementOffer
    serializer_class = OfferSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.offers(membership=self.request.membership)

    def perform_create(self, serializer):
        if not permissions.can_edit_own_organisation(self.request.membership):
            raise exceptions.PermissionDenied(_("Only a workplace contact can submit an offer."))
        data = serializer.validated_data
        try:
            serializer.instance = services.submit_offer(
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
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error

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
        if not permissions.can_review_offers(request.membership):
            raise exceptions.PermissionDenied(_("Only coordinators decide on offers."))
        offer = self.get_object()
        if request.method == "GET":
            rows = OfferDecision.objects.visible_to(request.membership).filter(offer=offer)
            return Response(OfferDecisionSerializer(rows, many=True).data)
        serializer = OfferDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            row = services.decide_offer(
                offer=offer,
                decision=serializer.validated_data["decision"],
                reason=serializer.validated_data.get("reason", ""),
                decided_by=request.user,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response(OfferDecisionSerializer(row).data, status=status.HTTP_201_CREATED)
