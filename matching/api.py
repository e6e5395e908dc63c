"""API of the matching area: rounds and the board's assignments (staff may write)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from matching import permissions, services
from matching.models import Assignment, MatchingRound
from students.models import Student
from wpl.api import TenantReadOnlyViewSet, require
from wpl.api_fields import ScopedPrimaryKeyRelatedField
from wpl.ids import parse_id


class MatchingRoundSerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = MatchingRound
        fields = [
            "id",
            "name",
            "programme",
            "programme_name",
            "academic_year",
            "year",
            "status",
            "preferences_deadline",
            "ratings_deadline",
            "max_choices",
            "published_at",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "round", "student", "offer", "locked", "reason", "updated_at"]


class BoardActionSerializer(serializers.Serializer):
    # Another institution's (or an invisible) round or student answers 400, like any body id.
    round = ScopedPrimaryKeyRelatedField(MatchingRound)
    student = ScopedPrimaryKeyRelatedField(Student)
    offer = serializers.IntegerField(min_value=1, required=False)
    expected_offer = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    locked = serializers.BooleanField(required=False)


class MatchingRoundViewSet(TenantReadOnlyViewSet):
    """Matching rounds visible to the active role."""

    model = MatchingRound
    serializer_class = MatchingRoundSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("programme").order_by("-academic_year", "id")


class AssignmentViewSet(TenantReadOnlyViewSet):
    """The board's assignments (filter with ?round=); staff assign, unassign and lock (409 on conflict)."""

    model = Assignment
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        qs = super().get_queryset().order_by("round_id", "student_id")
        raw = self.request.query_params.get("round")
        if raw:
            round_id = parse_id(raw)
            if round_id is None:
                message = _("Give the id of a matching round (a positive whole number).")
                raise ValidationError({"round": [message]})
            qs = qs.filter(round_id=round_id)
        return qs

    def _context(self, request):
        require(permissions.can_manage_matching, request, _("Only coordinators change the board."))
        payload = BoardActionSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        return data["round"], data["student"], data

    def _run(self, request, work):
        round, student, data = self._context(request)
        # A MatchingError answers its status with {"detail": message} (wpl.api.exception_handler).
        work(round, student, data)
        assignment = Assignment.objects.filter(round=round, student=student).first()
        body = (
            AssignmentSerializer(assignment).data
            if assignment
            else {"round": round.pk, "student": student.pk, "offer": None}
        )
        return Response(body)

    @staticmethod
    def _expected(data):
        return data.get("expected_offer", services.UNSET)

    @action(detail=False, methods=["post"])
    def assign(self, request):
        def work(round, student, data):
            if not data.get("offer"):
                raise services.MatchingError(_("Choose an offer."))
            services.assign(
                round=round,
                student=student,
                offer_id=data["offer"],
                actor=request.membership,
                expected_offer_id=self._expected(data),
                lock=data.get("locked"),
            )

        return self._run(request, work)

    @action(detail=False, methods=["post"])
    def unassign(self, request):
        def work(round, student, data):
            services.unassign(
                round=round, student=student, actor=request.membership, expected_offer_id=self._expected(data)
            )

        return self._run(request, work)

    @action(detail=False, methods=["post"])
    def lock(self, request):
        def work(round, student, data):
            services.set_lock(
                round=round, student=student, locked=data.get("locked", True), actor=request.membership
            )

        return self._run(request, work)
