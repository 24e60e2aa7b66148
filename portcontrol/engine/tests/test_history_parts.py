"""A History made of parts (the lines of some days each) is exactly the History of all their
lines: risk.history keeps a part per week and makes the year's History from them."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from portcontrol.engine import features as F
from portcontrol.engine.features.history import SCHEMAS
from portcontrol.generator.api import generate

from .helpers import CONFIG


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[pl.DataFrame, pl.DataFrame]:
    out = Path(tmp_path_factory.mktemp("history-parts"))
    generate(out, containers=4000, seed=11, start=date(2026, 9, 1), days=21)
    lines = F.read_csv(out / "containers.csv")
    labels = pl.read_csv(out / "ground_truth.csv", infer_schema=False).select(
        "container_number", "voyage_id", pl.lit(True).alias("seizure"))
    assert labels.height > 0
    return lines, labels


def _by_day(lines: pl.DataFrame) -> list[pl.DataFrame]:
    return lines.with_columns(pl.col("eta").str.slice(0, 10).alias("_day")).partition_by(
        "_day", maintain_order=True, include_key=False)


def _by_week(lines: pl.DataFrame) -> list[pl.DataFrame]:
    week = pl.col("eta").str.slice(0, 10).str.to_date().dt.truncate("1w")
    return lines.with_columns(week.alias("_w")).partition_by("_w", include_key=False)


def _halves(lines: pl.DataFrame) -> list[pl.DataFrame]:
    return [lines.head(lines.height // 2), lines.tail(lines.height - lines.height // 2)]


def _scattered(lines: pl.DataFrame) -> list[pl.DataFrame]:
    """Lines dealt at random into five parts: a bill's lines end up in several of them."""
    rng = random.Random(5)
    part = pl.Series("_p", [rng.randrange(5) for _ in range(lines.height)])
    return lines.with_columns(part).partition_by("_p", include_key=False)


def _with_empty(lines: pl.DataFrame) -> list[pl.DataFrame]:
    return [lines.head(0), *_halves(lines), lines.head(0)]


@pytest.mark.parametrize("split", [_by_day, _by_week, _halves, _scattered, _with_empty])
@pytest.mark.parametrize("labelled", [True, False])
def test_parts_make_the_history_of_all_their_lines(generated, split, labelled) -> None:
    lines, labels = generated
    labels = labels if labelled else None
    whole = F.History.from_frame(lines, labels=labels, config=CONFIG)
    parts = [F.HistoryPart.from_frame(p, labels=labels, config=CONFIG) for p in split(lines)]
    merged = F.History.from_parts(parts, CONFIG)
    assert merged.as_of == whole.as_of == date.fromisoformat(lines["eta"].max()[:10])
    for name, table in whole.tables.items():
        assert table.height > 0, name
        assert dict(table.schema) == SCHEMAS[name], name
        assert_frame_equal(merged.table(name), table, check_exact=False, rel_tol=1e-12)
    if labelled:
        assert whole.table("parties")["seizures"].sum() > 0


def test_no_parts_or_only_empty_ones_make_an_empty_history() -> None:
    assert F.History.from_parts([]).empty
    empty = F.HistoryPart.from_frame(pl.DataFrame(schema=F.CSV_SCHEMA), config=CONFIG)
    assert empty.empty and F.History.from_parts([empty, empty], CONFIG).empty


def test_recent_boxes_span_parts(generated) -> None:
    """The clone window (the days before the last ETA) reaches into earlier parts."""
    lines, _ = generated
    days = _by_day(lines)
    merged = F.History.from_parts([F.HistoryPart.from_frame(d, config=CONFIG) for d in days],
                                  CONFIG)
    recent = merged.table("recent")
    last = recent["eta"].max()
    assert recent["eta"].min() >= last - timedelta(days=CONFIG.clone_window_days)
    assert recent["eta"].dt.date().n_unique() > 1  # ships of several days, several parts
