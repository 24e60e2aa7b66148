"""Row weights for the calibration: a history of inspected containers, most of them picked
because they scored high, calibrated so that the probability holds for the whole traffic."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from portcontrol.engine import model as M
from portcontrol.engine.model.calibration import apply_platt, fit_platt
from portcontrol.engine.model.errors import ModelError
from portcontrol.engine.model.table import parse_weight

from .synth import DATE, ID, LABEL, later_history, make_history


@pytest.mark.parametrize("values, expected", [
    (["1", "2.5", "40"], [1.0, 2.5, 40.0]),
    (["", None, " 3 "], [1.0, 1.0, 3.0]),  # empty counts one
    (["1e2", "0.25", "1"], [100.0, 0.25, 1.0]),
])
def test_weights_read_as_positive_numbers(values, expected):
    df = pl.DataFrame({"w": values}, schema={"w": pl.String})
    assert parse_weight(df, "w").tolist() == expected


@pytest.mark.parametrize("values, message", [
    (["1", "0", "2"], "row 2 has '0'"),
    (["-1", "1", "2"], "row 1 has '-1'"),
    (["1", "2", "many"], "row 3 has 'many'"),
    (["nan", "1", "1"], "row 1 has 'nan'"),
    (["1", "inf", "1"], "row 2 has 'inf'"),
])
def test_weights_that_are_not_positive_numbers_are_refused(values, message):
    with pytest.raises(ModelError, match=f"weight column 'w' must hold positive numbers; "
                                         f"{message}"):
        parse_weight(pl.DataFrame({"w": values}, schema={"w": pl.String}), "w")


def test_no_weight_column_means_no_weights():
    assert parse_weight(pl.DataFrame({"x": ["1"]}), None) is None
    with pytest.raises(ModelError, match="weight column 'w' not in the data"):
        parse_weight(pl.DataFrame({"x": ["1"]}), "w")


def test_weights_of_one_fit_the_unweighted_curve():
    rng = np.random.default_rng(4)
    raw = rng.normal(0, 2, 5_000)
    y = (rng.random(5_000) < 1 / (1 + np.exp(-(0.8 * raw - 2)))).astype(int)
    assert fit_platt(raw, y, weights=np.ones(5_000)) == pytest.approx(fit_platt(raw, y))


def test_weighted_calibration_holds_for_the_whole_traffic():
    """A unit inspects the highest risks, and its risk knows more than the model's score
    (rules, watchlists: `hidden`), plus a random 2 % of the rest. Fitted on the inspected
    rows alone, the curve gives the hit rate among rows like the inspected ones, four times
    the traffic's; weighted by 1 / chance of inspection, it gives the traffic's."""
    rng = np.random.default_rng(1)
    raw, hidden = rng.normal(0, 1.5, 200_000), rng.normal(0, 1, 200_000)
    y = (rng.random(len(raw)) < 1 / (1 + np.exp(-(raw + 1.5 * hidden - 5.5)))).astype(int)
    risk = raw + 1.5 * hidden
    top = risk >= np.quantile(risk, 0.97)
    drawn = ~top & (rng.random(len(raw)) < 0.02)
    rows = np.flatnonzero(top | drawn)
    weights = np.where(top[rows], 1.0, 1 / 0.02)
    plain = fit_platt(raw[rows], y[rows])
    weighted = fit_platt(raw[rows], y[rows], weights=weights)
    rate = y.mean()
    assert apply_platt(raw, *plain).mean() > 3 * rate
    assert apply_platt(raw, *weighted).mean() == pytest.approx(rate, rel=0.2)


def test_training_with_weights_calibrates_for_the_traffic():
    """The pipeline end to end. Inspected: rows the unit's intelligence points at (it knows
    more than the declaration: a found row is picked with chance 0.6, another with 0.04),
    weight 1, and a random tenth of the others, weight 10. The weight is never a feature.
    Scored on later traffic, the weighted model's mean probability comes close to the
    traffic's hit rate; the unweighted one's is far above it. Both rank alike."""
    traffic = make_history(rows=20_000, seed=8, days=300)
    rng = np.random.default_rng(9)
    found = traffic[LABEL].cast(pl.Int8).to_numpy() == 1
    picked = rng.random(traffic.height) < np.where(found, 0.6, 0.04)
    drawn = ~picked & (rng.random(traffic.height) < 0.1)
    rows = np.flatnonzero(picked | drawn)
    inspected = traffic[rows].with_columns(
        pl.Series("w", np.where(picked[rows], "1", "10")))
    plain = M.train(inspected.drop("w"), label=LABEL, id=ID, date=DATE, exclude=("remark",))
    weighted = M.train(inspected, label=LABEL, id=ID, date=DATE, exclude=("remark",),
                       weight="w")
    assert "w" not in weighted.state.input_columns
    assert weighted.training["calibration"]["weighted"] is True
    assert weighted.training["calibration"]["rows_weighing_more"] >= 20
    assert weighted.training["calibration"]["weighted_rows"] > \
        weighted.training["validation_rows"]
    later = later_history(rows=6_000, seed=10)
    rate = float(later[LABEL].cast(pl.Int8).mean())
    p_plain, p_weighted = M.score(plain, later.drop(LABEL)), M.score(weighted, later.drop(LABEL))
    assert p_plain.mean() > 1.6 * rate
    assert p_weighted.mean() == pytest.approx(rate, rel=0.2)
    assert np.array_equal(np.argsort(p_plain, kind="stable"),
                          np.argsort(p_weighted, kind="stable"))


def test_too_few_heavy_rows_leave_the_calibration_unweighted():
    """Two random picks standing for hundreds of containers each would swing every ordinary
    container's probability on two outcomes: below `min_reweighted_rows` heavy validation
    rows the weights are recorded but not used."""
    traffic = make_history(rows=6_000, seed=12)
    weights = ["1"] * traffic.height
    weights[-1] = weights[-3] = "500"  # two heavy rows, both among the latest
    weighted = M.train(traffic.with_columns(pl.Series("w", weights)), label=LABEL, id=ID,
                       date=DATE, exclude=("remark",), weight="w")
    plain = M.train(traffic, label=LABEL, id=ID, date=DATE, exclude=("remark",))
    assert weighted.training["calibration"] == {
        "weighted": False, "weighted_rows": float(weighted.training["validation_rows"]),
        "rows_weighing_more": 2, "min_rows_weighing_more": 20}
    assert weighted.calibration == plain.calibration
    lowered = M.train(traffic.with_columns(pl.Series("w", weights)), label=LABEL, id=ID,
                      date=DATE, exclude=("remark",), weight="w",
                      options=M.TrainOptions(min_reweighted_rows=2))
    assert lowered.training["calibration"]["weighted"] is True
    assert lowered.calibration != plain.calibration
