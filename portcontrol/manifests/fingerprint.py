"""The content hash of a bill of lading: equal content, equal hash, whichever way it came.

A record arrives either as a canonical dict (CUSCAR, JSON, a replayed quarantine record, a
flagged CSV line) or as lines of a typed polars frame (clean CSV lines on the bulk path). Both
must give the same hash, or the same bill loaded twice by two paths would look amended.
So the hash is defined over a flat text that both can build cheaply: one header of the
B/L-level fields, then one line per goods item (or per container without goods), fields
separated by \\x1f and lines by \\x1e. Numbers are written as whole thousandths
(floor(x * 1000 + 0.5)), which Python and polars compute identically from the same double,
so no float formatting is involved.

Tests check that both functions agree on every record of a generated file.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import polars as pl

FIELD_SEP = "\x1f"
LINE_SEP = "\x1e"
ROLES = ("shipper", "consignee", "notify")
# (dict path inside record["voyage"] or record, frame column)
VOYAGE_FIELDS = ("voyage_id", "vessel_imo", "vessel_name", "vessel_flag", "carrier",
                 "port_of_call", "eta")
BILL_FIELDS = ("bl_number", "place_of_receipt", "port_of_loading", "transshipment_ports",
               "port_of_discharge", "final_destination", "freight_terms")
CONTAINER_TEXT = ("container_number", "size_type")
CONTAINER_NUMBERS = ("gross_mass_kg", "vgm_kg")
# goods: dict key -> frame column
GOODS = (("hs_code", "hs_code", "text"), ("description", "goods_description", "text"),
         ("packages", "packages", "int"), ("package_type", "package_type", "text"),
         ("gross_kg", "goods_gross_kg", "number"), ("net_kg", "goods_net_kg", "number"),
         ("value", "value", "number"), ("currency", "currency", "text"),
         ("origin_country", "origin_country", "text"))


def _num(value: Any) -> str:
    if value is None or value == "":
        return ""
    return str(math.floor(float(value) * 1000 + 0.5))


def _int(value: Any) -> str:
    return "" if value is None or value == "" else str(int(value))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _goods_fields(g: dict[str, Any] | None) -> list[str]:
    if not g:
        return [""] * len(GOODS)
    out = []
    for key, _column, kind in GOODS:
        value = g.get(key)
        out.append(_num(value) if kind == "number" else _int(value) if kind == "int"
                   else _text(value))
    return out


def record_text(rec: dict[str, Any]) -> str:
    """The flat text of a clean canonical record."""
    voyage = rec.get("voyage") or {}
    head = [_text(voyage.get(f)) for f in VOYAGE_FIELDS]
    for f in BILL_FIELDS:
        value = rec.get(f)
        head.append(";".join(value) if isinstance(value, list) else _text(value))
    parties = rec.get("parties") or {}
    for role in ROLES:
        p = parties.get(role) or {}
        head += [_text(p.get("name")), _text(p.get("address")), _text(p.get("country")),
                 _text(p.get("identifier"))]
    head += _dwell_text(rec.get("transshipment_arrival"), rec.get("transshipment_departure"))
    lines = [FIELD_SEP.join(head)]
    for c in rec.get("containers") or []:
        box = [_text(c.get("container_number")), _text(c.get("size_type")),
               ";".join(c.get("seals") or []), _num(c.get("gross_mass_kg")),
               _num(c.get("vgm_kg")), _text(c.get("full_empty") or "F"),
               "1" if c.get("reefer") else "0"]
        for g in c.get("goods") or [None]:
            lines.append(FIELD_SEP.join([*box, *_goods_fields(g)]))
    return LINE_SEP.join(lines)


def _dwell_text(arrived: Any, left: Any) -> list[str]:
    """The transshipment days as a last header part, only when there are any: a bill without
    them keeps the hash it had before they were read."""
    return [f"ts:{arrived or ''}/{left or ''}"] if arrived or left else []


def content_hash(rec: dict[str, Any]) -> str:
    return hashlib.sha256(record_text(rec).encode("utf-8")).hexdigest()


# --- the same over frames ------------------------------------------------------------------

def _s(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).fill_null("")


def _n(name: str) -> pl.Expr:
    value = pl.col(name).cast(pl.Float64)
    return ((value * 1000 + 0.5).floor().cast(pl.Int64, strict=False)
            .cast(pl.String).fill_null(""))


def header_expr() -> pl.Expr:
    """The header text of each line's bill (the same on every line of a bill)."""
    parts = [_s(f) for f in VOYAGE_FIELDS]
    for f in BILL_FIELDS:
        parts.append(pl.col(f).list.join(";").fill_null("") if f == "transshipment_ports"
                     else _s(f))
    for role in ROLES:
        named = _s(f"{role}_name") != ""
        parts += [_s(f"{role}_name"),
                  pl.when(named).then(_s(f"{role}_address")).otherwise(pl.lit("")),
                  pl.when(named).then(_s(f"{role}_country")).otherwise(pl.lit("")),
                  pl.lit("")]  # identifier: not a flat-file column
    arrived, left = _s("transshipment_arrival"), _s("transshipment_departure")
    dwell = (pl.when((arrived != "") | (left != ""))
             .then(pl.lit(FIELD_SEP + "ts:") + arrived + pl.lit("/") + left)
             .otherwise(pl.lit("")))
    return pl.concat_str(parts, separator=FIELD_SEP) + dwell


def line_expr() -> pl.Expr:
    """The text of each line: its container and its goods item."""
    parts = [_s(f) for f in CONTAINER_TEXT]
    parts.append(pl.col("seals").list.join(";").fill_null(""))
    parts += [_n(f) for f in CONTAINER_NUMBERS]
    parts.append(pl.col("full_empty").fill_null("F"))
    parts.append(pl.when(pl.col("reefer")).then(pl.lit("1")).otherwise(pl.lit("0")))
    for _key, column, kind in GOODS:
        parts.append(_n(column) if kind == "number" else
                     pl.col(column).cast(pl.Int64).cast(pl.String).fill_null("")
                     if kind == "int" else _s(column))
    return pl.concat_str(parts, separator=FIELD_SEP)


def frame_hashes(lines: pl.DataFrame, group: str = "_g") -> pl.DataFrame:
    """(group, content_hash) per bill of lading of a frame of clean lines, in order."""
    texts = (lines.select(group, _h=header_expr(), _l=line_expr())
             .group_by(group, maintain_order=True)
             .agg(pl.col("_h").first(), pl.col("_l").str.join(LINE_SEP)))
    joined = (texts.get_column("_h") + LINE_SEP + texts.get_column("_l")).to_list()
    digests = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in joined]
    return pl.DataFrame({group: texts.get_column(group),
                         "content_hash": pl.Series(digests, dtype=pl.String)})
