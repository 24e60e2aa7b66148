from django.contrib import admin

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read-only: the audit log is never edited by hand."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "unit_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "action")

    def has_add_permission(self, request):  # noqa: ARG002
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_view_permission(self, request, obj=None):  # noqa: ARG002
        return request.user.is_superuser
