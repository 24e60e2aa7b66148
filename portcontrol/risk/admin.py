from django.contrib import admin

from portcontrol.audit.admin_mixin import AuditedAdminMixin

from .models import UnitRiskSettings


@admin.register(UnitRiskSettings)
class UnitRiskSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Daily inspection capacity and random share of each unit (no operational records)."""

    list_display = ("unit", "red_capacity", "yellow_capacity", "exploration_share")
    list_filter = ("unit__agency__country",)
