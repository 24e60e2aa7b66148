"""Precision and recall when only the top few percent of declarations can be inspected."""

from __future__ import annotations

from typing import TypedDict

import numpy as np

PERCENTS = (1, 2, 5, 10)


def inspected(rows: int, percent: float) -> int:
    """How many rows `percent` % of `rows` is: rounded, at least one."""
    return max(1, round(rows * percent / 100))


class Figures(TypedDict):
    precision_at: dict[str, float]  # keyed by the percent as text: "1", "2", "5", "10"
    recall_at: dict[str, float]
    rows: int
    positives: int


def at_percents(y: np.ndarray, score: np.ndarray, percents: tuple[int, ...] = PERCENTS
                ) -> Figures:
    """{"precision_at": {"1": ..}, "recall_at": {..}, ...} over the highest scores.

    Ties are broken by file order (a stable sort), so the figure is reproducible.
    """
    order = np.argsort(-score, kind="stable")
    hits = np.cumsum(y[order])
    positives = int(y.sum())
    precision, recall = {}, {}
    for percent in percents:
        k = inspected(len(y), percent)
        found = float(hits[k - 1])
        precision[str(percent)] = found / k
        recall[str(percent)] = found / positives if positives else 0.0
    return {"precision_at": precision, "recall_at": recall, "rows": len(y),
            "positives": positives}
