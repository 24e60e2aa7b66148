"""Platt scaling: a probability from LightGBM's raw score, fitted on the time-ordered
validation rows the booster did not train on.

Platt (a logistic curve) rather than isotonic regression because it is strictly increasing:
it keeps every distinction the booster makes among the top-ranked rows, where an isotonic
step would tie them and make "the top 1 %" an arbitrary pick.

Rows may carry weights. An installation's history holds only inspected containers, and
most of them were inspected because they scored high: fitted on them as they are, the curve
gives the hit rate among containers like those inspected, which overstates the chance of an
ordinary one. Weighted by the inverse of each row's chance of inspection (a random pick drawn
with probability p stands for 1/p containers like it; see engine.selection), the rows stand
for the whole traffic and the curve gives a container's chance among all of it.
"""

from __future__ import annotations

import numpy as np


def fit_platt(raw: np.ndarray, y: np.ndarray, iterations: int = 100,
              weights: np.ndarray | None = None) -> tuple[float, float]:
    """(a, b) of p = 1 / (1 + exp(-(a * raw + b))), by Newton's method on the (weighted)
    log loss.

    Targets are Platt's smoothed 0/1 values, so a clean separation on a small validation set
    does not drive the slope to infinity; with weights, the counts in the smoothing are the
    weighted counts.
    """
    weights = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    positives = float(np.dot(weights, y == 1))
    negatives = float(weights.sum()) - positives
    target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    a, b = 1.0, float(np.log((positives + 1) / (negatives + 1)))
    loss = _log_loss(raw, target, a, b, weights)
    for _ in range(iterations):
        p = sigmoid(a * raw + b)
        w = weights * np.maximum(p * (1 - p), 1e-12)
        residual = weights * (p - target)
        grad = np.array([np.dot(residual, raw), np.sum(residual)])
        hess = np.array([[np.dot(w, raw * raw), np.dot(w, raw)],
                         [np.dot(w, raw), np.sum(w)]]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        # A full Newton step can overshoot far from the optimum (a rare class, scores spread
        # over a wide range) and run away to slopes of 1e10; halve it until the loss falls.
        scale = 1.0
        while scale > 1e-10:
            trial = _log_loss(raw, target, a - scale * float(step[0]),
                              b - scale * float(step[1]), weights)
            if trial <= loss:
                break
            scale /= 2
        else:
            break  # no step lowers the loss: at the optimum
        a, b, loss = a - scale * float(step[0]), b - scale * float(step[1]), trial
        if scale * np.abs(step).max() < 1e-10:
            break
    if not a > 0:
        # A booster that ranks worse than chance on validation: keep the order it gives.
        a = 1e-6
    return a, b


def _log_loss(raw: np.ndarray, target: np.ndarray, a: float, b: float,
              weights: np.ndarray) -> float:
    z = a * raw + b
    # log(1 + exp(z)) - target * z, the cross-entropy of the logistic curve, without overflow
    return float(np.average(np.logaddexp(0.0, z) - target * z, weights=weights))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # the logistic function, without overflow


def apply_platt(raw: np.ndarray, a: float, b: float) -> np.ndarray:
    return sigmoid(a * raw + b)
