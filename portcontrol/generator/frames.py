"""Render a chunk's integer arrays into the two output shapes: flat container lines (CSV)
and nested consignments (NDJSON). Strings are made by polars gathers, not Python loops."""

from __future__ import annotations

import numpy as np
import polars as pl

from .boxes import SEAL_PREFIX, Boxes
from .consign import Consignments
from .parties import PartyBook, mix
from .plan import Plan, Voyage
from .tables import Tables

CSV_COLUMNS = (
    "voyage_id", "vessel_imo", "vessel_name", "vessel_flag", "carrier", "port_of_call", "eta",
    "bl_number", "place_of_receipt", "port_of_loading", "transshipment_ports",
    "transshipment_arrival", "transshipment_departure", "port_of_discharge", "final_destination",
    "shipper_name", "shipper_address", "shipper_country", "consignee_name", "consignee_address",
    "consignee_country",
    "notify_name", "notify_address", "notify_country", "freight_terms", "container_number",
    "size_type", "seals", "gross_mass_kg", "vgm_kg", "full_empty", "reefer", "hs_code",
    "goods_description", "packages", "package_type", "goods_gross_kg", "goods_net_kg", "value",
    "currency", "origin_country",
)
GROUND_TRUTH_COLUMNS = ("container_number", "bl_number", "voyage_id", "kind", "declared_hs",
                        "actual_goods", "concealment")
VOYAGE_FIELDS = ("voyage_id", "vessel_imo", "vessel_name", "vessel_flag", "carrier",
                 "port_of_call", "eta")
BL_MODULUS = 10 ** 10


def _bl_numbers(plan: Plan, t: Tables, cons: Consignments, first: int) -> pl.Series:
    """Carrier prefix and ten digits: an affine permutation of the run-wide B/L ordinal."""
    ordinal = first + np.arange(len(cons.voyage), dtype=np.int64)
    mult, add = 2_654_435_761, mix(plan.seed, 21) % BL_MODULUS
    digits = (ordinal * mult + add) % BL_MODULUS  # mult is coprime with 10**10
    prefix = t.bl_prefix.take(t.voyage_carrier[cons.voyage])
    return (prefix + pl.Series(digits).cast(pl.Utf8).str.zfill(10)).rename("bl_number")


def consignment_frame(plan: Plan, t: Tables, book: PartyBook, cons: Consignments,
                      first_bl: int, voyages: range) -> pl.DataFrame:
    local = cons.voyage - voyages.start
    vs = [plan.voyages[v] for v in voyages]
    cols: dict[str, pl.Series] = {
        name: pl.Series([getattr(v, "port" if name == "port_of_call" else name) for v in vs],
                        dtype=pl.Utf8).gather(pl.Series(local.astype(np.uint32)))
        for name in VOYAGE_FIELDS
    }
    cols["bl_number"] = _bl_numbers(plan, t, cons, first_bl)
    loc = t.locodes.take
    cols["place_of_receipt"] = loc(cons.por)
    cols["port_of_loading"] = loc(cons.pol)
    cols["ts1"], cols["ts2"] = loc(cons.ts1), loc(cons.ts2)
    cols["port_of_discharge"] = loc(cons.port)
    cols["final_destination"] = loc(cons.fdest)
    p = cons.parties
    for role in ("shipper", "consignee", "notify"):
        cols[f"{role}_name"], cols[f"{role}_address"] = _render(t, book, p[f"{role}_role"],
                                                                 p[f"{role}_country"], p[role])
        cols[f"{role}_country"] = t.countries.take(p[f"{role}_country"])
    cols["freight_terms"] = pl.Series(np.where(p["collect"], "COLLECT", "PREPAID"))
    cols["transshipment_arrival"], cols["transshipment_departure"] = _hub_dates(cons, vs, local)
    frame = pl.DataFrame({k: v.rename(k) for k, v in cols.items()})
    return frame.with_columns(
        transshipment_ports=pl.concat_str(["ts1", "ts2"], separator=";", ignore_nulls=True)
    ).drop("ts1", "ts2")


def _hub_dates(cons: Consignments, vs: list[Voyage],
               local: np.ndarray) -> tuple[pl.Series, pl.Series]:
    """ISO dates of arrival at and departure from the last transshipment hub (null without one):
    departure is the ETA's date less the sailing days, arrival the departure less the dwell."""
    eta = np.array([v.eta[:10] for v in vs], dtype="datetime64[D]")[local]
    departure = eta - cons.sail_days.astype("timedelta64[D]")
    arrival = departure - cons.dwell_days.astype("timedelta64[D]")
    hub = pl.Series(cons.last_hub() >= 0)
    none = pl.Series([None] * len(local), dtype=pl.Utf8)
    return tuple(pl.Series(days).cast(pl.Utf8).zip_with(hub, none)
                 for days in (arrival, departure))


def _render(t: Tables, book: PartyBook, roles: np.ndarray, countries: np.ndarray,
            numbers: np.ndarray) -> tuple[pl.Series, pl.Series]:
    names = pl.Series([None] * len(roles), dtype=pl.Utf8)
    addresses = names.clone()
    for role in np.unique(roles):
        rows = np.flatnonzero(roles == role)
        n, a = book.render(int(role), countries[rows], t.countries.values, numbers[rows])
        names = names.scatter(rows, n)
        addresses = addresses.scatter(rows, a)
    return names, addresses


def container_frame(t: Tables, b: Boxes) -> pl.DataFrame:
    seal_prefix = pl.Series([SEAL_PREFIX[c] for c in t.carrier.values], dtype=pl.Utf8)
    seal1 = seal_prefix.gather(pl.Series(b.carrier.astype(np.uint32))) + pl.Series(
        b.seal1).cast(pl.Utf8)
    two = seal1 + ";CS" + pl.Series(b.seal2).cast(pl.Utf8)
    seals = two.zip_with(pl.Series(b.seal2 >= 0), seal1)
    description = t.description.take(b.description)
    words = t.package_word.take(t.package_of[np.maximum(b.commodity, 0)])
    frame = pl.DataFrame({
        "_c": b.cons,
        "container_number": t.owner.take(b.owner) + pl.Series(b.serial).cast(pl.Utf8).str.zfill(6)
        + pl.Series(b.check).cast(pl.Utf8),
        "size_type": t.size.take(b.size_type),
        "seals": seals,
        "gross_mass_kg": b.gross_mass,
        "vgm_kg": b.vgm,
        "full_empty": np.where(b.full, "F", "E"),
        "reefer": np.where(t.size_reefer[b.size_type], "1", "0"),
        "_full": b.full,
        "hs_code": t.hs.take(b.commodity),
        "_desc": description,
        "_counted": b.counted,
        "_word": words,
        "packages": b.packages,
        "package_type": t.package.take(t.package_of[np.maximum(b.commodity, 0)]),
        "goods_gross_kg": b.goods_gross,
        "goods_net_kg": b.goods_net,
        "value": b.value,
        "currency": t.currency.take(b.currency),
        "origin_country": t.countries.take(np.where(b.full, b.origin, -1)),
    })
    counted = pl.format("{} {} OF {}", pl.col("packages"), pl.col("_word"), pl.col("_desc"))
    goods_cols = ["hs_code", "goods_description", "packages", "package_type", "goods_gross_kg",
                  "goods_net_kg", "value", "currency"]
    frame = frame.with_columns(
        goods_description=pl.when(pl.col("_counted")).then(counted).otherwise(pl.col("_desc")))
    return frame.with_columns(
        [pl.when(pl.col("_full")).then(pl.col(c)).otherwise(None).alias(c) for c in goods_cols]
    ).drop("_desc", "_counted", "_word")


def csv_frame(cons_frame: pl.DataFrame, boxes_frame: pl.DataFrame) -> pl.DataFrame:
    per_box = cons_frame.select(pl.all().gather(boxes_frame["_c"]))
    return pl.concat([per_box, boxes_frame], how="horizontal").select(CSV_COLUMNS).with_columns(
        transshipment_ports=pl.when(pl.col("transshipment_ports") == "").then(None)
        .otherwise(pl.col("transshipment_ports")))


def json_frame(cons_frame: pl.DataFrame, boxes_frame: pl.DataFrame) -> pl.DataFrame:
    goods = pl.struct(
        "hs_code", pl.col("goods_description").alias("description"), "packages",
        "package_type", pl.col("goods_gross_kg").alias("gross_kg"),
        pl.col("goods_net_kg").alias("net_kg"), "value", "currency", "origin_country")
    goods_type = boxes_frame.head(1).select(goods.alias("g")).schema["g"]
    no_goods = pl.lit([], dtype=pl.List(goods_type))
    box = pl.struct(
        "container_number", "size_type", pl.col("seals").str.split(";"), "gross_mass_kg",
        "vgm_kg", "full_empty", (pl.col("reefer") == "1").alias("reefer"),
        pl.when(pl.col("_full")).then(pl.concat_list(goods)).otherwise(no_goods).alias("goods"))
    nested = (boxes_frame.select("_c", box.alias("box"))
              .group_by("_c", maintain_order=True).agg(pl.col("box").alias("containers")))
    empty_list = pl.lit([], dtype=pl.List(pl.Utf8))

    def party(role: str) -> pl.Expr:
        return pl.struct(pl.col(f"{role}_name").alias("name"),
                         pl.col(f"{role}_address").alias("address"),
                         pl.col(f"{role}_country").alias("country")).alias(role)

    return pl.concat([cons_frame, nested.drop("_c")], how="horizontal").select(
        pl.struct(*VOYAGE_FIELDS).alias("voyage"), "bl_number", "place_of_receipt",
        "port_of_loading",
        pl.when(pl.col("transshipment_ports") == "").then(empty_list)
        .otherwise(pl.col("transshipment_ports").str.split(";")).alias("transshipment_ports"),
        "transshipment_arrival", "transshipment_departure", "port_of_discharge",
        "final_destination", "freight_terms",
        pl.struct(party("shipper"), party("consignee"), party("notify")).alias("parties"),
        "containers")
