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


class AuditedAdminMixin:
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
