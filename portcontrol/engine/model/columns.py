"""Deciding what each input column is, from its values alone (and, for ratios, its name).

Kinds:
- numeric: every value parses as a number and it is either fractional or has many values;
  used as is, and (when its values repeat) also as a key.
- categorical: few distinct values (codes, types, small integer codes); LightGBM splits on
  them natively.
- entity: text with many distinct values that repeat (importer, declarant, seller); used
  only through its history (how often seen, how often found illicit).
A key column gets history encodings; values that never repeat carry no history, so a column
of unique values (a free-text remark, a reference number) is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

NUMERIC, CATEGORICAL, ENTITY = "numeric", "categorical", "entity"

# A value repeats often enough to have a history when there are at most this many distinct
# values per non-empty row.
KEY_MAX_DISTINCT_SHARE = 0.7
# Ratio heuristics: declared money over declared quantity is the classic undervaluation sign.
VALUE_NAME = re.compile(r"price|value|amount|cost|invoice|cif|fob", re.IGNORECASE)
QUANTITY_NAME = re.compile(r"mass|weight|kg|quantity|qty|volume|pieces|packages|units",
                           re.IGNORECASE)
MAX_RATIOS = 6


@dataclass(frozen=True)
class ColumnRole:
    name: str
    kind: str
    key: bool


def detect_columns(df: pl.DataFrame, skip: set[str], max_categories: int) -> list[ColumnRole]:
    """The role of every usable column of a text-typed frame, in file order."""
    roles = []
    for name in df.columns:
        if name in skip:
            continue
        role = _role(df[name], max_categories)
        if role is not None:
            roles.append(role)
    return roles


def _role(column: pl.Series, max_categories: int) -> ColumnRole | None:
    values = column.drop_nulls()
    distinct = values.n_unique()
    if distinct <= 1:
        return None  # constant or empty: nothing to learn from
    repeats = distinct <= KEY_MAX_DISTINCT_SHARE * values.len()
    numbers = values.cast(pl.Float64, strict=False)
    # "007" and "7" are different codes; a number with a leading zero is a code, not a number.
    coded = values.str.contains(r"^[+-]?0\d").any()
    if numbers.null_count() == 0 and not coded:
        whole = bool((numbers == numbers.floor()).all())
        if whole and distinct <= max_categories:
            return ColumnRole(column.name, CATEGORICAL, key=False)
        return ColumnRole(column.name, NUMERIC, key=repeats and distinct > max_categories)
    if distinct <= max_categories:
        return ColumnRole(column.name, CATEGORICAL, key=False)
    if not repeats:
        return None
    return ColumnRole(column.name, ENTITY, key=True)


def choose_ratios(roles: list[ColumnRole]) -> list[tuple[str, str]]:
    """Pairs (numerator, denominator) of numeric columns worth dividing.

    By name first (value per mass); with no such names, every pair of the first three numeric
    columns, since a tree cannot form a ratio itself.
    """
    numeric = [r.name for r in roles if r.kind == NUMERIC]
    values = [n for n in numeric if VALUE_NAME.search(n)]
    quantities = [n for n in numeric if QUANTITY_NAME.search(n) and n not in values]
    pairs = [(v, q) for v in values for q in quantities]
    if not pairs:
        first = numeric[:3]
        pairs = [(a, b) for i, a in enumerate(first) for b in first[i + 1:]]
    return pairs[:MAX_RATIOS]
