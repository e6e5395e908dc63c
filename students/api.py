"""API of the people area: students (school roles read, staff create and update)."""

from __future__ import annotations

from rest_framework import serializers

from catalogue.models import Programme
from students import permissions as perms
from students import services
from students.models import Student
from wpl.api import PredicatePermission, TenantModelViewSet
from wpl.api_fields import ScopedPrimaryKeyRelatedField


class StudentSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(Programme)
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

    # A service's ValidationError answers 400 with its field errors (wpl.api.exception_handler).
    def create(self, validated_data):
        return services.create_student(actor=self.context["request"].membership, fields=validated_data)

    def update(self, instance, validated_data):
        return services.update_student(
            actor=self.context["request"].membership, student=instance, fields=validated_data
        )


class StudentViewSet(TenantModelViewSet):
    """Students of the active institution."""

    model = Student
    serializer_class = StudentSerializer
    permission_classes = [
        *TenantModelViewSet.permission_classes,
        # School roles read; coordinators and admins write.
        PredicatePermission(perms.can_manage_students, read=perms.can_list_students),
    ]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("programme").order_by("last_name", "first_name", "pk")
