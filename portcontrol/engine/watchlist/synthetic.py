"""Invented watchlists and party names for benchmarks and the evaluation set.

Every name is made up from syllables; nothing here names a real person or company. The
perturbations imitate what happens to a name between a register and a manifest: another script,
another legal form, words swapped, punctuation, one or two slips of the keyboard.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from icu import Transliterator  # type: ignore[import-untyped]

from .model import Kind, Party, WatchlistEntry

# Syllables with letters that Latin-Russian/BGN turns into Cyrillic cleanly (no c, q, w, x).
_ONSETS = ("b", "d", "g", "k", "l", "m", "n", "r", "s", "t", "v", "z", "zh", "sh", "kh", "ch",
           "y", "ts", "p", "f")
_VOWELS = ("a", "o", "u", "e", "i", "ya", "yu")
_CODAS = ("", "", "", "n", "r", "l", "m", "k", "t", "s", "sh", "y", "bek", "dor", "kul", "tay")
COMMON = ("Trans", "Trade", "Trading", "Logistics", "Group", "Service", "Stroy", "Invest",
          "Agro", "Export", "Import", "Cargo", "Shipping", "Holding", "Textile", "Energy",
          "Systems", "Industries", "Savdo", "Technology")
COMMON_RU = {"Trans": "Транс", "Trade": "Трейд", "Trading": "Трейдинг",
             "Logistics": "Логистикс", "Group": "Групп", "Service": "Сервис",
             "Stroy": "Строй", "Invest": "Инвест", "Agro": "Агро", "Export": "Экспорт",
             "Import": "Импорт", "Cargo": "Карго", "Shipping": "Шиппинг",
             "Holding": "Холдинг", "Textile": "Текстиль", "Energy": "Энерджи",
             "Systems": "Системс", "Industries": "Индастриз", "Savdo": "Савдо",
             "Technology": "Текнолоджи"}
LEGAL_LATIN = ("LLC", "OOO", "TOO", "MChJ", "Ltd", "GmbH", "S.A.", "Co., Ltd.", "JSC", "AO",
               "LLP", "MMC")
LEGAL_CYRILLIC = ("ООО", "ТОО", "МЧЖ", "АО", "ОАО", "ЗАО", "ИП")
LLC_FAMILY = ("LLC", "OOO", "ООО", "TOO", "ТОО", "MChJ", "МЧЖ", "Ltd", "GmbH", "LLP")
COUNTRIES = ("KZ", "UZ", "RU", "AZ", "GE", "KG", "TJ", "TM", "TR", "AE", "CN", "IR")

_TO_CYRILLIC = Transliterator.createInstance("Latin-Russian/BGN")


def invent_word(rng: random.Random, syllables: tuple[int, int] = (2, 3)) -> str:
    n = rng.randint(*syllables)
    word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                   for _ in range(n))
    return word.capitalize()


class Vocabulary:
    """A fixed pool of invented words, so that words recur across names as real ones do
    (many firms share a place name or a founder's name); None invents a fresh word each time."""

    def __init__(self, rng: random.Random, size: int | None):
        self.words = [invent_word(rng) for _ in range(size)] if size else []

    def pick(self, rng: random.Random, syllables: tuple[int, int] = (2, 3)) -> str:
        return rng.choice(self.words) if self.words else invent_word(rng, syllables)


_FRESH = Vocabulary(random.Random(0), None)


def invent_company(rng: random.Random, vocab: Vocabulary = _FRESH) -> str:
    words = [vocab.pick(rng) for _ in range(rng.choice((1, 1, 2)))]
    if rng.random() < 0.7:
        words.append(rng.choice(COMMON))
    form = rng.choice(LEGAL_LATIN)
    return f"{form} {' '.join(words)}" if rng.random() < 0.3 else f"{' '.join(words)} {form}"


def invent_person(rng: random.Random, vocab: Vocabulary = _FRESH) -> str:
    given = vocab.pick(rng, (2, 2))
    family = vocab.pick(rng, (1, 2)) + rng.choice(("ov", "ev", "bekov", "aliev", "enko", "dze"))
    if rng.random() < 0.3:
        return f"{family} {given} {vocab.pick(rng, (1, 2))}ovich"
    return f"{given} {family}"


def imo_with_check(six: int) -> str:
    digits = f"{six:06d}"
    check = sum(int(d) * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return digits + str(check)


def container_with_check(owner: str, serial: int) -> str:
    from portcontrol.core.containers import check_digit

    first = f"{owner}U{serial:06d}"
    return first + check_digit(first)


def to_cyrillic(text: str) -> str:
    """Write an invented Latin name in Cyrillic (common words and legal forms by hand)."""
    out = []
    for word in text.split():
        bare = word.strip(",.")
        if bare in COMMON_RU:
            out.append(COMMON_RU[bare])
        elif word in ("LLC", "OOO", "Ltd", "GmbH", "LLP"):
            out.append("ООО")
        elif word in ("JSC", "AO", "S.A."):
            out.append("АО")
        elif word in ("TOO",):
            out.append("ТОО")
        elif word in ("MChJ",):
            out.append("МЧЖ")
        elif word in ("Co.,", "Ltd.", "MMC"):
            continue
        else:
            out.append(_TO_CYRILLIC.transliterate(word))
    return " ".join(out)


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip inside a word: a letter dropped, doubled, swapped or replaced."""
    spots = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i - 1].isalpha()]
    if not spots:
        return text
    i = rng.choice(spots)
    how = rng.randrange(4)
    if how == 0:
        return text[:i] + text[i + 1:]
    if how == 1:
        return text[:i] + text[i] + text[i:]
    if how == 2 and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    letters = "абвгдеклмнопрст" if ord(text[i]) > 0x400 else "abdeiklmnoprstu"
    return text[:i] + rng.choice(letters.replace(text[i].lower(), "")) + text[i + 1:]


def swap_words(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) < 2:
        return text
    i = rng.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def swap_legal_form(text: str, rng: random.Random) -> str:
    """Replace an LLC-family form by another member of the family, or add one."""
    words = text.split()
    kept = [w for w in words if w not in LLC_FAMILY and w not in ("Co.,", "Ltd.")]
    form = rng.choice(LLC_FAMILY)
    return f"{form} {' '.join(kept)}" if rng.random() < 0.5 else f"{' '.join(kept)} {form}"


def punctuate(text: str, rng: random.Random) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    words[i] = f'"{words[i]}"' if rng.random() < 0.5 else words[i] + ","
    return " ".join(words).upper() if rng.random() < 0.5 else " ".join(words)


PERTURBATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "typo1": typo,
    "typo2": lambda t, r: typo(typo(t, r), r),
    "word_order": swap_words,
    "legal_form": swap_legal_form,
    "punctuation": punctuate,
    "script": lambda t, r: to_cyrillic(t),
}


def synthetic_watchlist(size: int, seed: int, vocab: Vocabulary = _FRESH
                        ) -> list[WatchlistEntry]:
    """`size` invented entries: 70% companies, 20% persons, 5% vessels, 5% containers."""
    rng = random.Random(seed)
    entries: list[WatchlistEntry] = []
    for i in range(size):
        roll = rng.random()
        country = (rng.choice(COUNTRIES),)
        if roll < 0.70:
            name = invent_company(rng, vocab)
            aliases = (to_cyrillic(name),) if rng.random() < 0.4 else ()
            entries.append(WatchlistEntry(f"S{i}", Kind.COMPANY, (name, *aliases), country))
        elif roll < 0.90:
            entries.append(WatchlistEntry(f"S{i}", Kind.PERSON, (invent_person(rng, vocab),),
                                          country))
        elif roll < 0.95:
            name = "MV " + vocab.pick(rng)
            entries.append(WatchlistEntry(f"S{i}", Kind.VESSEL, (name,), country,
                                          imo_numbers=(imo_with_check(100000 + i),)))
        else:
            number = container_with_check("PCX", i)
            entries.append(WatchlistEntry(f"S{i}", Kind.CONTAINER, (number,),
                                          container_numbers=(number,)))
    return entries


def synthetic_parties(entries: list[WatchlistEntry], size: int, seed: int,
                      variant_share: float = 0.05, vocab: Vocabulary = _FRESH
                      ) -> list[tuple[Party, str | None]]:
    """`size` parties to screen with the entry each was derived from (None for fresh names):
    `variant_share` of them are perturbed names of listed entries, the rest invented."""
    rng = random.Random(seed)
    named = [e for e in entries if e.kind in (Kind.COMPANY, Kind.PERSON)]
    kinds = tuple(PERTURBATIONS)
    out: list[tuple[Party, str | None]] = []
    for i in range(size):
        country = rng.choice(COUNTRIES)
        if named and rng.random() < variant_share:
            entry = rng.choice(named)
            name = PERTURBATIONS[rng.choice(kinds)](entry.name, rng)
            out.append((Party(f"N{i}", name, country), entry.id))
        else:
            maker = invent_company if rng.random() < 0.8 else invent_person
            out.append((Party(f"N{i}", maker(rng, vocab), country), None))
    return out
