"""Read-only API of the evaluations: the scores for the student information system.

Scores show only once published, except to the school; writes go through the pages.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers

from evaluations.models import Evaluation
from wpl import permissions as core
from wpl.api import TenantReadOnlyViewSet


class EvaluationSerializer(serializers.ModelSerializer):
    student_number = serializers.CharField(source="placement.student.student_number", read_only=True)
    programme = serializers.CharField(source="placement.programme.code", read_only=True)
    academic_year = serializers.CharField(source="placement.academic_year", read_only=True)
    wpl_unit = serializers.SerializerMethodField()
    rubric_version = serializers.IntegerField(source="version.number", read_only=True)
    computed_score = serializers.SerializerMethodField()
    final_score = serializers.SerializerMethodField()
    max_score = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "placement",
            "student_number",
            "programme",
            "academic_year",
            "wpl_unit",
            "moment",
            "scored",
            "status",
            "rubric_version",
            "computed_score",
            "final_score",
            "max_score",
            "published_at",
        ]

    def _shown(self, obj) -> bool:
        membership = self.context["request"].membership
        return core.is_school(membership) or obj.published_at is not None

    def get_wpl_unit(self, obj) -> str | None:
        unit = obj.placement.wpl_unit
        return unit.name if unit is not None else None

    def get_computed_score(self, obj) -> str | None:
        return str(obj.computed_score) if obj.computed_score is not None and self._shown(obj) else None

    def get_final_score(self, obj) -> str | None:
        return str(obj.final_score) if obj.final_score is not None and self._shown(obj) else None

    def get_max_score(self, obj) -> str | None:
        return str(obj.max_score) if obj.max_score is not None and self._shown(obj) else None


FILTERS = [
    OpenApiParameter("programme", OpenApiTypes.STR, description="Programme code."),
    OpenApiParameter("academic_year", OpenApiTypes.STR, description="E.g. 2025-2026."),
    OpenApiParameter("moment", OpenApiTypes.STR, description="Moment key, e.g. final."),
    OpenApiParameter(
        "published", OpenApiTypes.BOOL, description="Only published (true) or unpublished (false) scores."
    ),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class EvaluationViewSet(TenantReadOnlyViewSet):
    """Evaluations as far as the person may see them; the student information system reads
    `?published=true&programme=<code>&academic_year=<year>`."""

    model = Evaluation
    serializer_class = EvaluationSerializer

    def get_queryset(self):
        qs = (
            super()
            .get_queryset()
            .select_related("placement__student", "placement__programme", "placement__wpl_unit", "version")
            .order_by("-created_at", "id")
        )
        if self.action != "list":
            return qs
        params = self.request.query_params
        errors = {}
        if params.get("programme"):
            qs = qs.filter(placement__programme__code=params["programme"][:50])
        if params.get("academic_year"):
            year = params["academic_year"]
            if not academic_year_ok(year):
                errors["academic_year"] = _("Write the academic year as 2025-2026.")
            qs = qs.filter(placement__academic_year=year[:9])
        if params.get("moment"):
            qs = qs.filter(moment=params["moment"][:40])
        published = params.get("published", "").lower()
        if published in ("true", "1"):
            qs = qs.filter(published_at__isnull=False)
        elif published in ("false", "0"):
            qs = qs.filter(published_at__isnull=True)
        elif published:
            errors["published"] = _("Use true or false.")
        if errors:
            raise exceptions.ValidationError(errors)
        return qs


def academic_year_ok(value: str) -> bool:
    from django.core.exceptions import ValidationError

    from wpl.validators import academic_year_validator

    try:
        academic_year_validator(value)
    except ValidationError:
        return False
    return True
