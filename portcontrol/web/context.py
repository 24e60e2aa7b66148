"""What every page's shell needs: navigation and this installation's name."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (label, url name or None when not built yet, url-name prefixes that mark it active)
NAV = [
    (_("Containers"), "search", ("search", "container")),
    (_("Targets"), "targets", ("targets",)),
    (_("Intake"), "intake", ("intake",)),
    (_("Rules"), "rules", ("rule",)),
    (_("Models"), "model_versions", ("model_", "outcome_")),
    (_("Watchlists"), "watchlists", ("watchlist",)),
    (_("Cases"), None, ()),
    (_("Exchange"), None, ()),
    (_("Reports"), "report_hit_rate", ("report",)),
]


def shell(request):
    current = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    items = [{"label": label, "url": reverse(name) if name else None,
              "active": bool(name) and current.startswith(prefixes)}
             for label, name, prefixes in NAV]
    return {"nav_items": items, "settings_node": settings.PORTCONTROL_NODE}
