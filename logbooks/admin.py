"""Admin for the logbook's programme and institution settings (the active institution's rows)."""

from django.contrib import admin

from logbooks.models import InsuranceSetting, LogbookSettings
from wpl.admin import TenantAdmin


@admin.register(LogbookSettings)
class LogbookSettingsAdmin(TenantAdmin):
    list_display = [
        "programme",
        "full_day_min_hours",
        "day_max_hours",
        "not_logged_wpl_days",
        "review_backlog_days",
    ]


@admin.register(InsuranceSetting)
class InsuranceSettingAdmin(TenantAdmin):
    list_display = ["insurer", "policy_number", "programme", "contact"]
