"""The tabulated TreeSHAP (shap.py) gives LightGBM's own pred_contrib, for every row: missing
values, categories never seen, zero as missing, depths up to the tabulation limit."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from portcontrol.engine.model import contributions
from portcontrol.engine.model import shap
from portcontrol.engine.model.scoring import matrix


def _data(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Numbers with NaNs and exact zeros, and two categorical columns with NaN codes."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([
        rng.normal(size=rows),
        rng.lognormal(size=rows),
        rng.integers(0, 12, rows).astype(float),  # categorical
        rng.integers(0, 40, rows).astype(float),  # categorical, many values
        np.where(rng.random(rows) < 0.3, 0.0, rng.normal(size=rows)),
    ])
    y = ((x[:, 0] + np.isin(x[:, 2], [1, 5, 7]) + 0.5 * (x[:, 3] % 3 == 0)
          + 0.3 * x[:, 4] + rng.normal(0, 0.7, rows)) > 1.2).astype(int)
    x[rng.random(x.shape) < 0.08] = np.nan
    return x, y


def _booster(depth: int, leaves: int, *, zero_as_missing: bool = False, rounds: int = 40
             ) -> lgb.Booster:
    x, y = _data(3000, 1)
    params = {"objective": "binary", "max_depth": depth, "num_leaves": leaves,
              "learning_rate": 0.2, "min_data_in_leaf": 10, "verbosity": -1, "seed": 3,
              "deterministic": True, "num_threads": 1, "zero_as_missing": zero_as_missing,
              "max_cat_to_onehot": 4, "cat_smooth": 1, "min_data_per_group": 5}
    data = lgb.Dataset(x, label=y, categorical_feature=[2, 3], params={"verbosity": -1})
    return lgb.train(params, data, num_boost_round=rounds)


def _rows() -> np.ndarray:
    x, _ = _data(2500, 2)
    # categories never seen in training, negative and fractional codes, huge numbers
    x[:40, 2] = 99.0
    x[40:60, 3] = -1.0
    x[60:80, 3] = 3.7
    x[80:90, 3] = -0.5
    x[90:100, 0] = 1e300
    x[100:110, 4] = -0.0
    return x


@pytest.mark.parametrize(("depth", "leaves", "zero_as_missing"), [
    (1, 2, False), (2, 4, False), (3, 8, False), (3, 8, True), (4, 13, False), (-1, 12, False),
])
def test_same_values_as_lightgbm(depth, leaves, zero_as_missing):
    booster = _booster(depth, leaves, zero_as_missing=zero_as_missing)
    assert shap.supported(booster)
    x = _rows()
    mine = shap.contributions(booster, x)
    theirs = booster.predict(x, pred_contrib=True)
    np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(shap.leaves(booster, x[:300]),
                                  booster.predict(x[:300], pred_leaf=True))


def test_splits_are_decided_as_lightgbm_decides():
    booster = _booster(3, 8, rounds=60)
    x = _rows()
    np.testing.assert_array_equal(shap.leaves(booster, x), booster.predict(x, pred_leaf=True))


def test_deep_trees_go_to_lightgbm():
    booster = _booster(-1, 31, rounds=5)
    assert not shap.supported(booster)
    x = _rows()[:50]
    np.testing.assert_array_equal(shap.contributions(booster, x),
                                  booster.predict(x, pred_contrib=True))


def test_chunks_do_not_change_the_values(monkeypatch):
    booster = _booster(3, 8)
    x = _rows()
    whole = shap.contributions(booster, x)
    monkeypatch.setattr(shap, "CHUNK_CELLS", 7)
    np.testing.assert_array_equal(shap.contributions(booster, x), whole)


def test_empty_input():
    booster = _booster(3, 8)
    assert shap.contributions(booster, np.zeros((0, 5))).shape == (0, 6)


def test_model_contributions_match_lightgbm(model, later):
    x = matrix(model, later)
    np.testing.assert_allclose(contributions(model, later),
                               model.booster.predict(x, pred_contrib=True),
                               rtol=1e-9, atol=1e-9)
