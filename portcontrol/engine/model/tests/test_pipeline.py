"""The pipeline end to end on synthetic data: it finds the planted signal, scores without
labels, explains additively, and is deterministic."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from portcontrol.engine.model import (
    at_percents,
    contributions,
    explain,
    explain_texts,
    load,
    parse_label,
    raw_scores,
    score,
    scores_frame,
    train,
)
from portcontrol.engine.model.training import _time_split

from .conftest import FAST
from .synth import DATE, ID, LABEL, make_history


def test_finds_the_planted_signal(model, later):
    y = parse_label(later, LABEL)
    result = at_percents(y, score(model, later))
    base = y.mean()
    assert result["precision_at"]["10"] > 2.5 * base, (base, result)
    assert result["rows"] == later.height


def test_scores_are_probabilities(model, later):
    s = score(model, later)
    assert s.shape == (later.height,)
    assert ((s > 0) & (s < 1)).all()
    # Calibrated: the mean probability is near the observed rate on later data.
    assert abs(s.mean() - parse_label(later, LABEL).mean()) < 0.05


def test_round_trip_gives_identical_scores(model, model_dir, later):
    loaded = load(model_dir)
    assert loaded.state.names == model.state.names
    assert (loaded.label, loaded.id, loaded.date) == (LABEL, ID, DATE)
    np.testing.assert_array_equal(score(loaded, later), score(model, later))


def _shuffled(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.col(LABEL).shuffle(seed=3))


@pytest.mark.parametrize("variant", [
    pytest.param(lambda df: df.drop(LABEL), id="label column absent"),
    pytest.param(_shuffled, id="labels shuffled"),
    pytest.param(lambda df: df.with_columns(pl.lit("1").alias(LABEL)), id="all labels 1"),
    pytest.param(lambda df: df.with_columns(pl.lit("??").alias(LABEL)), id="labels garbage"),
])
def test_scoring_never_reads_labels(model, later, variant):
    np.testing.assert_array_equal(score(model, variant(later)), score(model, later))


def test_a_column_the_model_was_not_trained_on_changes_nothing(model, later):
    """A model trained before a column existed (the hub dwell, say) scores the same rows
    the same when the table has that column."""
    wider = later.with_columns(pl.lit("12").alias("hub_dwell_days"))
    np.testing.assert_array_equal(score(model, wider), score(model, later))


def test_each_row_is_scored_on_its_own(model, later):
    """Neither the other rows of a batch nor their order change a row's score."""
    whole = score(model, later)
    reversed_ = score(model, later.reverse())[::-1]
    np.testing.assert_array_equal(whole[:50], score(model, later.head(50)))
    np.testing.assert_array_equal(whole, reversed_)


def test_scores_frame_keeps_ids_and_order(model, later):
    out = scores_frame(model, later.drop(LABEL))
    assert out.columns == [ID, "score"]
    assert out[ID].to_list() == later[ID].to_list()


def test_contributions_add_up_to_the_raw_score(model, later):
    parts = contributions(model, later.head(200))
    assert parts.shape == (200, len(model.state.features) + 1)
    np.testing.assert_allclose(parts.sum(axis=1), raw_scores(model, later.head(200)),
                               rtol=1e-6, atol=1e-6)


def test_explanations_name_input_columns_strongest_first(model, later):
    rows = explain(model, later.head(20), top=3)
    inputs = set(later.columns) - {LABEL, ID}
    for factors in rows:
        assert len(factors) == 3
        sizes = [abs(f.contribution) for f in factors]
        assert sizes == sorted(sizes, reverse=True)
        for factor in factors:
            assert set(factor.name.split(" & ")) <= inputs, factor.name
            assert "=" in factor.text()


def test_unique_text_column_is_not_a_feature(model):
    assert all("remark" not in f.sources for f in model.state.features)
    assert all(ID not in f.sources and LABEL not in f.sources for f in model.state.features)


def test_training_is_deterministic(history, model):
    again = train(history, label=LABEL, id=ID, date=DATE, options=FAST)
    assert again.booster.model_to_string() == model.booster.model_to_string()
    assert again.calibration == model.calibration


def test_training_rows_come_before_validation_rows(model, history):
    summary = model.training
    assert summary["fit_rows"] + summary["validation_rows"] == history.height
    assert summary["validation_rows"] == pytest.approx(0.2 * history.height, rel=0.1)


@pytest.mark.parametrize("t, expected_early", [
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1] * 8 + [0] * 2),
    # The cut falls inside a date: that whole date goes to validation, never split.
    ([1, 1, 2, 2, 2, 2, 3, 3, 3, 3], [1] * 6 + [0] * 4),
    ([1, 2, 3, 4, 4, 4, 4, 4, 4, 5], [1] * 3 + [0] * 7),
])
def test_time_split_cuts_on_a_date_boundary(t, expected_early):
    # Four rows per step, two of each class, so both parts can learn and calibrate.
    y = np.tile([1, 1, 0, 0], len(t))
    early = _time_split(np.repeat(t, 4), y, 0.2)
    assert early.astype(int).tolist() == np.repeat(expected_early, 4).tolist()


def test_training_sorts_by_date(history):
    """A file in any order gives the same model as the same file sorted by date."""
    shuffled = history.sample(fraction=1.0, shuffle=True, seed=5)
    a = train(history, label=LABEL, id=ID, date=DATE, options=FAST)
    b = train(shuffled, label=LABEL, id=ID, date=DATE, options=FAST)
    later_rows = history.tail(100)
    np.testing.assert_array_equal(score(a, later_rows), score(b, later_rows))


def test_explanation_texts_are_the_factors_texts(model, later):
    rows = later.head(60).with_columns(pl.when(pl.int_range(pl.len()) % 7 == 0)
                                       .then(None).otherwise(pl.col("trader")).alias("trader"))
    texts = explain_texts(model, rows, top=3)
    assert texts.to_list() == ["; ".join(f.text() for f in factors)
                               for factors in explain(model, rows, top=3)]
    assert explain_texts(model, rows.head(0)).to_list() == []


def test_typed_numbers_and_dates_score_as_their_text(model, later):
    """A frame whose numbers are numbers and whose date is a date (as the risk engine holds
    them) scores exactly as the same frame written as text."""
    typed = later.with_columns(pl.col("kilos", "declared_value").cast(pl.Float64),
                               pl.col(DATE).str.to_date())
    np.testing.assert_array_equal(score(model, typed), score(model, later))
    np.testing.assert_array_equal(contributions(model, typed.head(50)),
                                  contributions(model, later.head(50)))


def test_scoring_encodes_as_training_does(model, later):
    """transform (one polars query) gives the matrix that the training code's building blocks
    give for a scored frame: plain features, then each history looked up in turn."""
    from portcontrol.engine.model import features as fe
    from portcontrol.engine.model.history import key_values, lookup_history
    from portcontrol.engine.model.table import parse_time

    rows = later.with_columns(pl.when(pl.int_range(pl.len()) % 5 == 0).then(None)
                              .otherwise(pl.col("kilos")).alias("kilos"))
    t = parse_time(rows, model.date)
    state = model.state
    columns = fe._plain_features(state, rows, t)
    keyed = fe._key_frame(rows, state.roles)
    for history in state.histories:
        n, pos = lookup_history(history, key_values(keyed, history.columns))
        columns.update(fe._history_features(state, history, n, pos, n))
    assert list(columns) == state.features
    np.testing.assert_array_equal(fe.transform(state, rows, t), fe._matrix(columns))


def test_history_keys_with_the_separator_still_match(model, later):
    """Coded history lookups (features._coded_histories) find exactly what the joined text
    keys find, also for values that hold the key separator."""
    from portcontrol.engine.model import features as fe
    from portcontrol.engine.model.history import SEPARATOR
    from portcontrol.engine.model.table import parse_time

    def agent(df: pl.DataFrame) -> pl.DataFrame:  # a second key column, so pairs form
        return df.with_columns(("A" + (pl.col(ID).str.slice(3).cast(pl.Int64) % 400)
                                .cast(pl.String)).alias("agent"))

    odd = agent(later).with_columns(pl.when(pl.int_range(pl.len()) % 3 == 0)
                                    .then(pl.col("trader") + SEPARATOR + "x")
                                    .otherwise(pl.col("trader")).alias("trader"))
    history = pl.concat([agent(make_history()), odd.head(400)])
    trained = train(history, label=LABEL, id=ID, date=DATE, options=FAST)
    rows = odd.tail(600)
    t = parse_time(rows, trained.date)
    state = trained.state
    columns = fe._plain_features(state, rows, t)
    keyed = fe._key_frame(rows, state.roles)
    from portcontrol.engine.model.history import key_values, lookup_history
    for h in state.histories:
        n, pos = lookup_history(h, key_values(keyed, h.columns))
        columns.update(fe._history_features(state, h, n, pos, n))
    coded = fe._coded_histories(state)
    assert len(state.histories) == 3 and len(coded.tables) == 2  # the pair keeps its text
    np.testing.assert_array_equal(fe.transform(state, rows, t), fe._matrix(columns))
