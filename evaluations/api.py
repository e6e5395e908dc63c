"""Read-only API of the evaluations: the scores for the student information system.

Scores show only once published, except to the school; writes go through the pages.
"""

from __future__ import annotations

from rest_framework import serializers

from evaluations.models import Evaluation
from wpl import permissions as core
from wpl.api import TenantReadOnlyViewSet


class EvaluationSerializer(serializers.ModelSerializer):
    student_number = serializers.CharField(source="placement.student.student_number", read_only=True)
    programme = serializers.CharField(source="placement.programme.code", read_only=True)
    academic_year = serializers.CharField(source="placement.academic_year", read_only=True)
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
            "moment",
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

    def get_computed_score(self, obj) -> str | None:
        return str(obj.computed_score) if obj.computed_score is not None and self._shown(obj) else None

    def get_final_score(self, obj) -> str | None:
        return str(obj.final_score) if obj.final_score is not None and self._shown(obj) else None

    def get_max_score(self, obj) -> str | None:
        return str(obj.max_score) if obj.max_score is not None and self._shown(obj) else None


class EvaluationViewSet(TenantReadOnlyViewSet):
    model = Evaluation
    serializer_class = EvaluationSerializer

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("placement__student", "placement__programme", "version")
            .order_by("-created_at", "id")
        )
