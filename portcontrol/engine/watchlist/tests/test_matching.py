"""Screening: true matches, non-matches, thresholds, explanations, identifiers, determinism.

Every name is invented. The list mixes scripts and shares common words on purpose.
"""

from __future__ import annotations

import random

import pytest

from portcontrol.engine.watchlist.blocking import token_frame
from portcontrol.engine.watchlist.features import align_tokens, token_similarity
from portcontrol.engine.watchlist.index import WatchlistIndex
from portcontrol.engine.watchlist.model import Kind, Party, WatchlistEntry
from portcontrol.engine.watchlist.normalize import normalize_name
from portcontrol.engine.watchlist.prescore import BOOST, name_bounds
from portcontrol.engine.watchlist.screen import DEFAULT_THRESHOLD, Screener
from portcontrol.engine.watchlist.synthetic import PERTURBATIONS, invent_company, invent_person

ENTRIES = [
    WatchlistEntry("W1", Kind.COMPANY, ("ООО «Тарвелин Транс»", "Tarvelin Trans LLC"), ("KZ",)),
    WatchlistEntry("W2", Kind.COMPANY, ("Tarvelin Logistics LLC",), ("KZ",)),
    WatchlistEntry("W3", Kind.COMPANY, ("Qumdarlik Savdo MChJ",), ("UZ",)),
    WatchlistEntry("W4", Kind.COMPANY, ("АО «Шалкытемир»",), ("KZ",)),
    WatchlistEntry("W5", Kind.PERSON, ("Кумтебаева Айнагуль Сериковна",), ("KZ",)),
    WatchlistEntry("W6", Kind.COMPANY, ("Mirzavand Global Trading LLC",), ("AE",)),
    WatchlistEntry("W7", Kind.VESSEL, ("Velmara Star",), ("PA",), imo_numbers=("9321483",)),
    WatchlistEntry("W8", Kind.CONTAINER, ("TCLU7654320",), container_numbers=("TCLU7654320",)),
    WatchlistEntry("W9", Kind.COMPANY, ("ТОО «Жетыкумбай Строй»",), ("KZ",)),
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    rng = random.Random(5)
    # a background of invented entries, so that weights and blocking work as on a real list
    filler = [WatchlistEntry(f"F{i}", Kind.COMPANY, (invent_company(rng),), ("TR",))
              for i in range(300)]
    filler += [WatchlistEntry(f"P{i}", Kind.PERSON, (invent_person(rng),), ("RU",))
               for i in range(100)]
    return Screener(WatchlistIndex(ENTRIES + filler), workers=0)


def best(screener: Screener, name: str, country: str | None = None) -> tuple[str | None, float]:
    matches = screener.screen_batch([Party("q", name, country)])
    return (matches[0].watchlist_id, matches[0].score) if matches else (None, 0.0)


@pytest.mark.parametrize(
    ("name", "expected", "why"),
    [
        ("Tarvelin Trans LLC", "W1", "exact alias"),
        ("Тарвелин Транс", "W1", "Cyrillic, no legal form"),
        ("TARVELIN TRANS TOO", "W1", "Kazakh legal form in Latin"),
        ("Tarvelin Trans MChJ", "W1", "Uzbek legal form"),
        ("ТАРВЕЛИН-ТРАНС ООО", "W1", "punctuation, legal form at the end"),
        ("Trans Tarvelin OOO", "W1", "word order"),
        ("Tarvelln Trans", "W1", "one typo"),
        ("Tarvelin Tarns", "W1", "swapped letters"),
        ("Tarvlein Trnas LLC", "W1", "two typos"),
        ("TarvelinTrans", "W1", "run together"),
        ("Kumdarlik Savdo OOO", "W3", "q/k romanisation, ООО for MChJ"),
        ("Кумдарлик Савдо МЧЖ", "W3", "Cyrillic with МЧЖ"),
        ("Qumdarliq Savdo LLC", "W3", "LLC for MChJ"),
        ("Shalkytemir JSC", "W4", "АО / JSC"),
        ("Shalqytemir AO", "W4", "Kazakh q"),
        ("Shalkitemir", "W4", "y / i"),
        ("Ainagul Kumtebayeva", "W5", "person, word order, no patronymic"),
        ("KUMTEBAEVA AINAGUL SERIKOVNA", "W5", "person in Latin capitals"),
        ("Кумтебаева А.С.", "W5", "initials"),
        ("Mirzavand Global Trading L.L.C", "W6", "dotted legal form"),
        ("Zhetykumbai Stroi LLP", "W9", "romanisation and LLP for ТОО"),
        ("Jetykumbay Stroy TOO", "W9", "zh / j"),
    ],
)
def test_true_matches(screener: Screener, name: str, expected: str, why: str) -> None:
    found, score = best(screener, name)
    assert found == expected, why
    assert score >= DEFAULT_THRESHOLD, why


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Tarvelin Trading LLC", "shares the distinctive word, differs in the business word"),
        ("Global Trading LLC", "common words only"),
        ("Savdo Trans MChJ", "common words only"),
        ("Mirzavand Shipping LLC", "another firm of the same family name"),
        ("Kumtebayev Nurlan", "relative: same family name, another given name"),
        ("Ainagul Serikbayeva", "same given name, another family"),
        ("Zhetykumbay Agro LLP", "another business of the same name"),
        ("IMO 9321484", "IMO number with a wrong check digit"),
        ("TCLU7654321", "container number with a wrong check digit"),
    ],
)
def test_non_matches(screener: Screener, name: str, why: str) -> None:
    found, score = best(screener, name)
    assert score < DEFAULT_THRESHOLD, f"{why}: matched {found} at {score}"


def test_sibling_never_outranks_the_entry(screener: Screener) -> None:
    matches = screener.screen_batch([Party("q", "Tarvelin Trans")])
    assert [m.watchlist_id for m in matches][:1] == ["W1"]


def test_identifiers_match_exactly(screener: Screener) -> None:
    assert best(screener, "MV VELMARA STAR IMO 9321483") == ("W7", 1.0)
    assert best(screener, "TCLU 765432-0") == ("W8", 1.0)
    by_column = screener.screen_batch([Party("q", "", imo_number="9321483")])
    assert [m.watchlist_id for m in by_column] == ["W7"]


def test_country_is_a_small_boost_or_penalty(screener: Screener) -> None:
    _, none = best(screener, "Tarvelin Tarns")
    _, same = best(screener, "Tarvelin Tarns", "KZ")
    _, other = best(screener, "Tarvelin Tarns", "CN")
    assert other < none < same
    assert same - other <= 0.1


def test_explanations_in_english_and_russian(screener: Screener) -> None:
    match = screener.screen_batch([Party("q", "TARVELIN TRANS TOO", "KZ")])[0]
    assert match.explanation_en == (
        "name matches alias 'Tarvelin Trans LLC', legal form TOO = LLC (1.00); same country (KZ)")
    assert match.score == 1.0
    assert "та же страна (KZ)" in match.explanation_ru
    assert "правовая форма TOO = LLC" in match.explanation_ru
    cyrillic = screener.screen_batch([Party("q", "Shalkytemir AO", "UZ")])[0]
    assert "after transliteration" in cyrillic.explanation_en
    assert "после транслитерации" in cyrillic.explanation_ru
    assert "different country (UZ; listed KZ)" in cyrillic.explanation_en


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9, 0.97])
def test_threshold_filters(screener: Screener, threshold: float) -> None:
    names = [Party(str(i), n) for i, n in enumerate(
        ["Tarvelin Trans", "Tarvelln Tarns", "Tarvelin Trading", "Shalkitemir"])]
    at = Screener(screener.index, threshold=threshold, workers=0).screen_batch(names)
    assert all(m.score >= threshold for m in at)
    # every match above the threshold is also found when screening lower
    low = {(m.name_id, m.watchlist_id) for m in
           Screener(screener.index, threshold=0.5, workers=0).screen_batch(names)}
    assert {(m.name_id, m.watchlist_id) for m in at} <= low


def test_threshold_must_be_a_share() -> None:
    with pytest.raises(ValueError):
        Screener(WatchlistIndex(ENTRIES), threshold=1.5)


def test_deterministic(screener: Screener) -> None:
    rng = random.Random(3)
    parties = [Party(str(i), invent_company(rng)) for i in range(300)]
    parties += [Party("t", "Tarvelln Trans"), Party("s", "Шалкытемир")]
    first = [(m.name_id, m.watchlist_id, m.score, m.explanation_en)
             for m in screener.screen(parties)]
    again = [(m.name_id, m.watchlist_id, m.score, m.explanation_en)
             for m in screener.screen(list(reversed(parties)))]
    assert sorted(first) == sorted(again)
    assert first == [(m.name_id, m.watchlist_id, m.score, m.explanation_en)
                     for m in screener.screen(parties)]


def test_worker_processes_give_the_same_matches(screener: Screener,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import portcontrol.engine.watchlist.screen as screen_module

    rng = random.Random(4)
    parties = [Party(str(i), invent_company(rng)) for i in range(2500)]
    parties += [Party("t", "Tarvelln Trans"), Party("s", "Шалкытемир")]
    serial = list(screener.screen(parties))
    monkeypatch.setattr(screen_module, "PARALLEL_MIN", 100)
    monkeypatch.setattr(screen_module, "BATCH_SIZE", 1200)
    parallel = list(Screener(screener.index, workers=2).screen(parties))
    assert parallel == serial


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [("trans", "trans", True), ("trans", "tarns", True), ("des", "dis", True),
     ("belogrudova", "beloglazova", False), ("1", "2", False), ("p", "petr", True),
     ("trade", "trading", False)],
)
def test_token_similarity(a: str, b: str, similar: bool) -> None:
    assert (token_similarity(a, b) > 0) is similar


def test_bound_is_never_below_the_exact_name_score(screener: Screener) -> None:
    """prescore may only skip pairs that cannot reach the threshold."""
    import polars as pl

    rng = random.Random(9)
    index = screener.index
    # unrelated names against random rows, and perturbed listed names against their own row
    raw = [invent_company(rng) for _ in range(150)] + [
        "Tarvelln Trans", "Tarvelin", "TarvelinTrans", "Petr K.", "Trans Tarvelin Trans"]
    rows = [rng.randrange(len(index.rows)) for _ in raw]
    for row in range(0, len(index.rows), 3):
        perturb = rng.choice(list(PERTURBATIONS.values()))
        raw.append(perturb(index.rows[row].norm.raw, rng))
        rows.append(row)
    names = [normalize_name(n) for n in raw]

    pairs = pl.DataFrame({"q": list(range(len(names))), "row": rows},
                         schema={"q": pl.UInt32, "row": pl.UInt32})
    qtokens = token_frame([n.tokens for n in names], index.weight)
    frame = name_bounds(pairs, qtokens, index.tokens, index.joined)
    bounds = dict(zip(frame["q"].to_list(), frame["bound"].to_list(), strict=True))
    for q, (norm, row) in enumerate(zip(names, rows, strict=True)):
        if not norm.tokens:
            continue
        exact = align_tokens(norm.tokens, index.rows[row].norm.tokens,
                             [index.weight(t) for t in norm.tokens], index.row_weights[row]).score
        # the name part of the bound alone (screening adds the actual country and legal-form
        # features to it before scoring a party exactly)
        assert bounds[q] - BOOST + 1e-9 >= exact, (norm.raw, index.rows[row].norm.raw)
    # With a floor, the bounds at or above it are the same; the others stay below it.
    for floor in (0.8, 0.9):
        floored = name_bounds(pairs, qtokens, index.tokens, index.joined, floor=floor)
        cuts = dict(zip(floored["q"].to_list(), floored["bound"].to_list(), strict=True))
        assert cuts.keys() == bounds.keys()
        for q, full in bounds.items():
            cut = cuts[q]
            assert cut == pytest.approx(full, abs=1e-12) if full >= floor else cut < floor


def _variants(rng: random.Random) -> list[Party]:
    """Names of the list and invented ones, each written several ways that share their
    tokens (legal form, case, punctuation), under several countries."""
    bases = ["Tarvelin Trans", "Tarvelln Trans", "Qumdarlik Savdo", "Shalkytemir",
             "Mirzavand Global Trading", "Kumtebaeva Ainagul", "Zhetykumbai Stroi",
             "Tarvlein Trnas", "Tarvelin Logistik", "Shalqytemirov", "Mirzavand Trading",
             *[invent_company(rng) for _ in range(20)]]
    # near misses of listed names: one or two slips, another word order or script
    listed = [entry.names[0] for entry in ENTRIES if entry.kind is not Kind.CONTAINER]
    for _ in range(40):
        perturb = rng.choice(list(PERTURBATIONS.values()))
        bases.append(perturb(perturb(rng.choice(listed), rng), rng))
    forms = ["", " LLC", " JSC", " TOO", " Co., Ltd.", " S.A."]
    parties = []
    for i, base in enumerate(bases):
        for j, form in enumerate(forms):
            name = (base + form) if j % 2 else (base + form).upper()
            for country in (None, "KZ", "TR", "AE"):
                parties.append(Party(f"{i}-{j}-{country}", name, country))
    rng.shuffle(parties)
    return parties


def _seen(matches: list) -> list[tuple]:
    return [(m.name_id, m.watchlist_id, m.score, m.explanation_en, m.explanation_ru)
            for m in matches]


def test_screening_many_at_once_gives_each_party_its_own_matches(screener: Screener) -> None:
    """Screening works on distinct names and on distinct token strings (names that differ
    only in legal form, case or punctuation share the blocking and bounds): a batch gives
    every party exactly the matches it gets when screened alone."""
    parties = _variants(random.Random(11))
    together = _seen(screener.screen_batch(parties))
    alone = [m for party in parties for m in _seen(screener.screen_batch([party]))]
    assert together == alone
    assert any(m[1] == "W1" for m in together)


def test_party_bounds_skip_only_pairs_that_cannot_match(screener: Screener,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """The bound with the party's own country and legal form (Screener._cannot_reach) only
    spares exact scoring of pairs that would fall below the threshold."""
    parties = _variants(random.Random(12))
    for threshold in (0.7, DEFAULT_THRESHOLD, 0.9):
        pruned = Screener(screener.index, threshold=threshold, workers=0)
        kept = _seen(pruned.screen_batch(parties))
        monkeypatch.setattr(Screener, "_cannot_reach", lambda *args: False)
        assert _seen(pruned.screen_batch(parties)) == kept
        monkeypatch.undo()
