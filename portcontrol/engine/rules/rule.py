"""Rules as data, their validation, and their application to a featured frame.

A rule is what an analyst writes and a supervisor approves: an id, a description, an
expression in the rule language, a weight (its contribution to the risk when it hits), a
validity period and, optionally, the unit that owns it (a unit's rule applies only to that
unit's containers; a rule without a unit applies to all).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from .language import BOOL, DATE, NUM, STR, Compiler, RuleError, rule_fields

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
PREFIX = "rule_"


@dataclass(frozen=True)
class Rule:
    id: str
    expression: str
    weight: float = 0.5
    description: str = ""
    description_ru: str = ""
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive
    unit: str | None = None

    def __post_init__(self) -> None:
        if not _ID.match(self.id or ""):
            raise RuleError(f"rule id {self.id!r} must be 1-64 letters, digits, '_', '.' or "
                            "'-'", code="id",
                            message_ru=f"идентификатор правила {self.id!r} должен содержать "
                                       "от 1 до 64 символов: латинские буквы, цифры, '_', '.' "
                                       "или '-'")
        if not 0.0 <= float(self.weight) <= 1.0:
            raise RuleError(f"rule {self.id}: weight {self.weight} must be between 0 and 1",
                            code="weight",
                            message_ru=f"правило {self.id}: вес {self.weight} должен быть "
                                       "от 0 до 1")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise RuleError(f"rule {self.id}: valid_to {self.valid_to} is before valid_from "
                            f"{self.valid_from}", code="validity",
                            message_ru=f"правило {self.id}: дата окончания valid_to "
                                       f"{self.valid_to} раньше даты начала valid_from "
                                       f"{self.valid_from}")

    @property
    def column(self) -> str:
        return PREFIX + self.id

    def active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Checked:
    """A valid expression: the polars condition and the fields it reads."""

    expr: pl.Expr
    fields: frozenset[str] = field(default_factory=frozenset)


def _default_fields() -> dict[str, pl.DataType]:
    from portcontrol.engine.features import schema  # features import rules nowhere: no cycle
    return schema()


def fields_by_kind(fields: Mapping[str, pl.DataType] | None = None) -> dict[str, list[str]]:
    """The fields a rule may name (default: every column features.build makes), sorted, per
    kind of value ("number", "text", "true/false", "date"), for the analysts' reference."""
    out: dict[str, list[str]] = {kind: [] for kind in (NUM, STR, BOOL, DATE)}
    named = rule_fields(fields if fields is not None else _default_fields())
    for name, kind in sorted(named.items()):
        out[kind].append(name)
    return out


def validate(expression: str, fields: Mapping[str, pl.DataType] | None = None) -> Checked:
    """Compile `expression` against `fields` (default: every column features.build makes);
    raise RuleError with line and column if it is not a valid condition."""
    compiler = Compiler(expression, fields if fields is not None else _default_fields())
    typed = compiler.compile()
    return Checked(typed.expr.fill_null(False), frozenset(compiler.used))


def apply_rules(frame: pl.DataFrame, rules: Iterable[Rule], on: date | None = None,
                unit_column: str = "unit") -> pl.DataFrame:
    """Add a boolean `rule_<id>` column per rule active on `on` (default: today), all in one
    `with_columns`. A rule of a unit is false on other units' rows (and on every row when the
    frame has no unit column); missing values never match."""
    day = on or date.today()
    active = [r for r in rules if r.active_on(day)]
    ids = [r.id for r in active]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        raise RuleError(f"rule ids repeat: {repeated}", code="id",
                        message_ru=f"идентификаторы правил повторяются: {repeated}")
    fields = frame.schema
    exprs = []
    for rule in active:
        try:
            condition = validate(rule.expression, fields).expr
        except RuleError as exc:
            raise RuleError(f"rule {rule.id}: {exc.message}", exc.line, exc.column, exc.code,
                            None if exc.message_ru is None
                            else f"правило {rule.id}: {exc.message_ru}") from None
        if rule.unit is not None:
            scope = (pl.col(unit_column) == rule.unit).fill_null(False) \
                if unit_column in fields else pl.lit(False)
            condition = condition & scope
        exprs.append(condition.alias(rule.column))
    return frame.with_columns(exprs) if exprs else frame
