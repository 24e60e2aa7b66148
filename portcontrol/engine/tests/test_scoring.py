"""Scoring: bounded, monotone, and explained (top reasons, both languages, top rows only)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcontrol.engine import features as F
from portcontrol.engine.rules import Rule, apply_rules
from portcontrol.engine.scoring import (REASONS, RISK, ScoringConfig, combine, explain,
                                        explain_where, score)

from .helpers import CONFIG, frame, history, line

unit = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(unit, min_size=1, max_size=12), st.integers(0, 11), unit)
def test_combination_is_bounded_and_monotone(terms: list[float], which: int,
                                             extra: float) -> None:
    which %= len(terms)
    raised = list(terms)
    raised[which] = min(1.0, raised[which] + extra)
    df = pl.DataFrame({"a": [0.0]})
    before = df.select(combine([pl.lit(t) for t in terms]))[0, 0]
    after = df.select(combine([pl.lit(t) for t in raised]))[0, 0]
    assert 0.0 <= before <= after <= 1.0
    assert before >= max(terms) - 1e-12  # one strong reason alone is enough


def _indicator_frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for ind in F.INDICATORS:
        values = rng.random(n) * (rng.random(n) < 0.3)
        cols[ind.column] = values
        cols[ind.case_column] = pl.Series([0 if v > 0 else None for v in values],
                                          dtype=pl.Int8)
    cols["watchlist_score"] = rng.random(n) * (rng.random(n) < 0.05)
    cols["model_probability"] = rng.random(n)
    return pl.DataFrame(cols)


@pytest.mark.parametrize("column", [i.column for i in F.INDICATORS]
                         + ["watchlist_score", "model_probability"])
def test_raising_any_input_never_lowers_the_risk(column: str) -> None:
    df = _indicator_frame(500, 1)
    config = ScoringConfig(explain_share=0.0, explain_min=0)
    before = score(df, config=config)[RISK]
    raised = df.with_columns((pl.col(column) + 0.3).clip(0.0, 1.0))
    after = score(raised, config=config)[RISK]
    assert ((after - before) >= -1e-12).all()
    assert before.min() >= 0.0 and after.max() <= 1.0


def test_a_rule_hit_raises_the_risk_by_its_weight() -> None:
    df = pl.DataFrame({"rule_R1": [False, True], "ind_route": [0.5, 0.5],
                       "ind_route_case": pl.Series([0, 0], dtype=pl.Int8)})
    rule = Rule("R1", "reefer", 0.4)
    risk = score(df, [rule], ScoringConfig(explain_min=0))[RISK].to_list()
    w = F.BY_ID["route"].weight * 0.5
    assert risk == pytest.approx([w, 1 - (1 - w) * 0.6])


@pytest.fixture(scope="module")
def explained() -> pl.DataFrame:
    suspicious = line(0, origin_country="EC", port_of_loading="ECGYE", reefer="1",
                      size_type="45R1", transshipment_ports="ESALG", value=2000.0,
                      vgm_kg=30000.0, consignee_name="Brand New LLC", freight_terms="CASH")
    rows = frame(suspicious, line(1), line(2, consignee_name="Another New LLC"))
    rows = rows.with_columns(
        pl.Series("watchlist_score", [0.85, None, 0.0]),
        pl.Series("watchlist_explanation", ["BRAND NEW LLC (listed company, KZ)", None, None]),
        pl.Series("model_probability", [0.42, 0.01, 0.05]),
        pl.Series("model_factors", [["origin_country = EC (+1.20)", "hs_code (+0.40)"],
                                    [], []]))
    built = F.build(rows, history(), CONFIG)
    rules = [Rule("R7", 'reefer and origin_country == "EC"', 0.5, "Reefer from Ecuador",
                  "Рефконтейнер из Эквадора")]
    return score(apply_rules(built, rules, on=date(2026, 11, 23)), rules,
                 ScoringConfig(explain_min=3))


def test_reasons_are_the_top_five_largest_first(explained: pl.DataFrame) -> None:
    reasons = explained[REASONS][0].to_list()
    assert len(reasons) == 5
    scores = [r["score"] for r in reasons]
    assert scores == sorted(scores, reverse=True)
    assert reasons[0] == {
        "kind": "watchlist", "id": "watchlist", "score": pytest.approx(0.9 * 0.85),
        "text_en": "watchlist match: BRAND NEW LLC (listed company, KZ)",
        "text_ru": "совпадение со списком наблюдения: BRAND NEW LLC (listed company, KZ)"}
    kinds = {r["id"]: r for r in reasons}
    assert kinds["vgm_mismatch"] == {
        "kind": "indicator", "id": "vgm_mismatch", "score": 0.35,
        "text_en": "VGM 30000 kg is 22 % above the declared gross mass 24600 kg",
        "text_ru": "VGM 30000 кг на 22 % больше заявленной массы брутто 24600 кг"}
    assert kinds["R7"]["text_ru"] == "правило R7: Рефконтейнер из Эквадора"
    json.dumps(explained[REASONS].to_list(), ensure_ascii=False)  # storable as it is


def test_model_factors_appear_in_the_explanation(explained: pl.DataFrame) -> None:
    everything = explain(explained, [Rule("R7", "reefer", 0.5)],
                         ScoringConfig(top_reasons=50))[0].to_list()
    model = next(r for r in everything if r["kind"] == "model")
    assert model["text_en"] == ("model probability 0.42; top factors: origin_country = EC "
                                "(+1.20); hs_code (+0.40)")
    assert model["text_ru"].startswith("вероятность по модели 0.42; главные факторы:")
    assert model["score"] == pytest.approx(0.8 * 0.42)


def test_risk_orders_the_lines(explained: pl.DataFrame) -> None:
    risk = explained[RISK].to_list()
    assert risk[0] > risk[2] > risk[1] > 0


def test_only_the_top_share_is_explained() -> None:
    df = _indicator_frame(1000, 2)
    out = score(df, config=ScoringConfig(explain_share=0.05, explain_min=10))
    has = out[REASONS].is_not_null()
    assert has.sum() == 50
    threshold = out.filter(has)[RISK].min()
    assert out.filter(~has)[RISK].max() <= threshold
    assert all(len(r) <= 5 for r in out.filter(has)[REASONS].to_list())


def test_rows_below_the_explained_share_can_be_explained_too() -> None:
    """A day's selection can reach below the batch's explained share: those rows get their
    reasons afterwards, the same as explain() gives them; the others are left as they were."""
    df = _indicator_frame(1000, 4)
    out = score(df, config=ScoringConfig(explain_share=0.05, explain_min=10))
    wanted = pl.Series([i % 7 == 0 for i in range(1000)])
    more = explain_where(out.with_columns(wanted.alias("_wanted")), pl.col("_wanted"))
    before, after = out[REASONS].to_list(), more[REASONS].to_list()
    everything = explain(df).to_list()
    for i in range(1000):
        if before[i] is not None:
            assert after[i] == before[i]
        elif wanted[i]:
            assert after[i] == everything[i]
        else:
            assert after[i] is None
    assert more[REASONS].is_not_null().sum() > out[REASONS].is_not_null().sum()
    # nothing wanted: the frame comes back as it was
    assert explain_where(out, pl.lit(False)).equals(out)


def test_explain_any_rows_even_without_reasons() -> None:
    built = F.build(frame(line(0)), history(), CONFIG)
    assert explain(built).to_list() == [[]]
    assert score(built)[REASONS].to_list() == [None]  # risk 0: nothing to explain


def test_weights_outside_zero_one_are_refused() -> None:
    df = _indicator_frame(5, 3)
    with pytest.raises(ValueError, match="weight of indicator route"):
        score(df, config=ScoringConfig(indicator_weights={"route": 1.5}))


def test_model_factors_may_be_one_text() -> None:
    df = pl.DataFrame({"model_probability": [0.9], "model_factors": ["value (+2.00)"]})
    reasons = score(df, config=ScoringConfig(explain_min=1))[REASONS][0].to_list()
    assert reasons[0]["text_en"] == "model probability 0.9; top factors: value (+2.00)"
