"""API of placement offers: list and detail for everyone who may see them, create by a
workplace contact, accept / reject by coordinators (GET the decision history, POST a decision)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from placements import permissions
from placements.models import Mentor, OfferDecision, PlacementOffer, ProfessionalRole, Programme, Site
from placements.models.placements import academic_year_validator
from placements.selectors import offers as selectors
from placements.services import offers as services
from placements.validators import parse_weekdays
from wpl.api import TenantModelViewSet


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A primary key resolved only among the objects the caller may see."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].membership)


class WeekdaysField(serializers.ListField):
    """ISO weekday numbers as a list; stored as "3,4,5"."""

    child = serializers.IntegerField(min_value=1, max_value=7)

    def to_representation(self, data):
        return parse_weekdays(data) if isinstance(data, str) else super().to_representation(data)


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

    @extend_schema(request=OfferDecisionSerializer, responses=OfferDecisionSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="decision", url_name="decision")
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
