from django.contrib import admin

from portcontrol.audit.admin_mixin import AuditedAdminMixin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, ApiToken, Unit, User, UserRole


@admin.register(Agency)
class AgencyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "country", "kind")
    list_filter = ("kind", "country")
    search_fields = ("name",)


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "agency", "kind", "ports", "is_active")
    list_filter = ("kind", "is_active", "agency__country")
    search_fields = ("name", "code", "ports")


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Unit"), {"fields": ("unit",)}))
    list_display = ("username", "unit", "is_active", "is_staff", "last_login")
    list_filter = ("unit", "is_active", "is_staff")
    inlines = [UserRoleInline]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at")
    search_fields = ("user__username", "name", "prefix")

    def has_add_permission(self, request):  # noqa: ARG002 - tokens are issued, not typed in
        return False
