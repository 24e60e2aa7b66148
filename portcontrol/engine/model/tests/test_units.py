"""The small parts: column roles, ratios, history counts, calibration, metrics, reading."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from portcontrol.engine.model import ModelError, at_percents, parse_label, read_table
from portcontrol.engine.model.calibration import apply_platt, fit_platt
from portcontrol.engine.model.columns import (
    CATEGORICAL,
    ENTITY,
    NUMERIC,
    ColumnRole,
    choose_ratios,
    detect_columns,
)
from portcontrol.engine.model.history import auc, fit_history, key_values, lookup_history
from portcontrol.engine.model.table import parse_time

ROWS = 600
_rng = np.random.default_rng(4)


def _text(values) -> list[str | None]:
    return [None if v is None else str(v) for v in values]


ROLE_CASES = [
    ("money", [f"{v:.2f}" for v in _rng.lognormal(5, 1, ROWS)], NUMERIC, False),
    ("repeated amount", [f"{v:.1f}" for v in _rng.integers(0, 400, ROWS) * 2.5], NUMERIC,
     True),
    ("mode code", _text(_rng.choice([10, 20, 40], ROWS)), CATEGORICAL, False),
    ("country", [c or None for c in _rng.choice(["CN", "DE", "US", ""], ROWS)], CATEGORICAL,
     False),
    ("importer", [f"IMP{i}" for i in _rng.integers(0, 300, ROWS)], ENTITY, True),
    # Leading zeros: a code, however numeric it looks; few values: a category.
    ("tariff code", [f"0{i:05d}" for i in _rng.integers(0, 40, ROWS)], CATEGORICAL, False),
]


@pytest.mark.parametrize("name, values, kind, key", ROLE_CASES)
def test_column_roles(name, values, kind, key):
    [role] = detect_columns(pl.DataFrame({name: values}), set(), max_categories=255)
    assert (role.kind, role.key) == (kind, key)


@pytest.mark.parametrize("name, values", [
    ("unique remark", [f"remark {i}" for i in range(ROWS)]),
    ("constant", ["A"] * ROWS),
    ("empty", [None] * ROWS),
])
def test_useless_columns_are_dropped(name, values):
    df = pl.DataFrame({name: values}, schema={name: pl.String})
    assert detect_columns(df, set(), max_categories=255) == []


def test_skipped_columns_are_not_features():
    df = pl.DataFrame({"a": ["1.5", "2.5"] * 5, "b": ["3.5", "4.5"] * 5})
    assert [r.name for r in detect_columns(df, {"a"}, 255)] == ["b"]


def _numeric(*names: str) -> list[ColumnRole]:
    return [ColumnRole(n, NUMERIC, False) for n in names]


@pytest.mark.parametrize("names, expected", [
    (("Item Price", "Net Mass", "Tax Rate"), [("Item Price", "Net Mass")]),
    (("invoice_value", "gross_weight", "packages"),
     [("invoice_value", "gross_weight"), ("invoice_value", "packages")]),
    # No telling names: every pair of the first three numeric columns.
    (("a", "b", "c", "d"), [("a", "b"), ("a", "c"), ("b", "c")]),
    (("a",), []),
])
def test_ratios(names, expected):
    assert choose_ratios(_numeric(*names)) == expected


def test_history_uses_only_strictly_earlier_rows():
    keys = pl.Series(["x", "x", "y", "x", "x", "y"])
    t = np.array([1, 1, 1, 2, 3, 3])
    y = np.array([1, 0, 1, 1, 0, 0])
    history, n, pos, others = fit_history(keys, t, y, ("k",))
    # Same-day rows do not see each other: their outcomes were not known yet.
    assert n.tolist() == [0, 0, 0, 2, 3, 1]
    assert pos.tolist() == [0, 0, 0, 1, 2, 1]
    assert others.tolist() == [3, 3, 1, 3, 3, 1]
    n_new, pos_new = lookup_history(history, pl.Series(["x", "y", "z"]))
    assert n_new.tolist() == [4, 2, 0] and pos_new.tolist() == [2, 1, 0]


def test_pair_keys_keep_missing_values_apart():
    df = pl.DataFrame({"a": ["1", None, "1"], "b": [None, "1", "1"]})
    assert key_values(df, ("a", "b")).n_unique() == 3


def test_auc():
    y = np.array([0, 0, 1, 1])
    assert auc(np.array([0.1, 0.2, 0.8, 0.9]), y) == 1.0
    assert auc(np.array([0.5, 0.5, 0.5, 0.5]), y) == 0.5
    assert auc(np.array([0.9, 0.8, 0.2, 0.1]), y) == 0.0


def test_platt_recovers_a_known_curve_and_keeps_order():
    rng = np.random.default_rng(0)
    raw = rng.normal(0, 2, 20_000)
    y = (rng.random(20_000) < 1 / (1 + np.exp(-(0.5 * raw - 1)))).astype(int)
    a, b = fit_platt(raw, y)
    assert a == pytest.approx(0.5, abs=0.05) and b == pytest.approx(-1, abs=0.1)
    p = apply_platt(np.sort(raw), a, b)
    assert (np.diff(p) >= 0).all()


@pytest.mark.parametrize("y, score, precision, recall", [
    # 100 rows: 1 % is 1 row, 2 % 2 rows, 5 % 5 rows, 10 % 10 rows.
    ([1] * 10 + [0] * 90, list(range(100, 0, -1)),
     {"1": 1.0, "2": 1.0, "5": 1.0, "10": 1.0}, {"1": 0.1, "2": 0.2, "5": 0.5, "10": 1.0}),
    ([0] * 90 + [1] * 10, list(range(100, 0, -1)),
     {"1": 0.0, "2": 0.0, "5": 0.0, "10": 0.0}, {"1": 0.0, "2": 0.0, "5": 0.0, "10": 0.0}),
    ([1, 0] * 50, [1.0] * 100,  # all tied: file order decides, reproducibly
     {"1": 1.0, "2": 0.5, "5": 0.6, "10": 0.5}, {"1": 0.02, "2": 0.02, "5": 0.06, "10": 0.1}),
])
def test_precision_and_recall_at_percents(y, score, precision, recall):
    result = at_percents(np.array(y), np.array(score, dtype=float))
    assert result["precision_at"] == pytest.approx(precision)
    assert result["recall_at"] == pytest.approx(recall)
    assert (result["rows"], result["positives"]) == (100, sum(y))


def test_read_table_strips_bom_and_blanks(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffref, x ,label\nA1, 7 ,1\nA2,,0\n".encode())
    df = read_table(path)
    assert df.columns == ["ref", "x", "label"]
    assert df["x"].to_list() == ["7", None]
    assert parse_label(df, "label").tolist() == [1, 0]


@pytest.mark.parametrize("values, message", [
    (["1", "0", "2"], "row 3 has '2'"),
    (["1", None, "0"], "row 2 has nothing"),
    (["yes", "no", "no"], "row 1 has 'yes'"),
])
def test_label_must_be_zero_or_one(values, message):
    with pytest.raises(ModelError, match=message):
        parse_label(pl.DataFrame({"l": values}, schema={"l": pl.String}), "l")


def test_time_from_dates_or_file_order():
    df = pl.DataFrame({"d": ["2024-01-02", "2024-01-01", "2024-01-02 06:00:00"]})
    t = parse_time(df, "d")
    assert t[1] < t[0] < t[2]
    assert parse_time(df, None).tolist() == [0, 1, 2]
    with pytest.raises(ModelError, match="empty in row 2"):
        parse_time(pl.DataFrame({"d": ["2024-01-01", None]}), "d")


def test_platt_converges_for_a_rare_class_far_from_the_start():
    """Raw scores far below zero and a rare class: a full Newton step from the start ran away
    to slopes of 1e10 (every probability 0 or 1); the damped steps reach the optimum."""
    rng = np.random.default_rng(3)
    raw = rng.normal(-4.5, 1.2, 8_000)
    y = (rng.random(8_000) < 1 / (1 + np.exp(-(1.3 * raw + 1.0)))).astype(int)
    a, b = fit_platt(raw, y)
    assert a == pytest.approx(1.3, abs=0.3) and b == pytest.approx(1.0, abs=1.2)
