"""API of the catalogue: programmes, WPL units, periods and academic calendars.

Everyone with a role in the institution reads; institution admins and coordinators write
(through the services, so the same validation as the pages; errors answer 400).
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue import permissions, selectors, services
from catalogue.models import (
    AcademicCalendar,
    ClassDay,
    LearningObjective,
    Period,
    Programme,
    ProgrammeYear,
    SchoolHoliday,
    WplUnit,
)
from wpl.api import PredicatePermission, TenantModelViewSet, TenantReadOnlyViewSet
from wpl.api_fields import ScopedPrimaryKeyRelatedField

# Everyone with a role reads; institution admins and coordinators write.
CATALOGUE_ACCESS = PredicatePermission(
    permissions.can_manage_catalogue,
    message="Only institution admins and coordinators change the catalogue.",
)


class ProgrammeYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeYear
        fields = ["year", "wpl_weekdays", "hours_per_day", "required_hours"]


class ProgrammeSerializer(serializers.ModelSerializer):
    form_display = serializers.CharField(source="get_form_display", read_only=True)
    workplace_share_pct = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100
    )
    paid = serializers.BooleanField(required=False, allow_null=True)
    has_allowance = serializers.BooleanField(required=False, allow_null=True)
    roles = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    programme_years = ProgrammeYearSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "code",
            "form",
            "form_display",
            "years",
            "workplace_share_pct",
            "paid",
            "has_allowance",
            "allowance_eur",
            "description",
            "roles",
            "programme_years",
        ]
        # Uniqueness is checked by the service (within the institution).
        validators: list = []

    def _save(self, programme: Programme | None, data: dict) -> Programme:
        fields = ["name", "code", "form", "years", "allowance_eur", "description"]
        values = {f: data.get(f, getattr(programme, f) if programme else None) for f in fields}
        values["description"] = values["description"] or ""
        values["years"] = values["years"] or 1
        for f in ("workplace_share_pct", "paid", "has_allowance"):
            values[f] = data.get(f)
        return services.save_programme(
            actor=self.context["request"].membership, programme=programme, **values
        )

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class ProgrammeViewSet(TenantModelViewSet):
    """Programmes of the institution; staff create and change them (defaults per form of WPL)."""

    model = Programme
    serializer_class = ProgrammeSerializer
    permission_classes = [*TenantModelViewSet.permission_classes, CATALOGUE_ACCESS]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("roles", "programme_years")


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "programme", "kind", "ordinal", "name", "phase", "start", "end"]


class PeriodViewSet(TenantReadOnlyViewSet):
    """Semesters and quarters of the programmes (read only)."""

    model = Period
    serializer_class = PeriodSerializer


class LearningObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = LearningObjective
        fields = ["setting", "text"]


class WplUnitSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(Programme)
    periods = ScopedPrimaryKeyRelatedField(Period, many=True, required=False)
    objectives = LearningObjectiveSerializer(many=True, required=False)

    class Meta:
        model = WplUnit
        fields = [
            "id",
            "programme",
            "name",
            "phase",
            "required_days",
            "required_hours",
            "periods",
            "group_size",
            "rotation",
            "description",
            "objectives",
        ]
        validators: list = []

    def _save(self, unit: WplUnit | None, data: dict) -> WplUnit:
        def current(name, default=None):
            return getattr(unit, name) if unit is not None else default

        programme = data.get("programme", current("programme"))
        if unit is not None and programme.pk != unit.programme_id:
            raise serializers.ValidationError({"programme": ["A WPL unit cannot move to another programme."]})
        objectives = data.get("objectives")
        if objectives is None:
            objectives = [(o.setting, o.text) for o in unit.objectives.all()] if unit else []
        else:
            objectives = [(o.get("setting", ""), o["text"]) for o in objectives]
        periods = data.get("periods", list(unit.periods.all()) if unit else [])
        return services.save_wpl_unit(
            actor=self.context["request"].membership,
            unit=unit,
            programme=programme,
            name=data.get("name", current("name", "")),
            phase=data.get("phase", current("phase", 1)),
            required_days=data.get("required_days", current("required_days")),
            required_hours=data.get("required_hours", current("required_hours")),
            periods=periods,
            objectives=objectives,
            group_size=data.get("group_size", current("group_size")),
            rotation=data.get("rotation", current("rotation", False)),
            description=data.get("description", current("description", "")),
        )

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class WplUnitViewSet(TenantModelViewSet):
    """WPL units with their periods and ordered learning objectives; staff write."""

    model = WplUnit
    serializer_class = WplUnitSerializer
    permission_classes = [*TenantModelViewSet.permission_classes, CATALOGUE_ACCESS]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "periods", Prefetch("objectives", queryset=LearningObjective.objects.order_by("order", "id"))
            )
        )


class ClassDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = ClassDay
        fields = ["id", "date", "programme", "year", "description"]


class SchoolHolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = SchoolHoliday
        fields = ["id", "name", "start", "end"]


class CalendarSerializer(serializers.ModelSerializer):
    class_days = ClassDaySerializer(many=True, read_only=True)
    holidays = SchoolHolidaySerializer(many=True, read_only=True)
    public_holidays = serializers.SerializerMethodField()

    class Meta:
        model = AcademicCalendar
        fields = [
            "id",
            "academic_year",
            "wpl_start",
            "wpl_end",
            "notes",
            "class_days",
            "holidays",
            "public_holidays",
        ]
        validators: list = []

    def get_public_holidays(self, obj) -> list[dict]:
        return [{"date": d, "name": name} for d, name in selectors.public_holidays(obj.academic_year).items()]

    def _save(self, calendar, data):
        def pick(name, default=None):
            return data.get(name, getattr(calendar, name) if calendar else default)

        return services.save_calendar(
            actor=self.context["request"].membership,
            calendar=calendar,
            academic_year=pick("academic_year"),
            wpl_start=pick("wpl_start"),
            wpl_end=pick("wpl_end"),
            notes=pick("notes", "") or "",
        )

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class CalendarPlanSerializer(serializers.Serializer):
    """One programme year's planned WPL days in a calendar (documents `…/plan/`)."""

    programme = serializers.IntegerField()
    programme_name = serializers.CharField()
    year = serializers.IntegerField()
    weekdays = serializers.ListField(child=serializers.IntegerField())
    days = serializers.IntegerField()
    hours = serializers.FloatField()
    required_hours = serializers.IntegerField(allow_null=True)
    dates = serializers.ListField(child=serializers.DateField())


class CalendarViewSet(TenantModelViewSet):
    """Academic calendars with class days, school holidays and Belgian public holidays.

    `GET …/calendars/<id>/plan/` gives the planned WPL days and hours per programme year.
    """

    model = AcademicCalendar
    serializer_class = CalendarSerializer
    permission_classes = [*TenantModelViewSet.permission_classes, CATALOGUE_ACCESS]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("class_days", "holidays")

    @extend_schema(responses=CalendarPlanSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def plan(self, request, pk=None):
        calendar = self.get_object()
        plans = selectors.calendar_plans(membership=request.membership, calendar=calendar)
        return Response(
            [
                {
                    "programme": p.programme.pk,
                    "programme_name": p.programme.name,
                    "year": p.year,
                    "weekdays": p.weekdays,
                    "days": p.day_count,
                    "hours": p.hours,
                    "required_hours": p.required_hours,
                    "dates": p.days,
                }
                for p in plans
            ]
        )
