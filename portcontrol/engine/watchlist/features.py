"""Matching features: small pure functions returning a value and a human explanation.

The algorithm is the declarative list ALGORITHM of (feature, weight); the score of a pair is the
weighted sum of the feature values, clipped to 0..1. The name feature is worth 0..1 and carries
the decision; country and legal form nudge it up or down by a few points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz.distance import OSA, Levenshtein

from .model import FeatureResult
from .normalize import NormName, to_ascii

# Run-together names ("KaspiyTrans") below this similarity are different names.
TOKEN_FLOOR = 0.7
# Both names keep words the other lacks ("Kaspiy Trading" / "Kaspiy Logistics"): this is the
# signature of two different companies that share a word, so it costs more than an omission.
CONFLICT_PENALTY = 1.0
INITIAL_SIMILARITY = 0.75


def token_similarity(a: str, b: str) -> float:
    """Similarity of two skeleton tokens: 1 equal, below 1 a misspelling (1 - edits / length),
    0 different words."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:  # an initial stands for a given name (P. Ivanov)
        return INITIAL_SIMILARITY if a[0] == b[0] and a.isalpha() else 0.0
    longest = max(len(a), len(b))
    edits = max_edits(longest)
    if abs(len(a) - len(b)) > edits or a.isdigit() or b.isdigit():
        return 0.0  # too far apart; and "Trans 1" and "Trans 2" are different firms
    # OSA: a swapped pair of letters (Tarns / Trans) is one slip of the hand, not two.
    distance = OSA.distance(a, b, score_cutoff=edits)
    return 1.0 - distance / longest if distance <= edits else 0.0


def max_edits(length: int) -> int:
    """Slips forgiven in a word of this length: one in a short word, two up to eleven letters,
    three beyond. Fewer would miss two typos in a name; more would call Belogrudova and
    Beloglazova the same family."""
    return 1 if length <= 5 else 2 if length <= 11 else 3


class Alignment(NamedTuple):  # a NamedTuple: built for every candidate pair, so it must be cheap
    score: float
    misspelt: bool  # some aligned pair is not identical
    reordered: bool  # aligned tokens stand in another order
    missing: bool  # one side has tokens the other lacks
    joined: bool  # matched only as one run of letters ("KaspiyTrans" / "Kaspiy Trans")


def _greedy(q: Sequence[str], c: Sequence[str]) -> list[tuple[float, int, int]]:
    """One-to-one token pairs (similarity, i, j), most similar first (ties by position)."""
    scored = []
    for i, a in enumerate(q):
        for j, b in enumerate(c):
            sim = 1.0 if a == b else token_similarity(a, b)
            if sim > 0.0:
                scored.append((-sim, i, j))
    scored.sort()
    used_q = used_c = 0  # bit sets: names have few tokens
    chosen = []
    for neg, i, j in scored:
        if not (used_q >> i) & 1 and not (used_c >> j) & 1:
            used_q |= 1 << i
            used_c |= 1 << j
            chosen.append((-neg, i, j))
    return chosen


def align_tokens(q: Sequence[str], c: Sequence[str], wq: Sequence[float],
                 wc: Sequence[float]) -> Alignment:
    """Weighted one-to-one alignment of two token lists (greedy on similarity).

    score = sum(sim * (w_q + w_c)) over aligned pairs / sum of all weights, minus a penalty
    when both sides keep unaligned tokens (see CONFLICT_PENALTY).
    """
    if tuple(q) == tuple(c):
        return Alignment(1.0 if q else 0.0, False, False, False, False)
    chosen = _greedy(q, c)
    matched = sum(sim * (wq[i] + wc[j]) for sim, i, j in chosen)
    left_q = sum(wq) - sum(wq[i] for _, i, _ in chosen)
    left_c = sum(wc) - sum(wc[j] for _, _, j in chosen)
    total = sum(wq) + sum(wc)
    score = (matched - CONFLICT_PENALTY * 2 * min(left_q, left_c)) / total if total else 0.0
    in_q_order = [j for _, _, j in sorted(chosen, key=lambda p: p[1])]
    result = Alignment(max(score, 0.0), any(sim < 1.0 for sim, _, _ in chosen),
                       in_q_order != sorted(in_q_order), len(chosen) < max(len(q), len(c)),
                       False)
    if len(q) != len(c):  # a name may be written with or without spaces between its words
        joined = Levenshtein.normalized_similarity("".join(q), "".join(c))
        if joined >= TOKEN_FLOOR and joined > result.score:
            return Alignment(joined, joined < 1.0, False, False, True)
    return result


# ---- explanations -----------------------------------------------------------------------


def _name_phrases(a: Alignment, q: NormName, c: NormName) -> tuple[str, str]:
    en: list[str] = []
    ru: list[str] = []
    if q.non_latin != c.non_latin:
        en.append("after transliteration")
        ru.append("после транслитерации")
    if q.forms and q.forms == c.forms and _ascii_words(q) != _ascii_words(c):
        qw, cw = " ".join(q.form_words).upper(), " ".join(c.form_words).upper()
        en.append(f"legal form {qw} = {cw}")
        ru.append(f"правовая форма {qw} = {cw}")
    if a.reordered:
        en.append("word order differs")
        ru.append("другой порядок слов")
    if a.joined:
        en.append("spacing differs")
        ru.append("слова написаны слитно или раздельно")
    if a.misspelt:
        en.append("spelling differs")
        ru.append("расхождения в написании")
    if a.missing:
        en.append("some words missing")
        ru.append("часть слов отсутствует")
    return ", ".join(en), ", ".join(ru)


def _ascii_words(n: NormName) -> list[str]:
    return [to_ascii(w) for w in n.form_words]


def name_feature(q: NormName, c: NormName, wq: Sequence[float], wc: Sequence[float], *,
                 is_alias: bool, alignment: Alignment | None = None) -> FeatureResult:
    """How alike the two names are (0..1), saying which listed name matched and how.

    `alignment` is align_tokens(q.tokens, c.tokens, wq, wc) when the caller already has it."""
    a = alignment or align_tokens(q.tokens, c.tokens, wq, wc)
    how_en, how_ru = _name_phrases(a, q, c)
    what_en = "alias" if is_alias else "name"
    what_ru = "псевдонимом" if is_alias else "наименованием"
    en = f"name matches {what_en} '{c.raw}'" + (f", {how_en}" if how_en else " exactly")
    ru = f"имя совпадает с {what_ru} «{c.raw}»" + (f", {how_ru}" if how_ru else " полностью")
    return FeatureResult("name", a.score, f"{en} ({a.score:.2f})", f"{ru} ({a.score:.2f})")


def country_feature(q_country: str | None, countries: Sequence[str]) -> FeatureResult:
    """+1 same country, -1 another country, 0 when either side has none."""
    if not q_country or not countries:
        return FeatureResult("country", 0.0)
    listed = ", ".join(countries)
    if q_country in countries:
        return FeatureResult("country", 1.0, f"same country ({q_country})",
                             f"та же страна ({q_country})")
    return FeatureResult("country", -1.0, f"different country ({q_country}; listed {listed})",
                         f"другая страна ({q_country}; в списке {listed})")


LEGAL_FORM_NAMES = {
    "llc": ("LLC", "ООО"), "jsc": ("JSC", "АО"), "sp": ("sole proprietor", "ИП"),
    "soe": ("state enterprise", "ГУП"), "jv": ("joint venture", "СП"),
}


def legal_form_feature(q: NormName, c: NormName) -> FeatureResult:
    """-1 when both names state legal forms and they differ (an LLC is not a JSC), else 0."""
    if not q.forms or not c.forms or q.forms & c.forms:
        return FeatureResult("legal_form", 0.0)
    qa, ca = _form_label(q.forms), _form_label(c.forms)
    return FeatureResult("legal_form", -1.0, f"different legal form ({qa[0]} vs {ca[0]})",
                         f"другая правовая форма ({qa[1]} и {ca[1]})")


def _form_label(forms: frozenset[str]) -> tuple[str, str]:
    form = min(forms)
    return LEGAL_FORM_NAMES.get(form, (form.upper(), form.upper()))


def identifier_feature(kind: str, number: str) -> FeatureResult:
    """An exact IMO or container number match is the whole case: value 1."""
    if kind == "imo":
        return FeatureResult("imo", 1.0, f"IMO number {number} matches exactly",
                             f"номер ИМО {number} совпадает")
    return FeatureResult("container", 1.0, f"container number {number} matches exactly",
                         f"номер контейнера {number} совпадает")


@dataclass(frozen=True, slots=True)
class WeightedFeature:
    name: str
    weight: float


# The matching algorithm for names. Country agreement is a small boost, disagreement a small
# penalty: a manifest's country is the party's address, which need not be where it is listed.
ALGORITHM: tuple[WeightedFeature, ...] = (
    WeightedFeature("name", 1.0),
    WeightedFeature("country", 0.04),
    WeightedFeature("legal_form", 0.05),
)


def combine(results: Sequence[FeatureResult],
            algorithm: Sequence[WeightedFeature] = ALGORITHM) -> float:
    """Weighted sum of feature values, clipped to 0..1."""
    weights = {f.name: f.weight for f in algorithm}
    total = sum(weights.get(r.name, 0.0) * r.value for r in results)
    return min(1.0, max(0.0, total))

