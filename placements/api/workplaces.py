"""API for workplaces: organisations (with sites), mentors and approvals.

School roles (admins, coordinators, supervisors) read; admins and coordinators write
through the services, so the same validation as the pages applies (errors answer 400).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions

from placements import permissions
from placements.models import Mentor, Organisation, ProfessionalRole, Programme, Site, WorkplaceApproval
from placements.selectors import workplaces as selectors
from placements.services import workplaces as services
from placements.validators import format_weekdays, parse_weekdays
from wpl import permissions as core
from wpl.api import TenantViewSetMixin


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


class WeekdaysField(serializers.ListField):
    """ISO weekday numbers as a list in JSON, stored as "3,4,5"."""

    child = serializers.IntegerField(min_value=1, max_value=7)

    def to_representation(self, value):
        return parse_weekdays(value) if isinstance(value, str) else super().to_representation(value)


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
    decided_by = serializers.StringRelatedField(read_only=True)

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
