"""API authentication: the browser session (with CSRF) or a per-user bearer token."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from portcontrol.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        row = (ApiToken.objects.select_related("user")
               .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True).first())
        if row is None or not row.user.is_active:
            return None
        # Cheap enough per request; lets an operator see stale tokens.
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), ActiveSessionAuth()]
