"""API of the logbook: entries, reviews and absences, scoped like the pages.

Reads follow the placement's visibility (`logbooks.permissions`). Writes go through the
same services as the pages and the offline sync endpoint, so the rules and the translated
errors are the same (a service's field errors answer 400, a refused state 409):

- entries: the student creates or edits the day's entry (one per day: a second create for
  the same day edits the first). A `client_key` (the UUID the offline client sends) makes
  the write idempotent: a replay answers the stored entry with 200 and changes nothing.
- reviews: the mentor approves, sends back (with a reason) or reopens an entry, the
  mentor and the school comment; `approve/` (ticked entries) and `approve-week/` (a whole
  ISO week) approve in one call.
- absences: the student reports one (JSON, or multipart with the sick note), adds the sick
  note later (`sick-note/`); staff mark the attest received (PATCH). The note itself is
  never served here: only the recorded page opens it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from catalogue.models import Competence, LearningObjective, ProfessionalRole
from logbooks import permissions, selectors, services
from logbooks.models import Absence, Entry, Review
from placements.models import Placement
from workplaces.models import Site
from wpl.api import PredicatePermission, TenantViewSetMixin, require
from wpl.api_fields import ScopedPrimaryKeyRelatedField
from wpl.safe_json import JSONParser


def _placements(membership):
    return Placement.objects.visible_to(membership)


def _sites(membership):
    """Sites of the workplaces of the placements the person sees (the service narrows further)."""
    return Site.objects.filter(organisation_id__in=_placements(membership).values("organisation_id"))


def _programme_ids(membership):
    return _placements(membership).values("programme_id")


class EntrySerializer(serializers.ModelSerializer):
    placement = ScopedPrimaryKeyRelatedField(Placement)
    student = serializers.CharField(source="placement.student", read_only=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, required=False, allow_null=True)
    site = ScopedPrimaryKeyRelatedField(scope=_sites, required=False, allow_null=True)
    objectives = ScopedPrimaryKeyRelatedField(
        scope=lambda m: LearningObjective.objects.filter(unit__programme_id__in=_programme_ids(m)),
        many=True,
        required=False,
    )
    competences = ScopedPrimaryKeyRelatedField(
        scope=lambda m: Competence.objects.filter(programme_id__in=_programme_ids(m)),
        many=True,
        required=False,
    )
    roles = ScopedPrimaryKeyRelatedField(
        scope=lambda m: ProfessionalRole.objects.filter(programme_id__in=_programme_ids(m)),
        many=True,
        required=False,
    )
    client_key = serializers.UUIDField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text="A UUID made by the client for this write: sending it again changes nothing.",
    )

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
            "client_key",
        ]
        read_only_fields = ["status", "flags", "revision", "reviewed_at"]
        # No unique (placement, date) check here: a second write for a day edits the first.
        validators = []
        # Missing or empty text is refused by the service, with the page's message.
        extra_kwargs = {
            "activities": {"allow_blank": True, "required": False},
            "reflection": {"required": False},
        }

    def validate(self, attrs):
        entry = self.instance
        if entry is not None:
            # An entry belongs to one placement and one day: another day is another entry.
            if "placement" in attrs and attrs["placement"].pk != entry.placement_id:
                raise serializers.ValidationError(
                    {"placement": [_("An entry cannot move to another placement.")]}
                )
            if "date" in attrs and attrs["date"] != entry.date:
                raise serializers.ValidationError(
                    {"date": [_("An entry cannot move to another day; log that day as a new entry.")]}
                )
        return attrs

    def _save(self, placement: Placement, data: dict, entry: Entry | None = None) -> Entry:
        def value(name, default=None):
            if name in data:
                return data[name]
            return getattr(entry, name) if entry is not None else default

        def ids(name):
            if name in data:
                return [row.pk for row in data[name]]
            return selectors.touched(entry)[name] if entry is not None else []

        site = value("site")
        start, end, pause = value("start_time"), value("end_time"), value("break_minutes")
        if "hours" in data and not ({"start_time", "end_time"} & set(data)):
            start = end = pause = None  # hours given without times: the hours count, not the old times
        result = services.save_entry(
            actor=self.context["request"].membership,
            placement=placement,
            date=value("date"),
            hours=value("hours"),
            start_time=start,
            end_time=end,
            break_minutes=pause,
            site_id=site.pk if site else None,
            activities=value("activities", ""),
            reflection=value("reflection", ""),
            reflection_kind=value("reflection_kind", Entry.ReflectionKind.FREE),
            objective_ids=ids("objectives"),
            competence_ids=ids("competences"),
            role_ids=ids("roles"),
            client_key=data.get("client_key"),
        )
        self.result = result
        return result.entry

    # A service's EntryRejected answers 400 with its field errors (wpl.api.exception_handler).
    def create(self, validated_data):
        return self._save(validated_data["placement"], validated_data)

    def update(self, instance, validated_data):
        return self._save(instance.placement, validated_data, entry=instance)


class ReviewSerializer(serializers.ModelSerializer):
    entry = ScopedPrimaryKeyRelatedField(Entry)
    action = serializers.ChoiceField(choices=Review.Action.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="Needed to send back, reopen or comment; ignored when approving.",
    )

    class Meta:
        model = Review
        fields = ["id", "entry", "action", "comment", "author_role", "created_at"]
        read_only_fields = ["author_role", "created_at"]

    def create(self, validated_data):
        actor = self.context["request"].membership
        entry = validated_data["entry"]
        comment = validated_data.get("comment", "")
        step = validated_data["action"]
        if step == Review.Action.APPROVE:
            return services.approve_entry(actor=actor, entry=entry)
        if step == Review.Action.RETURN:
            return services.return_entry(actor=actor, entry=entry, comment=comment)
        if step == Review.Action.REOPEN:
            return services.reopen_entry(actor=actor, entry=entry, comment=comment)
        return services.comment_entry(actor=actor, entry=entry, comment=comment)


class ApproveEntriesSerializer(serializers.Serializer):
    entries = ScopedPrimaryKeyRelatedField(Entry, many=True, allow_empty=False)


class ApproveWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="Any day of the ISO week (Monday to Sunday) to approve.")
    placements = ScopedPrimaryKeyRelatedField(
        Placement, many=True, required=False, help_text="Only these students' placements (default: all)."
    )


class ApprovedSerializer(serializers.Serializer):
    approved = serializers.IntegerField(help_text="How many entries were approved (waiting ones only).")


class AbsenceSerializer(serializers.ModelSerializer):
    placement = ScopedPrimaryKeyRelatedField(Placement)
    has_sick_note = serializers.SerializerMethodField()
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="For an absence other than sickness; never a diagnosis (dropped for sickness).",
    )
    sick_note = serializers.FileField(
        write_only=True, required=False, help_text="PDF, JPEG or PNG of at most 5 MB (multipart only)."
    )

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
            "reason",
            "sick_note",
        ]

    def get_has_sick_note(self, obj) -> bool:
        return hasattr(obj, "sick_note")

    def validate(self, attrs):
        if self.instance is not None:
            # As on the pages: a reported absence keeps its dates; staff set the attest flag.
            other = sorted(set(attrs) - {"attest_received"})
            if other:
                message = _("Only the attest flag can change; report a new absence for other dates.")
                raise serializers.ValidationError({name: [message] for name in other})
        elif attrs.get("attest_received"):
            raise serializers.ValidationError(
                {"attest_received": [_("The attest is received when the sick note is added.")]}
            )
        return attrs

    def create(self, validated_data):
        return services.report_absence(
            actor=self.context["request"].membership,
            placement=validated_data["placement"],
            kind=validated_data.get("kind", Absence.Kind.SICK),
            start_date=validated_data["start_date"],
            end_date=validated_data["end_date"],
            hours_per_day=validated_data.get("hours_per_day"),
            reason=validated_data.get("reason", ""),
            sick_note=validated_data.get("sick_note"),
        )

    def update(self, instance, validated_data):
        if "attest_received" in validated_data:
            services.set_attest_received(
                actor=self.context["request"].membership,
                absence=instance,
                received=validated_data["attest_received"],
            )
        return instance


class SickNoteUploadSerializer(serializers.Serializer):
    sick_note = serializers.FileField(help_text="PDF, JPEG or PNG of at most 5 MB.")


@extend_schema_view(
    create=extend_schema(
        responses={
            201: EntrySerializer,
            200: OpenApiResponse(EntrySerializer, description="The day's entry edited, or a replayed key."),
        }
    )
)
class EntryViewSet(
    TenantViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Logbook entries; the student writes their own (one per day, idempotent by client key)."""

    model = Entry
    serializer_class = EntrySerializer
    permission_classes = [
        *TenantViewSetMixin.permission_classes,
        # Everyone reads what their role sees; only students write (their own, checked by the service).
        PredicatePermission(permissions.is_student),
    ]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("placement__student")
            .prefetch_related("objectives", "competences", "roles")
            .order_by("-date", "id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        created = serializer.result.created
        return Response(serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReviewViewSet(TenantViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Review steps on entries: approve, send back, reopen (mentor) and comment (mentor, school)."""

    model = Review
    serializer_class = ReviewSerializer
    permission_classes = [
        *TenantViewSetMixin.permission_classes,
        PredicatePermission(permissions.can_write_reviews),
    ]

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "id")

    def _approved(self, count: int) -> Response:
        return Response(ApprovedSerializer({"approved": count}).data)

    @extend_schema(request=ApproveEntriesSerializer, responses=ApprovedSerializer)
    @action(detail=False, methods=["post"])
    def approve(self, request):
        """Approve the listed entries that wait for this mentor (others are left as they are)."""
        require(permissions.is_mentor, request, _("Only the mentor approves entries."))
        payload = ApproveEntriesSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        ids = [entry.pk for entry in payload.validated_data["entries"]]
        return self._approved(services.approve_entries(actor=request.membership, entry_ids=ids))

    @extend_schema(request=ApproveWeekSerializer, responses=ApprovedSerializer)
    @action(detail=False, methods=["post"], url_path="approve-week")
    def approve_week(self, request):
        """Approve every waiting entry of one ISO week, for all the mentor's students or some."""
        require(permissions.is_mentor, request, _("Only the mentor approves entries."))
        payload = ApproveWeekSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        placement_ids = [p.pk for p in data["placements"]] if data.get("placements") else None
        count = services.approve_week(
            actor=request.membership, week_start=data["week"], placement_ids=placement_ids
        )
        return self._approved(count)


class AbsenceViewSet(
    TenantViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Absences: the student reports (with an optional sick note), staff set the attest flag."""

    model = Absence
    serializer_class = AbsenceSerializer
    permission_classes = [
        *TenantViewSetMixin.permission_classes,
        PredicatePermission(permissions.can_write_absences),
    ]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("sick_note").order_by("-start_date", "id")

    @extend_schema(request={"multipart/form-data": SickNoteUploadSerializer}, responses=AbsenceSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="sick-note",
        parser_classes=[MultiPartParser, FormParser],
    )
    def sick_note(self, request, pk=None):
        """Add (or replace) the sick note of an absence: the student or staff; marks the attest received."""
        absence = self.get_object()
        payload = SickNoteUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.add_sick_note(
            actor=request.membership, absence=absence, upload=payload.validated_data["sick_note"]
        )
        absence = self.get_queryset().get(pk=absence.pk)
        return Response(AbsenceSerializer(absence, context=self.get_serializer_context()).data)
