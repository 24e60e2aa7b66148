"""What every page's shell needs: navigation and the user's unit."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Capabilities that exist as pages; the others are shown but not yet linked.
NAV = [
    ("search", _("Containers"), "search"),
    ("targets", _("Targets"), None),
    ("intake", _("Intake"), "intake"),
    ("rules", _("Rules"), None),
    ("cases", _("Cases"), None),
    ("exchange", _("Exchange"), None),
    ("reports", _("Reports"), None),
]


def shell(request):
    current = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    items = []
    for key, label, url_name in NAV:
        items.append({"key": key, "label": label,
                      "url": reverse(url_name) if url_name else None,
                      "active": url_name is not None and current.startswith(key[:6])})
    return {"nav_items": items, "settings_node": settings.PORTCONTROL_NODE}
