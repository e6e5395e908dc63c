"""Admin for the programmes' reminder rules (the active institution's rows)."""

from django.contrib import admin

from placements.reminders import ReminderRule
from wpl.admin import TenantAdmin


@admin.register(ReminderRule)
class ReminderRuleAdmin(TenantAdmin):
    list_display = ["programme", "kind", "days", "escalation", "step_days"]
    list_filter = ["kind"]
