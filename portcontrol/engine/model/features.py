"""Generic feature engineering for any declaration table.

From the columns' roles (columns.py) the features are:
- numeric columns as numbers, and ratios of value-like over quantity-like columns;
- categorical columns as LightGBM categories (codes from the training vocabulary);
- the weekday of the date column;
- for every key column (importer, declarant, HS code, exact declared value ...) and for every
  pair of the most telling key columns: the smoothed illicit rate of earlier declarations with
  that value, how many earlier declarations had a known outcome, and how common the value is
  in the whole history (a frequency encoding; it reads no label).
The fitted state (roles, vocabularies, history counts) goes into the artifact, so a scored
file is encoded exactly as the training file was, and each scored row on its own: a row's
features never depend on the other rows of the file being scored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import polars as pl

from .columns import CATEGORICAL, ENTITY, NUMERIC, ColumnRole, choose_ratios, detect_columns
from .errors import ModelError
from .history import (
    MISSING,
    SEPARATOR,
    KeyHistory,
    auc,
    fit_history,
    key_values,
    smoothed_rate,
)


@dataclass(frozen=True)
class FeatureOptions:
    max_categories: int = 255  # more distinct values than this: a key, not a category
    max_pair_columns: int = 6  # pairs are formed among this many most telling key columns
    smoothing: float = 10.0  # prior weight of the overall illicit rate in history rates
    frequency: bool = True
    weekday: bool = True


@dataclass(frozen=True)
class Feature:
    name: str
    sources: tuple[str, ...]  # the input columns it is computed from (for explanations)
    categorical: bool = False


@dataclass
class FeatureState:
    options: FeatureOptions
    roles: list[ColumnRole]
    ratios: list[tuple[str, str]]
    date: str | None
    vocab: dict[str, list[str]]
    histories: list[KeyHistory]
    prior: float
    features: list[Feature] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def input_columns(self) -> list[str]:
        """The columns a file to be scored must have."""
        return [r.name for r in self.roles] + ([self.date] if self.date else [])

    def to_json(self) -> dict[str, object]:
        return {"options": asdict(self.options), "roles": [asdict(r) for r in self.roles],
                "ratios": [list(p) for p in self.ratios], "date": self.date,
                "vocab": self.vocab, "histories": [h.to_json() for h in self.histories],
                "prior": self.prior, "features": [asdict(f) for f in self.features]}

    @classmethod
    def from_json(cls, data: dict, tables: list[pl.DataFrame]) -> FeatureState:
        """Rebuild from to_json() and the history tables, in the order of `histories`."""
        if len(tables) != len(data["histories"]):
            raise ValueError("history tables do not match the feature state")
        return cls(options=FeatureOptions(**data["options"]),
                   roles=[ColumnRole(**r) for r in data["roles"]],
                   ratios=[(a, b) for a, b in data["ratios"]], date=data["date"],
                   vocab=data["vocab"],
                   histories=[KeyHistory(tuple(h["columns"]), table)
                              for h, table in zip(data["histories"], tables, strict=True)],
                   prior=float(data["prior"]),
                   features=[Feature(f["name"], tuple(f["sources"]), f["categorical"])
                             for f in data["features"]])


def fit_features(df: pl.DataFrame, y: np.ndarray, t: np.ndarray, *, skip: set[str],
                 date: str | None, options: FeatureOptions) -> tuple[FeatureState, np.ndarray]:
    """Learn the feature state from a training frame and return its training matrix."""
    roles = detect_columns(df, skip | ({date} if date else set()), options.max_categories)
    if not roles:
        raise ModelError("no usable feature columns: every column is excluded, constant, "
                         "empty or unique per row")
    vocab = {r.name: _vocabulary(df[r.name]) for r in roles if r.kind == CATEGORICAL}
    state = FeatureState(options, roles, choose_ratios(roles), date, vocab, [],
                         prior=float(y.mean()))
    columns = _plain_features(state, df, t)
    keyed = _key_frame(df, roles)
    for key in _choose_keys(state, keyed, t, y):
        history, n_before, pos_before, others = fit_history(key_values(keyed, key), t, y, key)
        state.histories.append(history)
        columns.update(_history_features(state, history, n_before, pos_before, others))
    state.features = list(columns)
    return state, _matrix(columns)


def transform(state: FeatureState, df: pl.DataFrame, t: np.ndarray) -> np.ndarray:
    """Encode a frame to be scored; it must have every input column (labels are not read).

    The same features as training computes (_plain_features, _history_features), written as
    one polars query; history lookups join on integer codes (_coded_histories) rather than
    on text keys built for every row. The matrix comes out column-major, as LightGBM reads
    it without a copy."""
    missing = [c for c in state.input_columns if c not in df.columns]
    if missing:
        raise ModelError("feature mismatch: the data lacks column(s) the model was trained "
                         f"on: {', '.join(repr(c) for c in missing)}")
    numeric = [r.name for r in state.roles if r.kind == NUMERIC]
    _check_numbers(df, numeric)
    features: list[Feature] = []
    exprs: list[pl.Expr] = []

    def add(feature: Feature, expr: pl.Expr) -> None:
        features.append(feature)
        exprs.append(expr.cast(pl.Float64).alias(f"__f{len(exprs)}"))

    number = {name: pl.col(name).cast(pl.Float64, strict=False).fill_null(np.nan)
              for name in numeric}
    for name, expr in number.items():
        add(Feature(name, (name,)), expr)
    for top, bottom in state.ratios:
        below = number[bottom]
        add(Feature(f"{top} / {bottom}", (top, bottom)),
            number[top] / pl.when(below == 0).then(np.nan).otherwise(below))
    for name, words in state.vocab.items():
        codes = np.arange(len(words), dtype=np.float64)
        add(Feature(name, (name,), categorical=True),
            pl.col(name).cast(pl.String).replace_strict(words, codes, default=None,
                                                        return_dtype=pl.Float64)
            .fill_null(np.nan))
    lf = df.lazy().with_columns(pl.Series("__t", t, dtype=pl.Int64))
    if state.date and state.options.weekday:
        add(Feature(f"weekday of {state.date}", (state.date,), categorical=True),
            pl.col("__t").cast(pl.Datetime("us")).dt.weekday())
    # key columns as canonical text (as _key_frame), once each, "missing" a value of its own
    keys = [r for r in state.roles if r.key]
    lf = lf.with_columns([(pl.col(r.name).cast(pl.Float64, strict=False).cast(pl.String)
                           if r.kind == NUMERIC else pl.col(r.name).cast(pl.String))
                          .fill_null(MISSING).alias(f"__c{i}") for i, r in enumerate(keys)])
    canonical = {r.name: f"__c{i}" for i, r in enumerate(keys)}
    coded = _coded_histories(state)
    # each key column's values as integer codes (null: in no history), once per column
    columns = sorted({c for i in coded.tables for c in state.histories[i].columns})
    for c in columns:
        lf = lf.join(coded.values[c].lazy().rename({"value": canonical[c], "code": f"__d_{c}"}),
                     on=canonical[c], how="left", maintain_order="left")
    for i, history in enumerate(state.histories):
        if i in coded.tables:  # joined on one 64-bit number made of the columns' codes
            key = pl.lit(0, pl.UInt64)
            for c in history.columns:
                key = key * (1 << 32) + pl.col(f"__d_{c}").cast(pl.UInt64)
            table = coded.tables[i].lazy()
        else:
            parts = [pl.col(canonical[c]) for c in history.columns]
            key = parts[0] if len(parts) == 1 else pl.concat_str(parts, separator=SEPARATOR)
            table = history.table.lazy()
        table = table.select(pl.col("key").alias(f"__k{i}"), pl.col("n").alias(f"__n{i}"),
                             pl.col("pos").alias(f"__p{i}"))
        lf = lf.with_columns(key.alias(f"__k{i}")).join(table, on=f"__k{i}", how="left",
                                                        maintain_order="left")
        n, pos = pl.col(f"__n{i}").fill_null(0), pl.col(f"__p{i}").fill_null(0)
        sources = history.columns
        weight = state.options.smoothing
        add(Feature(f"illicit rate of earlier {history.name}", sources),
            (pos + weight * state.prior) / (n + weight))  # smoothed_rate
        add(Feature(f"earlier declarations of {history.name}", sources), n)
        if state.options.frequency:
            add(Feature(f"frequency of {history.name}", sources), n)
    if features != state.features:
        raise ModelError("feature mismatch: the stored feature list does not match the "
                         "features this version computes; retrain the model")
    return lf.select(exprs).collect(engine="in-memory").to_numpy(order="fortran")


@dataclass
class _Coded:
    """History tables keyed by integer codes instead of joined text (see _coded_histories)."""

    values: dict[str, pl.DataFrame]  # key column -> value (text), code (UInt32)
    tables: dict[int, pl.DataFrame]  # position in state.histories -> key (UInt64), n, pos


def _coded_histories(state: FeatureState) -> _Coded:
    """Every value a history holds for each key column gets a code, and each history's key
    becomes the codes of its columns packed in one 64-bit number (two columns at most): the
    same matches as the joined text (a code stands for exactly one value), at a fraction of
    the cost of building and hashing text keys for every scored row. Computed once per model.

    A history whose keys do not split back into its columns (a value holding the separator,
    or more than two columns) keeps its text key."""
    stamp = tuple((h.columns, id(h.table)) for h in state.histories)
    cached = getattr(state, "_coded", None)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    parts: dict[int, pl.DataFrame] = {}
    for i, history in enumerate(state.histories):
        k = len(history.columns)
        if k > 2:
            continue
        if k == 1:
            parts[i] = history.table.select(pl.col("key").alias(history.columns[0]), "n", "pos")
            continue
        split = history.table.select(
            pl.col("key").str.split(SEPARATOR).alias("parts"), "n", "pos")
        if (split["parts"].list.len() != k).any():
            continue
        parts[i] = split.select(*[pl.col("parts").list.get(j).alias(c)
                                  for j, c in enumerate(history.columns)], "n", "pos")
    values: dict[str, pl.DataFrame] = {}
    for c in sorted({c for i in parts for c in state.histories[i].columns}):
        seen = pl.concat([parts[i][c] for i in parts if c in state.histories[i].columns])
        values[c] = seen.unique().sort().to_frame("value").with_row_index("code")
    tables = {}
    for i, table in parts.items():
        key = pl.lit(0, pl.UInt64)
        for c in state.histories[i].columns:
            table = table.join(values[c].rename({"value": c, "code": f"__d_{c}"}), on=c)
            key = key * (1 << 32) + pl.col(f"__d_{c}").cast(pl.UInt64)
        tables[i] = table.select(key.alias("key"), "n", "pos")
    coded = _Coded(values, tables)
    state._coded = (stamp, coded)  # type: ignore[attr-defined]  # kept with the model
    return coded


def _check_numbers(df: pl.DataFrame, names: list[str]) -> None:
    """A column that was numeric in training must be mostly numbers here too (as _numbers)."""
    if not names:
        return
    counts = df.select(
        *[pl.col(n).null_count().alias(f"a{i}") for i, n in enumerate(names)],
        *[pl.col(n).cast(pl.Float64, strict=False).null_count().alias(f"b{i}")
          for i, n in enumerate(names)]).row(0)
    for i, name in enumerate(names):
        nulls, failed = counts[i], counts[len(names) + i]
        if failed - nulls > 0.5 * max(df.height - nulls, 1):
            raise ModelError(f"feature mismatch: column {name!r} was numeric in training "
                             "but most of its values here are not numbers")


def _plain_features(state: FeatureState, df: pl.DataFrame, t: np.ndarray
                    ) -> dict[Feature, np.ndarray]:
    out: dict[Feature, np.ndarray] = {}
    numbers = {r.name: _numbers(df[r.name]) for r in state.roles if r.kind == NUMERIC}
    for name, values in numbers.items():
        out[Feature(name, (name,))] = values
    for top, bottom in state.ratios:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = numbers[top] / np.where(numbers[bottom] == 0, np.nan, numbers[bottom])
        out[Feature(f"{top} / {bottom}", (top, bottom))] = ratio
    for name, words in state.vocab.items():
        codes = pl.DataFrame({"v": df[name]}).join(
            pl.DataFrame({"v": words, "code": np.arange(len(words), dtype=np.float64)}),
            on="v", how="left", maintain_order="left")["code"]
        out[Feature(name, (name,), categorical=True)] = codes.fill_null(np.nan).to_numpy()
    if state.date and state.options.weekday:
        weekday = pl.Series(t).cast(pl.Datetime("us")).dt.weekday().cast(pl.Float64)
        out[Feature(f"weekday of {state.date}", (state.date,), categorical=True)] = \
            weekday.to_numpy()
    return out


def _history_features(state: FeatureState, history: KeyHistory, n: np.ndarray,
                      pos: np.ndarray, others: np.ndarray) -> dict[Feature, np.ndarray]:
    sources = history.columns
    out = {
        Feature(f"illicit rate of earlier {history.name}", sources):
            smoothed_rate(n, pos, state.prior, state.options.smoothing),
        Feature(f"earlier declarations of {history.name}", sources): n.astype(np.float64),
    }
    if state.options.frequency:
        out[Feature(f"frequency of {history.name}", sources)] = others.astype(np.float64)
    return out


def _choose_keys(state: FeatureState, keyed: pl.DataFrame, t: np.ndarray, y: np.ndarray
                 ) -> list[tuple[str, ...]]:
    """Every key column, then pairs of the key columns whose own history best separates the
    classes on the training data (a pair like value & HS code recognises a repeated shipment)."""
    singles: list[tuple[str, ...]] = [(r.name,) for r in state.roles if r.key]
    telling = []
    for key in singles:
        _, n, pos, _ = fit_history(key_values(keyed, key), t, y, key)
        telling.append((auc(smoothed_rate(n, pos, state.prior, state.options.smoothing), y),
                        key[0]))
    best = [name for _, name in sorted(telling, key=lambda p: (-p[0], p[1]))]
    best = sorted(best[: state.options.max_pair_columns], key=[r.name for r in state.roles].index)
    pairs = [(a, b) for i, a in enumerate(best) for b in best[i + 1:]]
    return singles + pairs


def _key_frame(df: pl.DataFrame, roles: list[ColumnRole]) -> pl.DataFrame:
    """Key columns as canonical text: numbers re-printed, so "12.50" and "12.5" are one value."""
    exprs = []
    for role in roles:
        if role.key and role.kind == NUMERIC:
            exprs.append(pl.col(role.name).cast(pl.Float64, strict=False).cast(pl.String))
        elif role.key and role.kind == ENTITY:
            exprs.append(pl.col(role.name))
    return df.select(exprs) if exprs else pl.DataFrame()


def _numbers(column: pl.Series) -> np.ndarray:
    values = column.cast(pl.Float64, strict=False)
    if values.null_count() - column.null_count() > 0.5 * max(column.len() - column.null_count(), 1):
        raise ModelError(f"feature mismatch: column {column.name!r} was numeric in training "
                         "but most of its values here are not numbers")
    return values.fill_null(np.nan).to_numpy()


def _vocabulary(column: pl.Series) -> list[str]:
    """Categories most frequent first, so codes are stable for the same training data."""
    counts = column.drop_nulls().value_counts(name="count")
    return counts.sort(["count", column.name], descending=[True, False])[column.name].to_list()


def _matrix(columns: dict[Feature, np.ndarray]) -> np.ndarray:
    return np.column_stack([np.asarray(v, dtype=np.float64) for v in columns.values()])
