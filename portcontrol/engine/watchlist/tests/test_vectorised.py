"""The vectorised blocking and prescore steps against plain Python definitions of the same
quantities, and the batching of a screening: speed must not change a single value."""

from __future__ import annotations

import random

import polars as pl
import pytest
from rapidfuzz.distance import Levenshtein

from portcontrol.engine.watchlist.blocking import token_frame
from portcontrol.engine.watchlist.features import (
    CONFLICT_PENALTY,
    TOKEN_FLOOR,
    token_similarity,
)
from portcontrol.engine.watchlist.index import WatchlistIndex
from portcontrol.engine.watchlist.model import Kind, WatchlistEntry
from portcontrol.engine.watchlist.normalize import normalize_name
from portcontrol.engine.watchlist.prescore import BOOST, name_bounds
from portcontrol.engine.watchlist.screen import _batches
from portcontrol.engine.watchlist.synthetic import PERTURBATIONS, invent_company, invent_person


@pytest.fixture(scope="module")
def index() -> WatchlistIndex:
    rng = random.Random(21)
    entries = [WatchlistEntry(f"C{i}", Kind.COMPANY, (invent_company(rng),), ("KZ",))
               for i in range(250)]
    entries += [WatchlistEntry(f"P{i}", Kind.PERSON, (invent_person(rng),), ("RU",))
                for i in range(150)]
    entries.append(WatchlistEntry("T", Kind.COMPANY, ("Tarvelin Trans LLC", "TarvelinTrans"),
                                  ("KZ",)))
    return WatchlistIndex(entries)


def test_token_frame_rows(index: WatchlistIndex) -> None:
    """Owner, position and the attributes of every token, in token order, names without
    tokens left out."""
    lists = [("tarvelin", "trans"), (), "kaspi 2 p", ("a",)]
    frame = token_frame(lists, index.weight)
    expected = [(owner, pos, tok) for owner, toks in enumerate(lists)
                for pos, tok in enumerate(toks.split(" ") if isinstance(toks, str) else toks)
                if tok]
    assert list(zip(frame["owner"].to_list(), frame["pos"].to_list(), frame["tok"].to_list(),
                    strict=True)) == expected
    assert frame["w"].to_list() == [index.weight(t) for _, _, t in expected]
    assert frame["len"].to_list() == [len(t) for _, _, t in expected]
    assert frame["digits"].to_list() == [t.isdigit() for _, _, t in expected]
    assert frame["first"].to_list() == [t[0] for _, _, t in expected]


def _reference_bound(q: tuple[str, ...], c: tuple[str, ...], wq: list[float],
                     wc: list[float]) -> float:
    """The bound as prescore's module documentation defines it, pair by pair in Python."""
    best = [0.0] * len(q)
    q_matched, c_matched = [False] * len(q), [False] * len(c)
    for i, a in enumerate(q):
        for j, b in enumerate(c):
            if abs(len(a) - len(b)) > 3 and len(a) != 1 and len(b) != 1:
                continue
            sim = token_similarity(a, b)
            if sim > 0:
                best[i] = max(best[i], sim * (wq[i] + wc[j]))
                q_matched[i] = c_matched[j] = True
    lone = min(max(sum(wq) - sum(w for w, m in zip(wq, q_matched, strict=True) if m), 0.0),
               max(sum(wc) - sum(w for w, m in zip(wc, c_matched, strict=True) if m), 0.0))
    align = min(max((sum(best) - 2 * CONFLICT_PENALTY * lone) / (sum(wq) + sum(wc)), 0.0), 1.0)
    joined = 0.0
    if len(q) != len(c):
        joined = Levenshtein.normalized_similarity("".join(q), "".join(c))
        joined = joined if joined >= TOKEN_FLOOR else 0.0
    return max(align, joined) + BOOST


def test_name_bounds_match_their_definition(index: WatchlistIndex) -> None:
    rng = random.Random(22)
    raw, rows = [], []
    for _ in range(300):  # listed names with slips against their own row and random rows
        row = rng.randrange(len(index.rows))
        perturb = rng.choice(list(PERTURBATIONS.values()))
        raw.append(perturb(index.rows[row].norm.raw, rng))
        rows.append(row if rng.random() < 0.7 else rng.randrange(len(index.rows)))
    raw += ["Tarvelin Trans", "Tarvelln", "Tarvelin Trans Trans", "T. Tarvelin", "Tarvelintrans"]
    rows += [len(index.rows) - 2] * 5
    names = [normalize_name(n) for n in raw]
    pairs = pl.DataFrame({"q": list(range(len(names))), "row": rows},
                         schema={"q": pl.UInt32, "row": pl.UInt32})
    qtokens = token_frame([n.tokens for n in names], index.weight)
    frame = name_bounds(pairs, qtokens, index.tokens, index.joined)
    bounds = dict(zip(frame["q"].to_list(), frame["bound"].to_list(), strict=True))
    checked = 0
    for q, (norm, row) in enumerate(zip(names, rows, strict=True)):
        if not norm.tokens:
            continue
        listed = index.rows[row].norm.tokens
        expected = _reference_bound(norm.tokens, listed, [index.weight(t) for t in norm.tokens],
                                    index.row_weights[row])
        assert bounds[q] == pytest.approx(expected, abs=1e-12), (norm.raw, listed)
        checked += 1
    assert checked > 250


def test_batches_grow_to_their_size() -> None:
    sizes = [len(b) for b in _batches(range(1000), 100)]
    assert sizes == [20, 40, 80, 100, 100, 100, 100, 100, 100, 100, 100, 60]
    assert [x for b in _batches(range(1000), 100) for x in b] == list(range(1000))
