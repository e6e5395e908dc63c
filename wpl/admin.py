"""Admin: tenant-owned models are shown for the active institution only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from wpl.models import Heartbeat, Institution, Membership, User


class TenantAdmin(admin.ModelAdmin):
    """Base admin for tenant-owned models: the scoped manager, so no tenant means no rows."""

    def get_queryset(self, request):
        return self.model.objects.all()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_demo"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "preferred_language", "is_demo")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "role", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["user"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run_at", "runs"]
