from django.contrib import admin

from portcontrol.audit.admin_mixin import AuditedAdminMixin
from portcontrol.audit.log import record
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

    def save_related(self, request, form, formsets, change):
        # Role changes come through the inline: audit them like do_set_roles does.
        user = form.instance
        before = sorted(user.roles.values_list("role", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(user.roles.values_list("role", flat=True))
        if before != after:
            record(actor=request.user, action="admin.set_roles", object_type="user",
                   object_id=user.pk, unit_id=user.unit_id, before={"roles": before},
                   after={"roles": after})


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at")
    search_fields = ("user__username", "name", "prefix")

    def has_add_permission(self, request):  # noqa: ARG002 - tokens are issued, not typed in
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002 - only revoked, by action
        return False
