"""Serializer fields shared by every app's API."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from wpl.validators import parse_weekdays


class WeekdaysField(serializers.ListField):
    """ISO weekday numbers as a list in JSON, stored as "3,4,5"."""

    child = serializers.IntegerField(min_value=1, max_value=7)

    def to_representation(self, value):
        return parse_weekdays(value) if isinstance(value, str) else super().to_representation(value)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """The one related-id field: looked up only among rows the requesting membership may see.

    ``ScopedPrimaryKeyRelatedField(Model)`` reads `Model.objects.visible_to(membership)`
    (scoped to the active institution); ``scope=lambda membership: queryset`` narrows it
    further (e.g. the host's own organisations). An id of another institution, or one the
    role does not see, answers 400 ("does not exist"), never another tenant's row.
    """

    def __init__(self, model=None, *, scope=None, **kwargs):
        if model is None and scope is None:
            raise TypeError("ScopedPrimaryKeyRelatedField needs a model or a scope")
        self.model = model
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        membership = self.context["request"].membership
        if self.scope is not None:
            return self.scope(membership)
        return self.model.objects.visible_to(membership)


class ScopedPrimaryKeyRelatedFieldSchema(OpenApiSerializerFieldExtension):
    """The schema of a scoped id: the model's primary key (an integer), also in a plain
    serializer or a list (`many=True`), where drf-spectacular cannot find a model to ask."""

    target_class = ScopedPrimaryKeyRelatedField

    def map_serializer_field(self, auto_schema, direction):
        model = self.target.model
        if model is not None:
            return auto_schema._map_model_field(model._meta.pk, direction)
        return build_basic_type(OpenApiTypes.INT)
