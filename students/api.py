"""API of the people area: students (school roles read, staff create and update)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, serializers

from catalogue.models import Programme
from students import permissions as perms
from students import services
from students.models import Student
from wpl import permissions as core
from wpl.api import TenantModelViewSet


class ScopedProgrammeField(serializers.PrimaryKeyRelatedField):
    """A programme of the active institution that the requester may see."""

    def get_queryset(self):
        return Programme.objects.visible_to(self.context["request"].membership)


class StudentSerializer(serializers.ModelSerializer):
    programme = ScopedProgrammeField()
    programme_code = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = Student
        fields = [
            "id",
            "student_number",
            "first_name",
            "last_name",
            "email",
            "programme",
            "programme_code",
            "year",
            "is_working_student",
            "context",
        ]

    def validate_year(self, value: int) -> int:
        if value < 1:
            raise serializers.ValidationError(
                self.fields["year"].error_messages["min_value"].format(min_value=1)
            )
        return value

    def create(self, validated_data):
        try:
            return services.create_student(fields=validated_data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_as_detail(error)) from error

    def update(self, instance, validated_data):
        try:
            return services.update_student(student=instance, fields=validated_data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_as_detail(error)) from error


def _as_detail(error: DjangoValidationError):
    return error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}


class StudentAccess(permissions.BasePermission):
    """School roles read; coordinators and admins write."""

    def has_permission(self, request, view):
        membership = getattr(request, "membership", None)
        if request.method in permissions.SAFE_METHODS:
            return core.is_school(membership)
        return perms.can_manage_students(membership)


class StudentViewSet(TenantModelViewSet):
    """Students of the active institution."""

    model = Student
    serializer_class = StudentSerializer
    permission_classes = [*TenantModelViewSet.permission_classes, StudentAccess]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("programme").order_by("last_name", "first_name", "pk")
