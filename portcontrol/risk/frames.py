"""Container lines from the database in the engine's input shape (the generator's flat CSV
columns), plus the unit, the arrival date and the inspection outcome where one is known."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl
from django.db.models import F, QuerySet

from portcontrol.manifests.models import GoodsItem, PortCall

_VALUES = {
    "unit_id": F("consignment__unit_id"),
    "unit_code": F("consignment__unit__code"),
    "voyage_pk": F("consignment__voyage_id"),
    "voyage_id": F("consignment__voyage__voyage_ref"),
    "vessel_imo": F("consignment__voyage__vessel_imo"),
    "vessel_name": F("consignment__voyage__vessel_name"),
    "vessel_flag": F("consignment__voyage__vessel_flag"),
    "carrier": F("consignment__voyage__carrier"),
    "bl_number": F("consignment__bl_number"),
    "place_of_receipt": F("consignment__place_of_receipt"),
    "port_of_loading": F("consignment__port_of_loading"),
    "ts": F("consignment__transshipment_ports"),
    "port_of_discharge": F("consignment__port_of_discharge"),
    "final_destination": F("consignment__final_destination"),
    "shipper_name": F("consignment__shipper__name"),
    "shipper_address": F("consignment__shipper__address"),
    "shipper_country": F("consignment__shipper__country"),
    "consignee_name": F("consignment__consignee__name"),
    "consignee_address": F("consignment__consignee__address"),
    "consignee_country": F("consignment__consignee__country"),
    "notify_name": F("consignment__notify_party__name"),
    "notify_address": F("consignment__notify_party__address"),
    "notify_country": F("consignment__notify_party__country"),
    "freight_terms": F("consignment__freight_terms"),
    "container_number": F("container__number"),
    "size_type": F("container__size_type"),
    "seal_list": F("container__seals"),
    "gross_mass_kg": F("container__gross_mass_kg"),
    "vgm_kg": F("container__vgm_kg"),
    "full_empty": F("container__load"),
    "reefer_flag": F("container__reefer"),
    "seals_changed": F("container__seals_changed"),
    "goods_description": F("description"),
    "goods_gross_kg": F("gross_kg"),
    "goods_net_kg": F("net_kg"),
    "inspected": F("container__outcome__inspected"),
    "seizure": F("container__outcome__seizure"),
}


# Goods-item fields read under their own names (an annotation may not shadow a field).
_PLAIN = ("container_id", "hs_code", "packages", "package_type", "value", "currency",
          "origin_country")


def _float(value) -> float | None:
    return None if value is None else float(value)


def container_lines(goods: QuerySet[GoodsItem]) -> pl.DataFrame:
    """One row per container (its first goods line) with engine columns."""
    # The container's own first line: in a bill of lading with several containers, line 1
    # belongs to only one of them, so filtering on sequence=1 would drop the others.
    rows = list(goods.filter(container__isnull=False).values(*_PLAIN, **_VALUES)
                .order_by("container_id", "consignment_id", "sequence"))
    seen: set[int] = set()
    unique = []
    for r in rows:  # a container on two bills of lading: score it once
        if r["container_id"] not in seen:
            seen.add(r["container_id"])
            unique.append(r)
    etas = dict(PortCall.objects.filter(voyage_id__in={r["voyage_pk"] for r in unique})
                .values_list("voyage_id", "eta"))
    out: dict[str, list] = {name: [] for name in _columns()}
    for r in unique:
        eta = etas.get(r["voyage_pk"])
        r.update(
            port_of_call=r["port_of_discharge"], transshipment_ports=";".join(r["ts"] or []),
            seals=";".join(r["seal_list"] or []), reefer="1" if r["reefer_flag"] else "0",
            eta=eta.isoformat().replace("+00:00", "Z") if eta else None,
            arrival_date=eta.date() if eta else None,
            seals_changed=int(bool(r["seals_changed"])),
            inspected=bool(r["inspected"]), seizure=bool(r["seizure"]))
        for name in ("gross_mass_kg", "vgm_kg", "goods_gross_kg", "goods_net_kg", "value",
                     "packages"):
            r[name] = _float(r[name])
        for name in out:
            out[name].append(r.get(name))
    return pl.DataFrame(out, schema=_schema(), strict=False)


def _columns() -> list[str]:
    skip = {"ts", "seal_list", "reefer_flag", "voyage_pk"}
    return [*_PLAIN, *(c for c in _VALUES if c not in skip)] + [
        "port_of_call", "transshipment_ports", "seals", "reefer", "eta", "arrival_date"]


def _schema() -> dict[str, pl.DataType]:
    numbers = {"gross_mass_kg", "vgm_kg", "goods_gross_kg", "goods_net_kg", "value",
               "packages"}
    out: dict[str, pl.DataType] = {}
    for name in _columns():
        if name in ("container_id", "unit_id", "seals_changed"):
            out[name] = pl.Int64()
        elif name in numbers:
            out[name] = pl.Float64()
        elif name in ("inspected", "seizure"):
            out[name] = pl.Boolean()
        elif name == "arrival_date":
            out[name] = pl.Date()
        else:
            out[name] = pl.String()
    return out


def lines_for_units(unit_ids: Iterable[int], *, since: date | None = None,
                    until: date | None = None, container_ids: Iterable[int] | None = None
                    ) -> pl.DataFrame:
    goods = GoodsItem.objects.filter(consignment__unit_id__in=list(unit_ids))
    if since:
        goods = goods.filter(consignment__voyage__port_calls__eta__date__gte=since)
    if until:
        goods = goods.filter(consignment__voyage__port_calls__eta__date__lte=until)
    if container_ids is not None:
        goods = goods.filter(container_id__in=list(container_ids))
    return container_lines(goods)
