"""Explanation templates, English and Russian, rendered as polars string expressions.

A template is text with named placeholders, "value per kg {value_below_pct:.0f} % below the
normal range of heading {value_ref}". A placeholder is either a display name (port, country
and goods wording, which differ by language: see DISPLAY) or a feature column, optionally
with a fixed-point format (.0f, .1f, .2f). Rendering builds one concatenation per template,
so a batch of explanations costs a few vectorised string operations, not a Python loop.
Port and country names come from `add_display`, which must run on the frame first.
"""

from __future__ import annotations

import gzip
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from portcontrol.reference.vendored import DATA_DIR, countries

LANGUAGES = ("en", "ru")
_FIXED = re.compile(r"^\.(\d)f$")
_MISSING = "—"


@dataclass(frozen=True)
class Template:
    en: str
    ru: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.ru

    def fields(self) -> set[str]:
        return {f for lang in LANGUAGES for _, f, _, _ in
                string.Formatter().parse(self.text(lang)) if f}

    def expr(self, lang: str) -> pl.Expr:
        parts: list[pl.Expr] = []
        for literal, name, spec, _ in string.Formatter().parse(self.text(lang)):
            if literal:
                parts.append(pl.lit(literal))
            if name:
                parts.append(placeholder(name, spec or "", lang).fill_null(_MISSING))
        return pl.concat_str(parts) if parts else pl.lit("")


def placeholder(name: str, spec: str, lang: str) -> pl.Expr:
    if name in DISPLAY:
        return DISPLAY[name](lang)
    col = pl.col(name)
    fixed = _FIXED.match(spec)
    if fixed:
        digits = int(fixed.group(1))
        col = col.round(0).cast(pl.Int64) if digits == 0 else col.round(digits)
    elif spec:
        raise ValueError(f"unsupported format {spec!r} for {name!r}; use .0f, .1f or .2f")
    return col.cast(pl.String)


# The columns add_display reads, and their types (a frame without one gets it empty).
DISPLAY_INPUTS: dict[str, pl.DataType] = {
    "goods_description": pl.String(), "hs4": pl.String(), "full": pl.Boolean(),
    "reefer": pl.Boolean(), "port_of_loading": pl.String(), "route_unusual_hub": pl.String(),
    "transshipment_ports": pl.String(), "route_listed_hubs": pl.String(),
    "origin_country": pl.String(), "pol_country": pl.String()}


def add_display(frame: pl.DataFrame) -> pl.DataFrame:
    """Port and country names for the rows about to be explained (`_d_*` columns).

    The lookup tables are cut down to the codes these rows use: a replace against all
    62,000 ports costs more than the rest of an explanation.
    """
    frame = frame.with_columns(pl.lit(None, dtype).alias(name)
                               for name, dtype in DISPLAY_INPUTS.items()
                               if name not in frame.columns)
    frame = frame.with_columns(pl.col("transshipment_ports").str.split(";").alias("_hubs"),
                               pl.col("route_listed_hubs").str.split(";").alias("_listed_hubs"))
    codes: set[str] = set()
    for column in ("port_of_loading", "route_unusual_hub"):
        codes.update(frame[column].drop_nulls().unique().to_list())
    codes.update(frame["_hubs"].explode().drop_nulls().unique().to_list())
    names = port_names(codes)

    def port(e: pl.Expr) -> pl.Expr:
        return e.replace_strict(names, default=e, return_dtype=pl.String)

    def port_list(column: str) -> pl.Expr:
        return pl.col(column).list.eval(port(pl.element())).list.join(", ")

    exprs = [_goods("en").alias("_d_goods_en"), _goods("ru").alias("_d_goods_ru"),
             port(pl.col("port_of_loading")).alias("_d_loading"),
             port(pl.col("route_unusual_hub")).alias("_d_unusual_hub"),
             port_list("_hubs").alias("_d_hubs"),
             port(pl.col("_hubs").list.last()).alias("_d_last_hub"),
             port_list("_listed_hubs").alias("_d_listed_hubs")]
    for lang in LANGUAGES:
        table = {c: row.get(f"name_{lang}") or c for c, row in countries().items()}
        for name, column in (("origin", "origin_country"), ("pol_country_name", "pol_country")):
            exprs.append(pl.col(column).replace_strict(table, default=pl.col(column),
                                                       return_dtype=pl.String)
                         .alias(f"_d_{name}_{lang}"))
    frame = frame.with_columns(exprs)
    return frame.with_columns(_cargo(lang).alias(f"_d_cargo_{lang}") for lang in LANGUAGES)


@lru_cache(maxsize=1)
def _port_table() -> pl.DataFrame:
    """LOCODE and name of every vendored port. Read directly (two columns, no Python
    objects): reference.vendored.ports() builds 62,000 records, which cost a third of a
    second the first time a batch was explained."""
    raw = gzip.decompress((DATA_DIR / "ports.csv.gz").read_bytes())
    return pl.read_csv(raw, columns=["locode", "name"], infer_schema=False)


def port_names(codes: set[str]) -> dict[str, str]:
    table = _port_table().filter(pl.col("locode").is_in(sorted(codes)))
    return dict(zip(table["locode"].to_list(), table["name"].to_list(), strict=True))


def _goods(lang: str) -> pl.Expr:
    # "1080 CARTONS OF FRESH BANANAS" reads better as "fresh bananas".
    text = (pl.col("goods_description").str.replace(r"^\d+\s+\S+\s+OF\s+", "")
            .str.to_lowercase().str.slice(0, 40).str.strip_chars())
    return text.fill_null("goods" if lang == "en" else "груз")


def _cargo(lang: str) -> pl.Expr:
    goods = pl.concat_str([pl.col(f"_d_goods_{lang}"), pl.lit(" ("), pl.col("hs4").fill_null("?"),
                           pl.lit(")")])
    reefer = "reefer of " if lang == "en" else "рефконтейнер: "
    empty = "empty container" if lang == "en" else "порожний контейнер"
    return (pl.when(~pl.col("full")).then(pl.lit(empty))
            .when(pl.col("reefer")).then(pl.lit(reefer) + goods).otherwise(goods))


DISPLAY: dict[str, Callable[[str], pl.Expr]] = {
    # Computed by add_display on the rows being explained:
    "goods": lambda lang: pl.col(f"_d_goods_{lang}"),
    "cargo": lambda lang: pl.col(f"_d_cargo_{lang}"),
    "origin": lambda lang: pl.col(f"_d_origin_{lang}"),
    "pol_country_name": lambda lang: pl.col(f"_d_pol_country_name_{lang}"),
    "loading": lambda lang: pl.col("_d_loading"),
    "hubs": lambda lang: pl.col("_d_hubs"),
    "last_hub": lambda lang: pl.col("_d_last_hub"),
    "listed_hubs": lambda lang: pl.col("_d_listed_hubs"),
    "unusual_hub": lambda lang: pl.col("_d_unusual_hub"),
}
