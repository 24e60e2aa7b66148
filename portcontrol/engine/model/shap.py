"""Exact TreeSHAP for many rows at once, vectorised with numpy, for shallow trees.

LightGBM's own `pred_contrib` runs Lundberg's recursion for every row and every tree
(O(leaves x depth^2) per tree and row, one row at a time): on 50,000 rows of a 150-tree depth-6
model that took 35-45 s. For shallow trees the same values come from tables:

For a leaf with value v whose path splits on the distinct features P (|P| = d), let z_j be the
product of the cover fractions (child count / parent count) of the splits on j along the path,
and o_j = 1 when the row satisfies every split on j along the path, else 0. The leaf's
path-dependent value function is f(S) = v * prod_{j in P} (o_j if j in S else z_j), and the
Shapley value of a feature i in P is

    phi_i = v (o_i - z_i) sum_{S subset of H - {i}} w(|S|, d) prod_{j in P - S - {i}} z_j

with H = {j : o_j = 1} and w(k, d) = k! (d - k - 1)! / d! (the closed form behind Fast
TreeSHAP, Yang 2021). So a tree's SHAP values depend on a row only through which way the row
goes at each of the tree's splits: a tree of s splits has 2^s such patterns, and for shallow
trees (s <= MAX_SPLITS) the values of every pattern are tabulated once per model. A row then
costs, per tree, s comparisons to find its pattern and one table read per feature the tree
uses, done for thousands of rows at once. Summed over the trees this is exactly LightGBM's
pred_contrib (the tests compare them); the expected value (last column) is the sum over leaves
of v prod_j z_j.

Splits are evaluated as LightGBM evaluates them (missing values, zero as missing, categorical
bitsets); `leaves` checks that against pred_leaf. Deeper models go to LightGBM's own code.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

ZERO = 1e-35  # LightGBM's kZeroThreshold
_NONE, _ZERO, _NAN = 0, 1, 2
_MISSING = {"None": _NONE, "Zero": _ZERO, "NaN": _NAN}
# Splits per tree up to which a tree's patterns are tabulated (2^12 patterns x its features):
# depth-3 trees have 7 splits; a tree with more than this goes to LightGBM's own code.
MAX_SPLITS = 12
CHUNK_CELLS = 1 << 20  # rows per chunk x (tree, feature) cells: the working set stays small


@dataclass
class _Trees:
    """The ensemble as arrays: its split nodes and one pattern table per tree."""

    # split nodes of all trees, tree by tree, each tree's in pre-order
    feature: np.ndarray  # int, input column
    threshold: np.ndarray  # float (numerical splits; NaN for categorical ones)
    default_left: np.ndarray  # bool
    missing: np.ndarray  # int: _NONE, _ZERO, _NAN
    nan_left: np.ndarray  # bool: where a NaN goes (numerical splits)
    categorical: np.ndarray  # bool
    categories: np.ndarray  # bool [split, category code]: goes left (categorical splits);
    # its last column, past every listed category, is where NaN and negative codes look
    # per tree: its splits (global index; -1 pads), and for each pattern of their directions
    # (bit k set: the row goes left at the tree's k-th split) the values of its features
    tree_splits: np.ndarray  # int [trees, max splits]
    tree_features: np.ndarray  # int [trees, max features]: input column; -1 pads
    table: np.ndarray  # float [trees, 2^max splits, max features]
    tree_base: np.ndarray  # int [trees]: where each tree's table starts in table.ravel()
    # the (tree, feature slot) cells that hold a feature, ordered by input column
    cell_tree: np.ndarray  # int
    cell_slot: np.ndarray  # int
    cell_features: np.ndarray  # int, the input columns, ascending
    cell_start: np.ndarray  # int, first cell of each of them
    expected: float
    splits_per_tree: np.ndarray  # int [trees]


class _Unsupported(Exception):
    pass


_CACHE: weakref.WeakKeyDictionary[lgb.Booster, _Trees | None] = weakref.WeakKeyDictionary()


def contributions(booster: lgb.Booster, x: np.ndarray) -> np.ndarray:
    """SHAP values [rows, features + 1] (last column the expected value), equal to
    booster.predict(x, pred_contrib=True). Models this does not tabulate (several outputs,
    trees of more than MAX_SPLITS splits) go to LightGBM's own code."""
    x = np.asarray(x, dtype=np.float64)
    trees = _trees(booster)
    if trees is None:
        return np.asarray(booster.predict(x, pred_contrib=True))
    n, k = x.shape
    out = np.zeros((n, k + 1))
    out[:, k] = trees.expected
    cells = max(1, trees.tree_features.size)
    step = max(1, CHUNK_CELLS // cells)
    for start in range(0, n, step):
        _chunk(trees, x[start:start + step], out[start:start + step])
    return out


def supported(booster: lgb.Booster) -> bool:
    """Whether `contributions` tabulates this model (else it calls LightGBM's pred_contrib)."""
    return _trees(booster) is not None


def _chunk(trees: _Trees, x: np.ndarray, out: np.ndarray) -> None:
    n = len(x)
    if trees.tree_splits.size == 0:
        return
    # rows along the last axis: every step reads and writes contiguous rows of memory
    left = np.zeros((len(trees.feature) + 1, n), dtype=np.int64)  # last row: padding
    left[:-1] = goes_left(trees, x)
    pattern = np.zeros((len(trees.tree_splits), n), dtype=np.int64)
    for k in range(trees.tree_splits.shape[1]):
        pattern |= left[trees.tree_splits[:, k]] << k
    # the table cell of each (tree, feature used) for each row, ordered by input column
    pattern *= trees.table.shape[2]
    pattern += trees.tree_base[:, None]
    values = trees.table.ravel()[pattern[trees.cell_tree] + trees.cell_slot[:, None]]
    out[:, trees.cell_features] += np.add.reduceat(values, trees.cell_start, axis=0).T


def goes_left(trees: _Trees, x: np.ndarray) -> np.ndarray:
    """[splits, rows]: whether each row takes the left branch of each split, decided as
    LightGBM's NumericalDecision and CategoricalDecision decide."""
    xt = np.ascontiguousarray(x.T)
    left = np.zeros((len(trees.feature), len(x)), dtype=bool)
    numeric = np.flatnonzero(~trees.categorical)
    if len(numeric):
        v = xt[trees.feature[numeric]]  # [numerical splits, rows]
        nan = np.isnan(v)
        with np.errstate(invalid="ignore"):
            goes = v <= trees.threshold[numeric, None]
        # NaN: the default side where NaN (or zero) is the missing value, else NaN reads as 0
        goes = np.where(nan, trees.nan_left[numeric, None], goes)
        zero = np.flatnonzero(trees.missing[numeric] == _ZERO)
        if len(zero):  # zero is the missing value: |v| <= 1e-35 goes to the default side
            near = (np.abs(v[zero]) <= ZERO) | nan[zero]
            goes[zero] = np.where(near, trees.default_left[numeric[zero], None], goes[zero])
        left[numeric] = goes
    columns = np.flatnonzero(trees.categorical)
    if len(columns):
        # a category code per row, once per input column: C++'s int cast truncates toward
        # zero (-0.5 is category 0); NaN, negative codes and codes beyond every split's
        # bitset read as `size`, a category no split sends left
        size = trees.categories.shape[1] - 1
        used, slot = np.unique(trees.feature[columns], return_inverse=True)
        values = xt[used]
        values = np.where(np.isnan(values), -1.0, values)
        np.clip(values, -1.0, size, out=values)
        codes = values.astype(np.int64)
        codes[codes < 0] = size
        left[columns] = trees.categories.ravel()[codes[slot] + (columns * (size + 1))[:, None]]
    return left


def leaves(booster: lgb.Booster, x: np.ndarray) -> np.ndarray:
    """[rows, trees]: the leaf each row reaches in each tree, from the tabulated splits (for
    checking them against booster.predict(x, pred_leaf=True))."""
    trees = _trees(booster)
    if trees is None:
        raise ValueError("this model's trees are not tabulated (see MAX_SPLITS)")
    left = goes_left(trees, np.asarray(x, dtype=np.float64)).T
    out = np.zeros((len(x), len(trees.tree_splits)), dtype=np.int64)
    first = 0
    for t, info in enumerate(booster.dump_model()["tree_info"]):
        split = first
        ids: dict[int, int] = {}
        stack = [info["tree_structure"]]
        while stack:  # the pre-order numbering of _flatten
            node = stack.pop()
            if "split_index" in node:
                ids[id(node)] = split
                split += 1
                stack.extend([node["right_child"], node["left_child"]])
        for row in range(len(x)):
            node = info["tree_structure"]
            while "split_index" in node:
                node = node["left_child" if left[row, ids[id(node)]] else "right_child"]
            out[row, t] = node.get("leaf_index", 0)
        first = split
    return out


def _trees(booster: lgb.Booster) -> _Trees | None:
    if booster not in _CACHE:
        try:
            _CACHE[booster] = _flatten(booster)
        except _Unsupported:
            _CACHE[booster] = None
    return _CACHE[booster]


@dataclass
class _Leaf:
    value: float
    path: list[tuple[int, bool, int, float]]  # (local split, goes left, feature, cover)


def _flatten(booster: lgb.Booster) -> _Trees:
    dump = booster.dump_model()
    if dump.get("num_class", 1) != 1 or dump.get("num_tree_per_iteration", 1) != 1:
        raise _Unsupported("several outputs")
    feature: list[int] = []
    threshold: list[float] = []
    default_left: list[bool] = []
    missing: list[int] = []
    cat_sets: list[list[int] | None] = []
    tree_splits: list[list[int]] = []
    tree_features: list[list[int]] = []
    tables: list[np.ndarray] = []
    expected = 0.0
    for info in dump["tree_info"]:
        first = len(feature)
        leaves_: list[_Leaf] = []
        stack: list[tuple[dict, list[tuple[int, bool, int, float]]]] = [
            (info["tree_structure"], [])]
        while stack:  # pre-order: a node, its left subtree, its right subtree
            node, path = stack.pop()
            if "split_index" not in node:
                leaves_.append(_Leaf(float(node["leaf_value"]), path))
                continue
            local = len(feature) - first
            if local >= MAX_SPLITS:
                raise _Unsupported("trees too deep to tabulate")
            feature.append(int(node["split_feature"]))
            default_left.append(bool(node["default_left"]))
            missing.append(_MISSING[node["missing_type"]])
            if node["decision_type"] == "==":
                threshold.append(np.nan)
                cat_sets.append([int(c) for c in str(node["threshold"]).split("||")])
            else:
                threshold.append(float(node["threshold"]))
                cat_sets.append(None)
            count = float(node["internal_count"])
            children = []
            for key, go_left in (("left_child", True), ("right_child", False)):
                child = node[key]
                c = float(child.get("internal_count", child.get("leaf_count", 0)))
                children.append((child, [*path, (local, go_left, feature[-1],
                                                 c / count if count > 0 else 0.0)]))
            stack.extend(reversed(children))
        splits = len(feature) - first
        used = list(dict.fromkeys(feature[first:]))
        table, tree_expected = _tree_table(leaves_, splits, used)
        expected += tree_expected
        tree_splits.append(list(range(first, len(feature))))
        tree_features.append(used)
        tables.append(table)
    width = max((len(s) for s in tree_splits), default=0)
    depth = max((len(f) for f in tree_features), default=0)
    padded = np.zeros((len(tables), 1 << width, max(depth, 1)))
    for t, table in enumerate(tables):
        padded[t, :table.shape[0], :table.shape[1]] = table
    n = len(feature)
    # one column more than the largest category: where invalid codes look (never left)
    size = max((max(s) for s in cat_sets if s), default=-1) + 1
    categories = np.zeros((n, size + 1), dtype=bool)
    for s, cats in enumerate(cat_sets):
        if cats:
            categories[s, cats] = True
    columns = np.array([f + [-1] * (depth - len(f)) for f in tree_features],
                       dtype=np.int64).reshape(len(tree_features), depth)
    cell_tree, cell_slot = np.nonzero(columns >= 0)
    order = np.argsort(columns[cell_tree, cell_slot], kind="stable")
    cell_tree, cell_slot = cell_tree[order], cell_slot[order]
    cell_features, cell_start = np.unique(columns[cell_tree, cell_slot], return_index=True)
    return _Trees(
        feature=np.array(feature, dtype=np.int64), threshold=np.array(threshold, dtype=float),
        default_left=np.array(default_left, dtype=bool),
        missing=np.array(missing, dtype=np.int64),
        # NaN takes the default side when NaN is the missing value (or zero is, since NaN
        # then reads as 0); otherwise NaN reads as 0, compared with the threshold
        nan_left=np.array([d if m != _NONE else 0.0 <= t
                           for d, m, t in zip(default_left, missing, threshold, strict=True)],
                          dtype=bool),
        categorical=np.array([c is not None for c in cat_sets], dtype=bool),
        categories=categories,
        tree_splits=np.array([s + [n] * (width - len(s)) for s in tree_splits],
                             dtype=np.int64).reshape(len(tree_splits), width),
        tree_features=columns, table=padded,
        tree_base=np.arange(len(tables), dtype=np.int64) * padded.shape[1] * padded.shape[2],
        cell_tree=cell_tree, cell_slot=cell_slot, cell_features=cell_features,
        cell_start=cell_start, expected=expected,
        splits_per_tree=np.array([len(s) for s in tree_splits], dtype=np.int64))


def _tree_table(leaves_: list[_Leaf], splits: int, used: list[int]
                ) -> tuple[np.ndarray, float]:
    """[2^splits patterns, features used]: the tree's SHAP values for every pattern of
    directions (bit k: left at local split k); and the tree's expected value."""
    patterns = np.arange(1 << splits)
    goes = (patterns[:, None] >> np.arange(max(splits, 1))) & 1 == 1  # [pattern, split]
    table = np.zeros((1 << splits, len(used)))
    expected = 0.0
    for leaf in leaves_:
        order = list(dict.fromkeys(f for _, _, f, _ in leaf.path))
        z = np.array([math.prod(c for _, _, f, c in leaf.path if f == j) for j in order])
        expected += leaf.value * float(np.prod(z))
        if not order:
            continue
        # the mask of the leaf's features whose every split on the path the pattern follows
        mask = np.zeros(len(patterns), dtype=np.int64)
        for bit, j in enumerate(order):
            follows = np.ones(len(patterns), dtype=bool)
            for local, go_left, f, _ in leaf.path:
                if f == j:
                    follows &= goes[:, local] == go_left
            mask |= follows.astype(np.int64) << bit
        values = _leaf_table(leaf.value, z)  # [2^d masks, d]
        for bit, j in enumerate(order):
            table[:, used.index(j)] += values[mask, bit]
    return table, expected


def _leaf_table(value: float, z: np.ndarray) -> np.ndarray:
    """[2^d, d]: each path feature's SHAP value for each mask of the features whose path
    conditions hold."""
    d = len(z)
    masks = np.arange(1 << d)
    bits = (masks[:, None] >> np.arange(d)) & 1  # [mask, feature]
    size = bits.sum(axis=1)
    weight = np.array([math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d)
                       for k in range(d)] + [0.0])
    # part[S, i] = w(|S|) prod_{j not in S, j != i} z_j for S without i, else 0
    free = (bits == 0)[:, None, :] & ~np.eye(d, dtype=bool)[None, :, :]  # [S, i, j]
    outside = np.where(free, z[None, None, :], 1.0).prod(axis=2)
    part = np.where(bits == 0, weight[size][:, None] * outside, 0.0)
    # sum over the subsets S of each mask (zeta transform over the d bits)
    for b in range(d):
        has = (masks >> b) & 1 == 1
        part[has] += part[masks[has] ^ (1 << b)]
    return value * (bits - z[None, :]) * part
