"""Read side of manifests: every query is scoped to what the user may see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Min, Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portcontrol.accounts.models import User
from portcontrol.accounts.scoping import scope
from portcontrol.core.containers import normalize_container_number, validate_container_number
from portcontrol.core.errors import InvalidValue
from portcontrol.reference.models import Port

from .models import Consignment, ConsignmentContainer, Container, GoodsItem, Voyage

SEARCH_LIMIT = 100
_PARTIAL = re.compile(r"^[A-Z]{1,4}[0-9]{0,7}$")


def containers_for(user: User) -> QuerySet[Container]:
    return scope(Container.objects.all(), user).select_related("voyage", "unit")


@dataclass
class SearchResult:
    query: str
    containers: list[Container] = field(default_factory=list)
    error: str | None = None
    warning: str | None = None
    truncated: bool = False


def search_containers(user: User, text: str) -> SearchResult:
    """Find containers by full number or by a prefix of at least four characters."""
    number = normalize_container_number(text)
    result = SearchResult(query=number)
    if not _PARTIAL.match(number):
        result.error = _("“%(q)s” is not a container number: four letters then up to seven "
                         "digits, for example MSCU1234566.") % {"q": text[:40]}
        return result
    if len(number) == 11:
        try:
            validate_container_number(number)
        except InvalidValue as exc:
            # Still search: a manifest may carry exactly this wrong number.
            result.warning = exc.message
        qs = containers_for(user).filter(number=number)
    elif len(number) < 4:
        result.error = _("Type at least the four letters of the owner code.")
        return result
    else:
        # startswith alone is LIKE 'MSCU12%', which PostgreSQL answers from a b-tree index
        # only under the C collation (it scanned the table under C.UTF-8 or en_US) and SQLite
        # by reading the whole index. The range on the same prefix (letters and digits only,
        # see _PARTIAL) is an index range on both; startswith keeps the result exact.
        following = number[:-1] + chr(ord(number[-1]) + 1)
        qs = containers_for(user).filter(number__gte=number, number__lt=following,
                                         number__startswith=number)
    rows = list(qs.order_by("-created_at", "number")[: SEARCH_LIMIT + 1])
    result.truncated = len(rows) > SEARCH_LIMIT
    result.containers = rows[:SEARCH_LIMIT]
    return result


def recent_voyages(user: User, limit: int = 15) -> list[Voyage]:
    return list(scope(Voyage.objects.all(), user)
                .annotate(n_containers=Count("containers", distinct=True),
                          eta=Min("port_calls__eta"))
                .select_related("unit").order_by("-eta", "-pk")[:limit])


ROUTE_ROLES = {
    "receipt": gettext_lazy("place of receipt"),
    "loading": gettext_lazy("port of loading"),
    "transshipment": gettext_lazy("transshipment"),
    "discharge": gettext_lazy("port of discharge"),
    "destination": gettext_lazy("final destination"),
}


def _route_points(consignment: Consignment) -> tuple[list[dict], list[str]]:
    legs = consignment.route
    ports = Port.objects.in_bulk([code for _, code in legs])
    points, missing = [], []
    for role, code in legs:
        port = ports.get(code)
        if port is None or port.latitude is None:
            missing.append(code)
        points.append({"locode": code, "role": role, "label": str(ROUTE_ROLES[role]), "name": port.name if port else "",
                       "lat": port.latitude if port else None,
                       "lon": port.longitude if port else None})
    return points, missing


_CONTAINER_FIELD = re.compile(r"containers\[(\d+)\]")


def _warnings_about(cons: Consignment, container: Container) -> list[dict]:
    """The bill's intake warnings about the bill itself or about this container. A warning
    about one of the bill's containers names it by its place on the bill (`containers[1]...`),
    the order in which its links were stored; those about the others belong on their pages."""
    if not cons.warnings:
        return []
    order = list(ConsignmentContainer.objects.filter(consignment=cons).order_by("id")
                 .values_list("container_id", flat=True))
    place = order.index(container.pk) if container.pk in order else None
    shown = []
    for warning in cons.warnings:
        about = _CONTAINER_FIELD.match(warning.get("field") or "")
        if about is None or int(about.group(1)) == place:
            shown.append(warning)
    return shown


def container_context(container: Container) -> dict:
    consignments = list(container.consignments.select_related(
        "shipper", "consignee", "notify_party", "voyage").prefetch_related(
        Prefetch("goods", queryset=GoodsItem.objects.filter(container=container))))
    for cons in consignments:
        cons.shown_warnings = _warnings_about(cons, container)
    main = consignments[0] if consignments else None
    points, missing = _route_points(main) if main else ([], [])
    port_calls = list(container.voyage.port_calls.all())
    return {
        "container": container,
        "voyage": container.voyage,
        "port_calls": port_calls,
        "consignments": consignments,
        "route": {"points": [p for p in points if p["lat"] is not None], "missing": missing},
        "route_legs": points,
        "other_voyages": list(Container.objects.filter(unit=container.unit,
                                                       number=container.number)
                              .exclude(pk=container.pk).select_related("voyage")[:20]),
    }
