"""Make Django admin edits go on the audit log like every other state change."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from .log import record

_SECRET_FIELDS = {"password", "digest"}


def snapshot(obj: Any) -> dict[str, Any]:
    data = model_to_dict(obj)
    return {k: v for k, v in data.items() if k not in _SECRET_FIELDS and not hasattr(v, "read")}


def _may_administer(request) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    # Programme administrators keep reference data, units and users (USERS.md); the roles
    # live in accounts, so the check is by role name to keep audit below accounts.
    return user.is_superuser or "programme_admin" in getattr(user, "role_set", ())


class AuditedAdminMixin:
    """Admin for reference data and organisations: audited, open to programme admins."""

    def has_module_permission(self, request):
        return _may_administer(request)

    def has_view_permission(self, request, obj=None):
        return _may_administer(request)

    def has_add_permission(self, request):
        return _may_administer(request)

    def has_change_permission(self, request, obj=None):
        return _may_administer(request)

    def has_delete_permission(self, request, obj=None):
        return _may_administer(request)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            record(actor=request.user, action=f"admin.{'change' if change else 'add'}",
                   object_type=obj._meta.model_name, object_id=obj.pk, before=before,
                   after=snapshot(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = snapshot(obj)
            pk = obj.pk
            super().delete_model(request, obj)
            record(actor=request.user, action="admin.delete", object_type=obj._meta.model_name,
                   object_id=pk, before=before)
