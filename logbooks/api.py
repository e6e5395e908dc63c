"""API of the logbook: entries, reviews and absences, scoped like the pages (read-only).

Writes go through the pages and the offline sync endpoint, which use the same services.
"""

from __future__ import annotations

from rest_framework import serializers

from logbooks.models import Absence, Entry, Review
from wpl.api import TenantReadOnlyViewSet


class EntrySerializer(serializers.ModelSerializer):
    student = serializers.CharField(source="placement.student", read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "placement",
            "student",
            "date",
            "hours",
            "start_time",
            "end_time",
            "break_minutes",
            "site",
            "activities",
            "objectives",
            "competences",
            "roles",
            "reflection_kind",
            "reflection",
            "status",
            "flags",
            "revision",
            "reviewed_at",
        ]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "entry", "action", "comment", "author_role", "created_at"]


class AbsenceSerializer(serializers.ModelSerializer):
    has_sick_note = serializers.SerializerMethodField()

    class Meta:
        model = Absence
        # Dates and the attest flag only: never a diagnosis, never the note itself.
        fields = [
            "id",
            "placement",
            "kind",
            "start_date",
            "end_date",
            "hours_per_day",
            "attest_received",
            "has_sick_note",
        ]

    def get_has_sick_note(self, obj) -> bool:
        return hasattr(obj, "sick_note")


class EntryViewSet(TenantReadOnlyViewSet):
    model = Entry
    serializer_class = EntrySerializer

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("placement__student")
            .prefetch_related("objectives", "competences", "roles")
            .order_by("-date", "id")
        )


class ReviewViewSet(TenantReadOnlyViewSet):
    model = Review
    serializer_class = ReviewSerializer

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "id")


class AbsenceViewSet(TenantReadOnlyViewSet):
    model = Absence
    serializer_class = AbsenceSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("sick_note").order_by("-start_date", "id")
