"""Backtest a draft rule on history: what it would have hit, and what was found there.

The history frame is a featured frame (features.build) of past containers with outcome
columns `inspected` (bool) and `seizure` (bool). Many rules are tested in one pass: each
rule is one boolean expression and every figure is a sum over the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import polars as pl

from .rules import Rule, RuleError, validate

INSPECTED, SEIZURE, PROBABILITY = "inspected", "seizure", "selection_probability"


@dataclass(frozen=True)
class BacktestResult:
    rule_id: str
    since: date | None
    until: date | None
    containers: int  # in the window (the rule's unit only, if it has one)
    hits: int  # containers the rule would have hit
    inspections: int  # of those, inspected
    seizures: int  # of those, with a seizure
    hit_rate: float | None  # seizures / inspections among hits
    base_hit_rate: float | None  # seizures / inspections among all containers in the window
    lift: float | None  # hit_rate / base_hit_rate
    # Among hits, inspected ones weighted by 1 / selection probability (when recorded):
    # corrects for inspections having been chosen by risk, not at random.
    hit_rate_ipw: float | None = None

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["since"] = self.since.isoformat() if self.since else None
        out["until"] = self.until.isoformat() if self.until else None
        return out


def backtest(rule: Rule | str, history: pl.DataFrame, *, days: int = 90,
             until: date | None = None, date_column: str = "arrival_date") -> BacktestResult:
    """Figures of one draft rule (or bare expression) over the last `days` days."""
    draft = rule if isinstance(rule, Rule) else Rule("draft", rule)
    return backtest_many([draft], history, days=days, until=until,
                         date_column=date_column)[0]


def backtest_many(rules: Sequence[Rule], history: pl.DataFrame, *, days: int = 90,
                  until: date | None = None, date_column: str = "arrival_date",
                  unit_column: str = "unit") -> list[BacktestResult]:
    for column in (INSPECTED, SEIZURE, date_column):
        if column not in history.columns:
            raise ValueError(f"backtest needs a {column!r} column in the history frame")
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    latest = until or history[date_column].max()
    last = latest if isinstance(latest, date) else None
    since = last - timedelta(days=days - 1) if last else None
    window = history.filter(pl.col(date_column).is_between(since, last)) if since else history
    inspected = pl.col(INSPECTED).fill_null(False)
    seized = inspected & pl.col(SEIZURE).fill_null(False)
    has_p = PROBABILITY in window.columns
    aggs: list[pl.Expr] = []
    for i, rule in enumerate(rules):
        hit, scope = _condition(rule, window.schema, unit_column)
        aggs += _figures(i, hit, scope, inspected, seized, has_p)
    row = window.select(aggs).row(0, named=True) if aggs else {}
    base = window.select(inspected.sum().alias("i"), seized.sum().alias("s")).row(0)
    base_rate = base[1] / base[0] if base[0] else None
    return [_result(rule, row, i, since, last, base_rate) for i, rule in enumerate(rules)]


def _condition(rule: Rule, schema: pl.Schema, unit_column: str
               ) -> tuple[pl.Expr, pl.Expr | None]:
    """The rule's hit condition and the rows it applies to (its unit's, or all)."""
    try:
        condition = validate(rule.expression, schema).expr
    except RuleError as exc:
        raise RuleError(f"rule {rule.id}: {exc.message}", exc.line, exc.column,
                        exc.code) from None
    if rule.unit is None:
        return condition, None
    scope = (pl.col(unit_column) == rule.unit).fill_null(False) if unit_column in schema \
        else pl.lit(False)
    return condition & scope, scope


def _figures(i: int, hit: pl.Expr, scope: pl.Expr | None, inspected: pl.Expr,
             seized: pl.Expr, has_p: bool) -> list[pl.Expr]:
    count = pl.len() if scope is None else scope.sum()
    figures = [count.alias(f"n{i}"), hit.sum().alias(f"h{i}"),
               (hit & inspected).sum().alias(f"i{i}"), (hit & seized).sum().alias(f"s{i}")]
    if has_p:
        w = 1.0 / pl.col(PROBABILITY)
        usable = hit & inspected & (pl.col(PROBABILITY) > 0)
        figures += [w.filter(usable & seized).sum().alias(f"ws{i}"),
                    w.filter(usable).sum().alias(f"wi{i}")]
    return figures


def _result(rule: Rule, row: dict, i: int, since: date | None, until: date | None,
            base_rate: float | None) -> BacktestResult:
    inspections, seizures = int(row[f"i{i}"]), int(row[f"s{i}"])
    rate = seizures / inspections if inspections else None
    weighted = row.get(f"wi{i}")
    return BacktestResult(
        rule_id=rule.id, since=since, until=until, containers=int(row[f"n{i}"]),
        hits=int(row[f"h{i}"]), inspections=inspections, seizures=seizures, hit_rate=rate,
        base_hit_rate=base_rate,
        lift=rate / base_rate if rate is not None and base_rate else None,
        hit_rate_ipw=row[f"ws{i}"] / weighted if weighted else None)
