"""Final risk of each container and the reasons an officer reads.

The risk combines independent pieces of evidence as a "noisy OR":

    risk = 1 - (1 - r_1)(1 - r_2)...(1 - i_1)(1 - i_2)...(1 - w)(1 - m)

with r = weight of each rule that hits, i = indicator weight x indicator score, w = watchlist
weight x watchlist score, m = model weight x model probability. Every factor is in [0, 1], so
the risk is in [0, 1]; raising any score, weight or hit can only raise it (monotone), and a
single strong piece of evidence is enough for a high risk while weak ones add up slowly. The
share each piece contributes is its own term (r, i, w or m): the reasons are those terms,
largest first.

Explanation texts are generated only for the highest risks (the share officers will see),
in one vectorised pass; `explain` makes them for any other rows on demand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .features import INDICATORS, Indicator
from .features import schema as feature_schema
from .features.templates import DISPLAY_INPUTS, add_display
from .rules import Rule

WATCHLIST_SCORE, WATCHLIST_EXPLANATION = "watchlist_score", "watchlist_explanation"
MODEL_PROBABILITY, MODEL_FACTORS = "model_probability", "model_factors"
RISK, REASONS = "risk", "reasons"
REASON_DTYPE = pl.Struct({"kind": pl.String, "id": pl.String, "score": pl.Float64,
                          "text_en": pl.String, "text_ru": pl.String})


@dataclass(frozen=True)
class ScoringConfig:
    # Indicator id -> weight; indicators not named keep their registry default.
    indicator_weights: Mapping[str, float] = field(default_factory=dict)
    watchlist_weight: float = 0.9
    model_weight: float = 0.8
    explain_share: float = 0.05  # explain the top 5 % by risk ...
    explain_min: int = 200  # ... but at least this many rows (small batches)
    top_reasons: int = 5

    def indicator_weight(self, indicator_id: str, default: float) -> float:
        return float(self.indicator_weights.get(indicator_id, default))


@dataclass(frozen=True)
class Source:
    """One term of the noisy OR: its contribution expression and its explanation."""

    kind: str  # rule, indicator, watchlist, model
    id: str
    term: pl.Expr  # contribution in [0, 1]
    text_en: pl.Expr
    text_ru: pl.Expr


def score(frame: pl.DataFrame, rules: Iterable[Rule] = (),
          config: ScoringConfig | None = None) -> pl.DataFrame:
    """Add `risk` (0..1) and `reasons` (list of {kind, id, score, text_en, text_ru}, best
    first, at most top_reasons; null for rows below the explained share) to a frame that
    went through features.build and rules.apply_rules (and may carry watchlist_score,
    watchlist_explanation[_en|_ru], model_probability, model_factors)."""
    config = config or ScoringConfig()
    rules = list(rules)
    terms = sources(frame.schema, rules, config)
    out = frame.with_columns(combine([s.term for s in terms]).alias(RISK))
    k = explained_rows(out.height, config)
    # The k highest risks without sorting the batch (a selection, not a sort).
    top = out.select(pl.int_range(pl.len(), dtype=pl.UInt32).top_k_by(RISK, k)
                     .alias("_row"))["_row"].sort()
    top = top.filter(out[RISK].gather(top) > 0)
    out = out.with_columns(pl.lit(None, pl.List(REASON_DTYPE)).alias(REASONS))
    return _add_reasons(out, top, rules, config) if top.len() else out


def explain_where(frame: pl.DataFrame, wanted: pl.Expr, rules: Iterable[Rule] = (),
                  config: ScoringConfig | None = None) -> pl.DataFrame:
    """Reasons also for the rows of a scored frame where `wanted` holds and that have none
    yet. `score` explains the top share of the batch by risk; a unit's selection, made day
    by day, reaches further down on a quiet day, and every selected container must say why
    (pass the selected channels as `wanted`)."""
    rows = frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).filter(
        wanted & pl.col(REASONS).is_null()).alias("_row"))["_row"]
    return _add_reasons(frame, rows, list(rules), config or ScoringConfig()) if rows.len() \
        else frame


def _add_reasons(out: pl.DataFrame, rows: pl.Series, rules: list[Rule],
                 config: ScoringConfig) -> pl.DataFrame:
    """`out` with the reasons of `rows` (positions) filled in; other rows keep theirs."""
    terms = sources(out.schema, rules, config)
    # Only the columns some reason reads travel with the explained rows.
    needed = set(DISPLAY_INPUTS)
    for s in terms:
        for expr in (s.term, s.text_en, s.text_ru):
            needed.update(expr.meta.root_names())
    reasons = explain(out.select([c for c in out.columns if c in needed])[rows], rules, config)
    table = pl.DataFrame({"_row": rows.cast(pl.UInt32), "_new": reasons})
    return (out.with_row_index("_row")
            .join(table, on="_row", how="left", maintain_order="left")
            .with_columns(pl.coalesce(REASONS, "_new").alias(REASONS))
            .drop("_row", "_new"))


def combine(terms: Sequence[pl.Expr]) -> pl.Expr:
    """Noisy OR of contributions in [0, 1]: 1 - product of (1 - term)."""
    keep = pl.lit(1.0)
    for term in terms:
        keep = keep * (1.0 - term)
    return (1.0 - keep).clip(0.0, 1.0)


def explained_rows(height: int, config: ScoringConfig) -> int:
    return min(height, max(math.ceil(config.explain_share * height), config.explain_min))


def explain(frame: pl.DataFrame, rules: Iterable[Rule] = (),
            config: ScoringConfig | None = None) -> pl.Series:
    """The reasons of every row of a built (and rule-applied) frame; any rows, since an
    officer may ask why a green container is green. A list of structs per row, largest
    contribution first.

    Ranking uses the numbers only; texts are rendered afterwards for the top reasons alone,
    each source on just the rows where it made the cut.
    """
    config = config or ScoringConfig()
    terms = sources(frame.schema, list(rules), config)
    if not terms or frame.height == 0:
        return _no_reasons(frame.height)
    indexed = frame.with_row_index("_row")
    ranked = _top_terms(indexed, terms, config.top_reasons)
    if ranked.height == 0:
        return _no_reasons(frame.height)
    texts = _texts(indexed, terms, ranked)
    lists = (texts.sort("_row", "_rank")
             .group_by("_row", maintain_order=True)
             .agg(pl.struct("kind", "id", "score", "text_en", "text_ru").alias(REASONS)))
    out = indexed.select("_row").join(lists, on="_row", how="left", maintain_order="left")
    return out[REASONS].fill_null(pl.lit([], pl.List(REASON_DTYPE)))


def _no_reasons(height: int) -> pl.Series:
    return pl.select(pl.repeat(pl.lit([], pl.List(REASON_DTYPE)), height).alias(REASONS)) \
        .to_series()


def _top_terms(indexed: pl.DataFrame, terms: Sequence[Source], top: int) -> pl.DataFrame:
    """(_row, _source, score, _rank) of each row's `top` largest positive terms."""
    long = pl.concat([
        indexed.select("_row", pl.lit(i, pl.UInt16).alias("_source"),
                       s.term.cast(pl.Float64).alias("score")).filter(pl.col("score") > 0)
        for i, s in enumerate(terms)
    ])
    # Ties keep the source order (rules, then indicators as listed, watchlist, model).
    long = long.sort("_row", "score", "_source", descending=[False, True, False])
    return long.with_columns(pl.int_range(pl.len()).over("_row").alias("_rank")) \
        .filter(pl.col("_rank") < top)


def _texts(indexed: pl.DataFrame, terms: Sequence[Source], ranked: pl.DataFrame
           ) -> pl.DataFrame:
    """Texts of the ranked reasons: each source renders only the rows where it is a top
    reason, reading only the columns its templates name."""
    used = set(ranked["_source"].unique().to_list())
    needed = set(DISPLAY_INPUTS)
    for i in used:
        needed.update(terms[i].text_en.meta.root_names(), terms[i].text_ru.meta.root_names())
    # A column a template names but the frame lacks reads as missing ("—"), not an error.
    known = feature_schema()
    absent = [pl.lit(None, known.get(c, pl.String())).alias(c) for c in sorted(needed)
              if c not in indexed.columns and not c.startswith("_d_")
              and c not in DISPLAY_INPUTS]
    # Row i of `shown` is row i of `indexed`: reasons find their row by position.
    shown = add_display(indexed.select([c for c in indexed.columns if c in needed])
                        .with_columns(absent))
    parts = []
    for (i,), chosen in ranked.partition_by("_source", as_dict=True).items():
        source = terms[int(i)]
        rendered = shown[chosen["_row"]].with_columns(  # with_columns: literals broadcast
            source.text_en.alias("text_en"), source.text_ru.alias("text_ru")
        ).select("text_en", "text_ru")
        parts.append(chosen.select(
            "_row", "_rank", pl.lit(source.kind).alias("kind"), pl.lit(source.id).alias("id"),
            pl.col("score").round(4)).hstack(rendered))
    return pl.concat(parts)


def sources(schema: Mapping[str, pl.DataType], rules: Iterable[Rule],
            config: ScoringConfig) -> list[Source]:
    """The terms present in a frame of this schema: rules, indicators, watchlist, model."""
    out = [_rule_source(r) for r in rules if r.column in schema and r.weight > 0]
    for ind in INDICATORS:
        weight = config.indicator_weight(ind.id, ind.weight)
        if ind.column in schema and weight > 0:
            out.append(_indicator_source(ind, weight))
    if WATCHLIST_SCORE in schema and config.watchlist_weight > 0:
        out.append(_watchlist_source(schema, config.watchlist_weight))
    if MODEL_PROBABILITY in schema and config.model_weight > 0:
        out.append(_model_source(schema, config.model_weight))
    return out


def _check_weight(name: str, weight: float) -> float:
    if math.isnan(weight) or not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight of {name} must be between 0 and 1, not {weight}")
    return float(weight)


def _rule_source(rule: Rule) -> Source:
    weight = _check_weight(f"rule {rule.id}", rule.weight)
    term = pl.when(pl.col(rule.column).fill_null(False)).then(weight).otherwise(0.0)
    en = rule.description or rule.expression
    return Source("rule", rule.id, term, pl.lit(f"rule {rule.id}: {en}"),
                  pl.lit(f"правило {rule.id}: {rule.description_ru or en}"))


def _indicator_source(ind: Indicator, weight: float) -> Source:
    weight = _check_weight(f"indicator {ind.id}", weight)
    term = weight * pl.col(ind.column).fill_null(0.0).clip(0.0, 1.0)
    case = pl.col(ind.case_column)
    texts = []
    for lang in ("en", "ru"):
        text: Any = pl.when(case == 0).then(ind.templates[0].expr(lang))
        for i, template in enumerate(ind.templates[1:], start=1):
            text = text.when(case == i).then(template.expr(lang))
        texts.append(text.otherwise(None))
    return Source("indicator", ind.id, term, texts[0], texts[1])


def _watchlist_source(schema: Mapping[str, pl.DataType], weight: float) -> Source:
    weight = _check_weight("watchlist", weight)
    term = weight * pl.col(WATCHLIST_SCORE).fill_null(0.0).clip(0.0, 1.0)
    detail = {lang: _first_text(schema, [f"{WATCHLIST_EXPLANATION}_{lang}",
                                         WATCHLIST_EXPLANATION]) for lang in ("en", "ru")}
    return Source("watchlist", "watchlist", term,
                  pl.concat_str([pl.lit("watchlist match: "), detail["en"]]),
                  pl.concat_str([pl.lit("совпадение со списком наблюдения: "), detail["ru"]]))


def _model_source(schema: Mapping[str, pl.DataType], weight: float) -> Source:
    weight = _check_weight("model", weight)
    p = pl.col(MODEL_PROBABILITY).fill_null(0.0).clip(0.0, 1.0)
    prob = p.round(2).cast(pl.String)
    factors = _factors(schema)
    return Source("model", "model", weight * p,
                  pl.concat_str([pl.lit("model probability "), prob,
                                 pl.lit("; top factors: "), factors]),
                  pl.concat_str([pl.lit("вероятность по модели "), prob,
                                 pl.lit("; главные факторы: "), factors]))


def _first_text(schema: Mapping[str, pl.DataType], names: Sequence[str]) -> pl.Expr:
    present = [pl.col(n).cast(pl.String) for n in names if n in schema]
    return pl.coalesce(*present, pl.lit("—")) if present else pl.lit("—")


def _factors(schema: Mapping[str, pl.DataType]) -> pl.Expr:
    """Model factors come as a list of texts or as one text (see engine.model.Factor)."""
    dtype = schema.get(MODEL_FACTORS)
    if dtype is None:
        return pl.lit("—")
    col = pl.col(MODEL_FACTORS)
    if isinstance(dtype, pl.List):
        col = col.cast(pl.List(pl.String)).list.join("; ")
    return col.cast(pl.String).fill_null("—")
