"""The labelled evaluation set and the precision / recall of screening on it.

The set is the hand-written cases of evalset.py, plus generated variants of its listed names
(one or two typos, word order, another legal form, punctuation and case, Cyrillic script),
plus a background of invented entries in the list and invented names to screen that match
nothing. Everything is deterministic for a seed.

Counting: a case with a true entry is found when that entry is among its matches (a true
positive); every other match of any case is a false positive. precision = TP / (TP + FP),
recall = TP / number of cases with a true entry.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .entries import build_entry
from .evalset import ENTRIES, NEGATIVES, POSITIVES
from .index import WatchlistIndex
from .model import KIND_ALIASES, Kind, Match, Party, WatchlistEntry
from .screen import Screener
from .synthetic import PERTURBATIONS, synthetic_parties, synthetic_watchlist

BACKGROUND_ENTRIES = 5_000
BACKGROUND_NAMES = 2_000


@dataclass(frozen=True, slots=True)
class Case:
    party: Party
    truth: str | None
    category: str


@dataclass
class Metrics:
    threshold: float
    tp: int
    fp: int
    positives: int
    missed: dict[str, int] = field(default_factory=dict)  # category -> cases not found
    false: dict[str, int] = field(default_factory=dict)  # category -> false matches

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.positives if self.positives else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def handcrafted_entries() -> list[WatchlistEntry]:
    out = []
    for entry_id, kind, country, name, aliases in ENTRIES:
        def fail(column: str, message: str, entry_id: str = entry_id) -> None:
            raise ValueError(f"evalset entry {entry_id}, {column}: {message}")

        entry = build_entry(entry_id, KIND_ALIASES[kind], [name, *aliases],
                            [country] if country else [], fail)
        if entry is not None:
            out.append(entry)
    return out


def build_set(seed: int = 1) -> tuple[list[WatchlistEntry], list[Case]]:
    """The watchlist (hand-written + background) and the labelled cases."""
    listed = handcrafted_entries()
    background = synthetic_watchlist(BACKGROUND_ENTRIES, seed=seed * 1000 + 7)
    cases = [Case(Party(f"H{i}", name, country or None), truth, category)
             for i, (name, country, truth, category) in enumerate(POSITIVES)]
    cases += [Case(Party(f"X{i}", name, country or None), None, category)
              for i, (name, country, category) in enumerate(NEGATIVES)]
    cases += generated_variants(listed, seed)
    fresh = synthetic_parties(background, BACKGROUND_NAMES, seed=seed * 1000 + 8,
                              variant_share=0.0)
    cases += [Case(Party(f"B{i}", p.name, p.country), None, "background")
              for i, (p, _) in enumerate(fresh)]
    return listed + background, cases


def generated_variants(entries: Iterable[WatchlistEntry], seed: int) -> list[Case]:
    """Each perturbation applied to the primary name of each listed company and person."""
    rng = random.Random(seed)
    out: list[Case] = []
    for entry in entries:
        if entry.kind not in (Kind.COMPANY, Kind.PERSON):
            continue
        for how, perturb in PERTURBATIONS.items():
            if how == "legal_form" and entry.kind is not Kind.COMPANY:
                continue
            if how == "script" and not entry.name.isascii():
                continue
            name = perturb(entry.name, rng)
            party = Party(f"G{len(out)}", name, entry.countries[0] if entry.countries else None)
            out.append(Case(party, entry.id, f"generated_{how}"))
    return out


def score_cases(entries: Sequence[WatchlistEntry], cases: Sequence[Case],
                threshold: float) -> list[Match]:
    screener = Screener(WatchlistIndex(entries), threshold=threshold)
    return list(screener.screen([c.party for c in cases]))


def measure(cases: Sequence[Case], matches: Sequence[Match], threshold: float) -> Metrics:
    """Precision and recall of the matches at or above `threshold`."""
    truth = {c.party.id: c for c in cases}
    found: set[str] = set()
    false: Counter[str] = Counter()
    for m in matches:
        if m.score < threshold:
            continue
        case = truth[m.name_id]
        if case.truth == m.watchlist_id:
            found.add(m.name_id)
        else:
            false[case.category] += 1
    positives = [c for c in cases if c.truth]
    missed = Counter(c.category for c in positives if c.party.id not in found)
    return Metrics(threshold, len(found), sum(false.values()), len(positives),
                   dict(missed), dict(false))


def evaluate(threshold: float, seed: int = 1) -> Metrics:
    """Screen the set at `threshold` (as the CLI would) and measure."""
    entries, cases = build_set(seed)
    return measure(cases, score_cases(entries, cases, threshold), threshold)
