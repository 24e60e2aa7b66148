"""What an indicator is, and the two shapes its scores take (see catalog.py for the list).

An indicator adds its feature columns (from the configuration), then `ind_<id>` (the score,
0..1) and `ind_<id>_case` (which of its templates explains the score). Scores are piecewise
linear in the evidence, so more evidence never lowers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .config import EngineConfig
from .templates import Template

Evaluate = Callable[[EngineConfig], tuple[pl.Expr, pl.Expr]]


def _no_features(config: EngineConfig) -> dict[str, pl.Expr]:
    return {}


@dataclass(frozen=True)
class Indicator:
    id: str
    description_en: str
    description_ru: str
    weight: float  # default weight in the risk combination (scoring.py)
    reads: tuple[str, ...]  # input and feature columns the score depends on
    evaluate: Evaluate  # config -> (score expression, case expression)
    templates: tuple[Template, ...]  # one per case
    # Feature columns made for this indicator, per row (`features`) or per distinct code
    # combination (`code_features`, which may read only the code columns, see frame.COMBO).
    features: Callable[[EngineConfig], dict[str, pl.Expr]] = field(default=_no_features)
    code_features: Callable[[EngineConfig], dict[str, pl.Expr]] = field(default=_no_features)

    @property
    def column(self) -> str:
        return f"ind_{self.id}"

    @property
    def case_column(self) -> str:
        return f"ind_{self.id}_case"

    def columns(self, config: EngineConfig | None = None) -> list[str]:
        """The columns this indicator adds to the frame (public ones, not `_` helpers)."""
        config = config or EngineConfig()
        made = [c for c in (*self.code_features(config), *self.features(config))
                if not c.startswith("_")]
        return [*made, self.column, self.case_column]

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "description_en": self.description_en,
                "description_ru": self.description_ru, "weight": self.weight,
                "columns": self.columns(), "reads": list(self.reads),
                "templates": [{"en": t.en, "ru": t.ru} for t in self.templates]}


def ramp(x: pl.Expr, start: float, full: float, floor: float = 0.3) -> pl.Expr:
    """0 up to `start`, then from `floor` rising linearly to 1 at `full` (and beyond).

    The jump to `floor` is deliberate: just outside the normal range is already worth a
    line in the explanation, while inside it is worth nothing.
    """
    rise = floor + (1 - floor) * (x - start) / (full - start)
    return pl.when(x > start).then(rise.clip(0.0, 1.0)).otherwise(0.0)


def cases(*pairs: tuple[pl.Expr, float | pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
    """The first condition that holds gives (score, its index); none gives 0.

    Conditions go from the strongest evidence to the weakest, so the case shown is the one
    that explains the score. (A null condition counts as false.)"""
    score: Any = None
    for cond, value in pairs:
        value_expr = value if isinstance(value, pl.Expr) else pl.lit(float(value))
        score = pl.when(cond).then(value_expr) if score is None else \
            score.when(cond).then(value_expr)
    if score is None:
        raise ValueError("an indicator needs at least one case")
    return score.otherwise(0.0), which(*(cond for cond, _ in pairs))


def which(*conditions: pl.Expr) -> pl.Expr:
    """Index of the first condition that holds (Int8), null if none: the template to use.

    build() keeps it only where the score is positive; scores that share one expression
    over several cases (value below the heading's or the chapter's range) compute it once
    and name the case with this."""
    case: Any = None
    for i, cond in enumerate(conditions):
        index = pl.lit(i, pl.Int8)
        case = pl.when(cond).then(index) if case is None else case.when(cond).then(index)
    return case.otherwise(None)
