"""API of the matching area: rounds and the board's assignments (staff may write)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from matching import services
from matching.models import Assignment, MatchingRound
from students.models import Student
from wpl import permissions as core
from wpl.api import TenantReadOnlyViewSet
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
    round = serializers.IntegerField(min_value=1)
    student = serializers.IntegerField(min_value=1)
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
        if not core.is_staff(request.membership):
            raise PermissionDenied(_("Only coordinators change the board."))
        payload = BoardActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        round = MatchingRound.objects.visible_to(request.membership).filter(pk=data["round"]).first()
        student = Student.objects.visible_to(request.membership).filter(pk=data["student"]).first()
        if round is None or student is None:
            return None, None, data
        return round, student, data

    def _run(self, request, work):
        round, student, data = self._context(request)
        if round is None:
            return Response({"detail": _("Round or student not found.")}, status=status.HTTP_404_NOT_FOUND)
        try:
            work(round, student, data)
        except services.MatchingError as exc:
            return Response({"detail": exc.message}, status=exc.status)
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
                by=request.user,
                expected_offer_id=self._expected(data),
                lock=data.get("locked"),
            )

        return self._run(request, work)

    @action(detail=False, methods=["post"])
    def unassign(self, request):
        def work(round, student, data):
            services.unassign(
                round=round, student=student, by=request.user, expected_offer_id=self._expected(data)
            )

        return self._run(request, work)

    @action(detail=False, methods=["post"])
    def lock(self, request):
        def work(round, student, data):
            services.set_lock(round=round, student=student, locked=data.get("locked", True), by=request.user)

        return self._run(request, work)
