"""features.build: a manifest frame in, the same rows with every feature and indicator out."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import polars as pl

from . import containers, derive
from .catalog import INDICATORS
from .config import EngineConfig
from .frame import CSV_SCHEMA, collect, prepare
from .history import History

Alerts = Mapping[str, str] | Collection[str]
# The schema depends only on the configuration (its repr is the key): computed once each.
_SCHEMAS: dict[str, tuple[tuple[str, pl.DataType], ...]] = {}


def build(frame: pl.DataFrame | pl.LazyFrame, history: History | None = None,
          config: EngineConfig | None = None, alerts: Alerts | None = None) -> pl.DataFrame:
    """Input columns (typed and normalised), feature columns, and for every indicator
    `ind_<id>` (score 0..1) and `ind_<id>_case`; rows in input order.

    `alerts`: container numbers named in foreign alerts, or a mapping number -> source text.
    """
    config = config or EngineConfig()
    history = history if history is not None else History()
    lookups = derive.on_combos(history, config)

    def on_codes(combos: pl.LazyFrame) -> pl.LazyFrame:
        made: dict[str, pl.Expr] = {}
        for indicator in INDICATORS:
            made.update(indicator.code_features(config))
        return lookups(combos).with_columns(**made)

    base = containers.attach(prepare(frame, config, on_codes), history, config, alerts)
    lf = derive.attach(base, history, config).lazy()
    made: dict[str, pl.Expr] = {}
    for indicator in INDICATORS:
        made.update(indicator.features(config))
    lf = lf.with_columns(**made)
    scores, chosen = [], []
    for indicator in INDICATORS:
        score, case = indicator.evaluate(config)
        scores.append(score.alias(indicator.column))
        chosen.append(pl.when(pl.col(indicator.column) > 0).then(case)
                      .alias(indicator.case_column))
    # Two steps so that each score is computed once, not again inside its case.
    return collect(lf.with_columns(scores).with_columns(chosen))


def schema(config: EngineConfig | None = None) -> dict[str, pl.DataType]:
    """Column name -> type of everything `build` returns for a full input frame; the fields a
    rule may name (columns starting with '_' are internal and left out)."""
    key = repr(config or EngineConfig())
    return dict(_schema(key, config or EngineConfig()))


def _schema(key: str, config: EngineConfig) -> tuple[tuple[str, pl.DataType], ...]:
    if key in _SCHEMAS:
        return _SCHEMAS[key]
    empty = pl.DataFrame(schema={**CSV_SCHEMA})
    out = build(empty, History(), config).schema
    result = tuple((n, d) for n, d in out.items() if not n.startswith("_"))
    _SCHEMAS[key] = result
    return result


