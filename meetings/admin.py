"""Admin for the meetings' programme settings (the active institution's rows)."""

from django.contrib import admin

from meetings.models import MeetingType
from wpl.admin import TenantAdmin


@admin.register(MeetingType)
class MeetingTypeAdmin(TenantAdmin):
    list_display = ["programme", "kind", "required_per_year", "duration_minutes"]
    list_filter = ["kind"]
