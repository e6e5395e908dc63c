"""Serializer fields shared by every app's API."""

from __future__ import annotations

from rest_framework import serializers

from wpl.validators import parse_weekdays


class WeekdaysField(serializers.ListField):
    """ISO weekday numbers as a list in JSON, stored as "3,4,5"."""

    child = serializers.IntegerField(min_value=1, max_value=7)

    def to_representation(self, value):
        return parse_weekdays(value) if isinstance(value, str) else super().to_representation(value)
