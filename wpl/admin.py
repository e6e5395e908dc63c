"""Admin: tenant-owned models are shown for the active institution only.

Sign-in to the admin goes through allauth (so the two-factor step applies there too):
Django's own admin login form would let a password alone in.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from wpl.models import Heartbeat, Institution, Membership, User
from wpl.tenancy import TenantModel, require_institution_id

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("WPL administration")
admin.site.site_title = _("WPL administration")


class TenantAdmin(admin.ModelAdmin):
    """Base admin for tenant-owned models: the scoped manager, so no tenant means no rows.

    Without an active institution the scoped manager raises TenantNotSet, which
    ActiveMembershipMiddleware turns into a 403 page (fail closed, never another tenant's rows).
    Choices for foreign keys to tenant-owned models are scoped the same way.
    """

    def get_queryset(self, request):
        return self.model.objects.all()

    # Every page of a tenant-owned model needs an active institution, also those that do
    # not list rows (the add form would otherwise fail only when saving).
    def changelist_view(self, request, extra_context=None):
        require_institution_id()
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        require_institution_id()
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        require_institution_id()
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        require_institution_id()
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if "queryset" not in kwargs and issubclass(related, TenantModel):
            kwargs["queryset"] = related.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if "queryset" not in kwargs and issubclass(related, TenantModel):
            kwargs["queryset"] = related.objects.all()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_demo"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "preferred_language", "is_demo")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "user_email", "role", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run_at", "runs"]
