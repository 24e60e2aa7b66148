"""Container lines from the database in the engine's input shape (the generator's flat CSV
columns), plus the unit, the arrival date and the inspection outcome where one is known."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import CharField, F, FloatField, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from portcontrol.engine.features.frame import dwell_days
from portcontrol.ingest.models import StowageDiscrepancy
from portcontrol.manifests.models import ConsignmentContainer, GoodsItem, PortCall
from portcontrol.manifests.rawsql import in_chunks

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
    "ts_arrival": F("consignment__transshipment_arrival"),
    "ts_departure": F("consignment__transshipment_departure"),
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


# Read as numbers by the database: the values are decimals, and converting a million of them
# one by one in Python cost more than the whole query.
_NUMBERS = {"gross_mass_kg", "vgm_kg", "goods_gross_kg", "goods_net_kg", "value", "packages"}
# Booleans as 0/1 (SQLite has no other form; NULL where there is no outcome).
_FLAGS = {"reefer_flag", "seals_changed", "inspected", "seizure"}
# Days as text (YYYY-MM-DD on both backends): SQLite's driver would make date objects.
_DAYS = {"ts_arrival", "ts_departure"}
FETCH_ROWS = 50_000  # rows fetched and turned into a frame at a time
# A container's own lines, first to last: its first line gives its goods columns.
_ORDER = ("consignment_id", "sequence")
# What a goods line has and a container's link to its bill does not.
_GOODS_OWN = {"goods_description", "goods_gross_kg", "goods_net_kg", "hs_code", "packages",
              "package_type", "value", "currency", "origin_country", "sequence"}


def container_lines(where: Q) -> pl.DataFrame:
    """One row per container (its first goods line) with engine columns, for the containers
    `where` selects. `where` names fields from a container's place on a bill: `consignment__`
    and `container__` paths and `container_id` (goods items and the links of containers to
    their bills have both).

    A container without goods lines (an empty box being repositioned, mostly) comes from its
    link to the bill, with no goods columns: empties are scored too, and a declared empty is
    one of the ways contraband travels.

    The queries are the ORM's, but their rows go straight from the cursor into polars, a
    block at a time: building a dict per row through the ORM took about 100 µs a container,
    which made the unit's year of history the largest part of every scoring run."""
    goods = GoodsItem.objects.filter(where, container__isnull=False)
    bare = ConsignmentContainer.objects.filter(where, container__goods__isnull=True)
    raw = pl.concat([_raw_lines(goods, with_goods=True), _raw_lines(bare, with_goods=False)])
    raw = raw.sort("container_id", *_ORDER, nulls_last=True)
    # The container's own first line (in a bill of lading with several containers, line 1
    # belongs to only one of them, so filtering on sequence=1 would drop the others); a
    # container on two bills of lading is scored once, on the first bill's line.
    raw = raw.unique("container_id", keep="first", maintain_order=True)
    voyages = raw["voyage_pk"].unique().to_list()
    return _engine_columns(raw, _arrivals(voyages), _weighed(voyages))


def _raw_lines(rows: QuerySet[Any], *, with_goods: bool) -> pl.DataFrame:
    """The raw columns of goods lines, or of links (`with_goods` False: the goods' own
    columns are NULL)."""
    plain = (*_PLAIN, *_ORDER)

    def expr(name: str, value: Any) -> Any:
        if not with_goods and name in _GOODS_OWN:
            return _typed(name, Value(None, output_field=_null_field(name)))
        return _typed(name, value)
    query = (rows.annotate(**{name: expr(name, e) for name, e in _VALUES.items()},
                           **{f"_{name}": expr(name, F(name)) for name in plain})
             .values_list(*_VALUES, *(f"_{name}" for name in plain))
             # sorted by polars rather than by the database: an ORDER BY made SQLite walk
             # every goods item of the installation in container order
             .order_by()).query
    # the columns in the order the SQL selects them (values_list may reorder them)
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    sql, params = query.sql_with_params()
    schema = {name: _raw_type(name.lstrip("_")) for name in names}
    raw = _copied(sql, params, schema) if connection.vendor == "postgresql" \
        else _fetched(sql, params, schema)
    return raw.rename({f"_{name}": name for name in plain}).select(
        *_VALUES, *plain)


def _null_field(name: str) -> Any:
    return IntegerField() if _raw_type(name) == pl.Int64() else \
        FloatField() if _raw_type(name) == pl.Float64() else CharField()


def _fetched(sql: str, params: Any, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    blocks = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            blocks.append(pl.DataFrame(rows, schema=schema, orient="row"))
    return pl.concat(blocks) if blocks else pl.DataFrame(schema=schema)


def _copied(sql: str, params: Any, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """PostgreSQL: the query's rows as CSV (COPY ... TO STDOUT), parsed by polars: no Python
    object per value at all. NULL is an empty unquoted field (CSV's default) and every other
    value is quoted, so polars reads an empty text as "" and only NULL as null: no text,
    however it reads, can be taken for a null marker."""
    with connection.cursor() as cursor:
        statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)"  # noqa: S608
        with cursor.cursor.copy(statement, params) as copy:
            data = b"".join(bytes(block) for block in copy)
    if not data:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(io.BytesIO(data), has_header=False, new_columns=list(schema),
                       schema=schema)


def _typed(name: str, expr: F) -> Any:
    if name in _NUMBERS:
        return Cast(expr, FloatField())
    if name in _FLAGS:
        return Cast(expr, IntegerField())
    if name in _DAYS:
        return Cast(expr, CharField())
    return expr


def _raw_type(name: str) -> pl.DataType:
    if name in _NUMBERS:
        return pl.Float64()
    if name in _FLAGS or name in ("container_id", "unit_id", "voyage_pk", *_ORDER):
        return pl.Int64()
    return pl.String()


def port_call_etas(voyages: Sequence[int]) -> list[tuple[int, datetime | None]]:
    """(voyage id, ETA) of every port call of the voyages."""
    return [row for ids in in_chunks(voyages, 500)
            for row in PortCall.objects.filter(voyage_id__in=ids).values_list("voyage_id",
                                                                             "eta")]


def _arrivals(voyages: list[int]) -> pl.DataFrame:
    """voyage_pk -> eta (ISO text, Z for UTC) and arrival_date, from its port call."""
    etas = dict(port_call_etas(voyages))
    rows = [(pk, eta.isoformat().replace("+00:00", "Z"), eta.date())
            for pk, eta in etas.items() if eta is not None]
    return pl.DataFrame(rows, schema={"voyage_pk": pl.Int64(), "eta": pl.String(),
                                      "arrival_date": pl.Date()}, orient="row")


def _weighed(voyages: list[int]) -> pl.DataFrame:
    """(voyage_pk, container_number) -> weighed_mass_kg: the mass the latest stowage plan of
    the voyage gives a box whose declared mass it contradicts (ingest.stowage). Only those
    boxes: within intake's tolerance the declared mass stands."""
    rows = [row for ids in in_chunks(voyages, 500) for row in StowageDiscrepancy.objects.filter(
        voyage_id__in=ids, kind=StowageDiscrepancy.Kind.MASS_DIFFERS).values_list(
        "voyage_id", "container_number", "plan_mass_kg")]
    return pl.DataFrame(rows, schema={"voyage_pk": pl.Int64(), "container_number": pl.String(),
                                      "weighed_mass_kg": pl.Float64()}, orient="row")


def _codes(column: str) -> pl.Expr:
    """A JSON list of codes as text, joined by ";" ("" for none)."""
    return (pl.col(column).str.json_decode(pl.List(pl.String())).list.join(";")
            .fill_null(""))


def _engine_columns(raw: pl.DataFrame, arrivals: pl.DataFrame, weighed: pl.DataFrame
                    ) -> pl.DataFrame:
    frame = raw.join(arrivals, on="voyage_pk", how="left", maintain_order="left").join(
        weighed, on=["voyage_pk", "container_number"], how="left", maintain_order="left"
    ).with_columns(
        port_of_call=pl.col("port_of_discharge"), transshipment_ports=_codes("ts"),
        seals=_codes("seal_list"), hub_dwell_days=dwell_days("ts_arrival", "ts_departure"),
        reefer=pl.when(pl.col("reefer_flag") == 1).then(pl.lit("1")).otherwise(pl.lit("0")),
        seals_changed=(pl.col("seals_changed").fill_null(0) != 0).cast(pl.Int64),
        inspected=pl.col("inspected").fill_null(0) != 0,
        seizure=pl.col("seizure").fill_null(0) != 0)
    return frame.select(pl.col(name).cast(dtype) for name, dtype in _schema().items())


def _columns() -> list[str]:
    skip = {"ts", "ts_arrival", "ts_departure", "seal_list", "reefer_flag", "voyage_pk"}
    return [*_PLAIN, *(c for c in _VALUES if c not in skip)] + [
        "port_of_call", "transshipment_ports", "seals", "reefer", "eta", "arrival_date",
        "weighed_mass_kg", "hub_dwell_days"]


def no_lines() -> pl.DataFrame:
    """A frame of lines_for_units' columns and no row."""
    return pl.DataFrame(schema=_schema())


def _schema() -> dict[str, pl.DataType]:
    out: dict[str, pl.DataType] = {}
    for name in _columns():
        if name in ("container_id", "unit_id", "seals_changed"):
            out[name] = pl.Int64()
        elif name in _NUMBERS or name in ("weighed_mass_kg", "hub_dwell_days"):
            out[name] = pl.Float64()
        elif name in ("inspected", "seizure"):
            out[name] = pl.Boolean()
        elif name == "arrival_date":
            out[name] = pl.Date()
        else:
            out[name] = pl.String()
    return out


def arriving(since: date | None, until: date | None, path: str = "consignment__voyage__"
             ) -> Q:
    """Goods on voyages whose port call falls on the days from `since` to `until` (either
    open), in the current time zone, as `eta__date` would say. Written as a range of instants:
    the date of every port call, computed row by row (on SQLite by a Python function), made
    the query several times slower, and a range can use the index on the call's ETA."""
    condition = Q()
    if since:
        condition &= Q(**{f"{path}port_calls__eta__gte": _midnight(since)})
    if until:
        condition &= Q(**{f"{path}port_calls__eta__lt": _midnight(until + timedelta(days=1))})
    return condition


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def lines_for_units(unit_ids: Iterable[int], *, since: date | None = None,
                    until: date | None = None, container_ids: Iterable[int] | None = None
                    ) -> pl.DataFrame:
    where = Q(consignment__unit_id__in=list(unit_ids))
    if since or until:
        where &= arriving(since, until)
    if container_ids is not None:
        where &= Q(container_id__in=list(container_ids))
    return container_lines(where)
