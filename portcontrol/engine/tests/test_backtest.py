"""Backtesting draft rules on a featured history with outcomes."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from portcontrol.engine import features as F
from portcontrol.engine.backtest import backtest, backtest_many
from portcontrol.engine.rules import Rule, RuleError

from .helpers import CONFIG, frame, history, line


@pytest.fixture(scope="module")
def past_outcomes() -> pl.DataFrame:
    """Ten lines over two months: four reefers from Ecuador (three inspected, two seizures),
    six ordinary lines (three inspected, one seizure), one reefer long ago."""
    rows = []
    for i in range(4):
        rows.append(line(i, origin_country="EC", reefer="1", size_type="45R1",
                         eta=f"2026-11-{10 + i:02d}T00:00:00Z", port_of_call="GEPTI"))
    for i in range(4, 10):
        rows.append(line(i, eta=f"2026-11-{10 + i:02d}T00:00:00Z",
                         port_of_call="PKKHI" if i % 2 else "GEPTI"))
    rows.append(line(10, origin_country="EC", reefer="1", size_type="45R1",
                     eta="2026-08-01T00:00:00Z"))
    built = F.build(frame(*rows), history(), CONFIG)
    return built.with_columns(
        pl.Series("inspected", [True, True, True, False, True, True, True, False, False,
                                False, True]),
        pl.Series("seizure", [True, True, False, False, True, False, False, False, False,
                              False, True]))


def test_counts_over_the_window(past_outcomes: pl.DataFrame) -> None:
    result = backtest('reefer and origin_country == "EC"', past_outcomes, days=30,
                      until=date(2026, 11, 30))
    assert (result.containers, result.hits, result.inspections, result.seizures) == \
        (10, 4, 3, 2)
    assert result.hit_rate == pytest.approx(2 / 3)
    assert result.base_hit_rate == pytest.approx(3 / 6)
    assert result.lift == pytest.approx((2 / 3) / (3 / 6))
    assert result.since == date(2026, 11, 1)
    assert result.to_dict()["until"] == "2026-11-30"


def test_window_defaults_to_the_last_days_of_the_history(past_outcomes: pl.DataFrame) -> None:
    everything = backtest("reefer", past_outcomes, days=365)
    assert (everything.hits, everything.seizures) == (5, 3)
    assert everything.until == date(2026, 11, 19)


def test_many_rules_in_one_pass_with_units(past_outcomes: pl.DataFrame) -> None:
    rules = [Rule("all", "not reefer", 0.1), Rule("poti", "not reefer", 0.1, unit="GEPTI"),
             Rule("none", 'origin_country == "ZZ"', 0.1)]
    results = backtest_many(rules, past_outcomes, days=30, until=date(2026, 11, 30))
    assert [(r.rule_id, r.containers, r.hits, r.inspections, r.seizures)
            for r in results] == [("all", 10, 6, 3, 1), ("poti", 7, 3, 2, 1),
                                  ("none", 10, 0, 0, 0)]
    assert results[2].hit_rate is None and results[2].lift is None


def test_weighted_hit_rate_when_selection_probabilities_exist(
        past_outcomes: pl.DataFrame) -> None:
    weighted = past_outcomes.with_columns(
        pl.Series("selection_probability", [1.0, 0.5, 0.25] + [1.0] * 8))
    result = backtest('reefer and origin_country == "EC"', weighted, days=30,
                      until=date(2026, 11, 30))
    assert result.hit_rate_ipw == pytest.approx((1 + 2) / (1 + 2 + 4))


def test_bad_draft_and_missing_outcomes(past_outcomes: pl.DataFrame) -> None:
    with pytest.raises(RuleError, match="rule draft: unknown field 'reefr'"):
        backtest("reefr", past_outcomes)
    with pytest.raises(ValueError, match="'seizure' column"):
        backtest("reefer", past_outcomes.drop("seizure"))
