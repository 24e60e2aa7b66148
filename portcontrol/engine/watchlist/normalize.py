"""Turn a party or watchlist name into comparable tokens.

The pipeline, in order (each step says why it is there):

1. NFKC + casefold, drop dots and apostrophes, split on everything else that is not a letter
   or digit. Dots go because "S.A." / "Co.,Ltd." / "Ш.П.С." must become one token; apostrophes
   go because Uzbek and Georgian Latin spellings carry them inconsistently (O'zbek, Oʻzbek, Ozbek).
2. Legal forms are taken out of the name and kept aside as a coarse class (llc, jsc, sp...).
   rigour's org-type database does the work (ООО, LLC, GmbH, MChJ, АО, ОАО, ЗАО, S.A., Co. Ltd.,
   ИП...); a short supplement adds the Latin spellings of Central Asian and Caucasian forms that
   the database misses (TOO, ZhShS, MChZh, IP, XK, ASC, ShPS, ОсОО) — only at the edges of a name,
   where legal forms stand, so that a word inside a name is never eaten.
3. Non-Latin tokens are transliterated with ICU's CLDR BGN transforms (Kazakh, Uzbek, Georgian,
   then Russian through Kazakh's superset), with normality's ASCII folding for whatever is left.
4. Every token is folded to a "skeleton" that merges the romanisation variants a shipper may
   type for the same sound (Kaspiy / Kaspij / Kaspii / Caspiy all become "kaspi"). This is not a
   transliteration table: both sides are already Latin, it only forgives spelling conventions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import normality
from icu import Transliterator  # type: ignore[import-untyped]
from rigour.names import extract_org_types
from rigour.text.normalize import Normalize

# CLDR transforms shipped with ICU. Kazakh BGN covers the Russian alphabet too, plus Қ Ғ Ө Ұ Ү Һ І;
# Uzbek adds Ў Ҳ; Georgian BGN handles Mkhedruli; Any-Latin catches the rest (Greek, Armenian...).
_TRANSLIT_ID = (
    "Kazakh-Latin/BGN; Uzbek-Latin/BGN; Georgian-Latin/BGN; Any-Latin; "
    "NFKD; [:Nonspacing Mark:] Remove; Latin-ASCII"
)
_TRANSLIT = Transliterator.createInstance(_TRANSLIT_ID)
_ORG_FLAGS = Normalize.CASEFOLD | Normalize.NAME

_DROP = re.compile(r"[.'’‘ʻʼ`´\"]")
_DROP_TABLE = str.maketrans(dict.fromkeys(".'’‘ʻʼ`´\"", None))
# Letters and digits, with combining marks kept inside words (the dot of a casefolded Turkish İ).
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_INITIALS = re.compile(r"(?<![\w.])(\w)\.(\w)\.(?:(\w)\.)?(?!\w)")

# rigour's generic targets folded into the classes we compare: an LLP (Kazakh ТОО) and an LLC
# (ООО, MChJ) are the same thing for screening purposes.
_CLASS = {"llp": "llc", "ngo": "ngo"}

# Latin spellings of regional legal forms that rigour's database does not list (checked against
# rigour 2.6). Keyed by the token after step 1. "asc" is overridden because rigour maps it to
# "ngo", while in Azerbaijan it is the open joint-stock company (Açıq Səhmdar Cəmiyyəti).
EDGE_LEGAL_FORMS: dict[str, str] = {
    "too": "llc", "тоо": "llc", "zhshs": "llc", "jshs": "llc", "жшс": "llc",
    "mchzh": "llc", "mchj": "llc", "shps": "llc", "шпс": "llc",
    "ip": "sp", "ип": "sp", "chp": "sp", "чп": "sp", "xk": "sp", "хк": "sp",
    "aj": "jsc", "аж": "jsc", "asc": "jsc", "qsc": "jsc", "ss": "jsc", "сс": "jsc",
    "ммс": "llc", "qk": "jv", "ққ": "jv", "осоо": "llc", "osoo": "llc", "жшқ": "llc",
    "jshk": "llc", "ақ": "jsc", "aq": "jsc", "aş": "jsc",
}

# Ordered folds on lower-case ASCII; order matters, longer clusters first. Plain replacements
# are done with str.replace (fast), the few that need context with a regex.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("shch", "s"), ("sch", "s"), ("sh", "s"),  # Şirvan / Shirvan / Ширван; Щ
    ("dzh", "j"), ("dj", "j"), ("zh", "j"),  # Uzbek j = ж = zh
    ("ch", "c"),  # Çinar / Chinar
    ("kh", "h"), ("gh", "g"), ("ts", "c"), ("tz", "c"), ("ck", "k"), ("ph", "f"),
)
_X_BEFORE_CONSONANT = re.compile(r"x(?=[^aeiouy]|$)")  # Export, Textile: x is "ks"
_HARD_C = re.compile(r"c(?=[aoulrktdnms]|$)")  # Caspian, Cargo, -ics: the k of Cyrillic forms
_LETTERS = str.maketrans({"x": "h", "q": "k", "w": "v", "y": "i"})  # Uzbek x, Kazakh q; й/ы
_FINAL_J = re.compile(r"(?<=[aeiou])j$")  # scholarly й at the end: Kaspij, Sergej
_DOUBLES = re.compile(r"(.)\1+")
_YO = re.compile(r"io(?=[^aeiou])")  # ё before a consonant: Pyotr / Petr / Пётр (BGN: e)


class NormName(NamedTuple):  # a NamedTuple: one is built per screened name, so it must be cheap
    """A name ready for comparison.

    tokens are the skeleton forms without legal forms; forms the legal-form classes found and
    form_words the legal forms as written (for the explanation); non_latin says the original was
    written (at least partly) in another script, which the explanation mentions too. key and
    run are computed here, once, because screening looks them up for every name.
    """

    raw: str
    tokens: tuple[str, ...]
    forms: frozenset[str] = frozenset()
    form_words: tuple[str, ...] = ()
    non_latin: bool = False
    key: str = ""  # the tokens sorted: an exact key that ignores word order
    run: str = ""  # the tokens run together: an exact key that ignores spacing


def split_tokens(text: str) -> list[str]:
    """Step 1: casefolded tokens of letters and digits."""
    if not text.isascii():
        # casefold turns Turkish İ into i + U+0307; the dot would split "LİMİTED"
        text = unicodedata.normalize("NFKC", text).casefold().replace("\u0307", "")
    else:
        text = text.casefold()
    if "." in text:
        text = _INITIALS.sub(_initials, text)
    return _WORD.findall(text.translate(_DROP_TABLE))


def _initials(found: re.Match[str]) -> str:
    """Dotted single letters: a legal form stays one token ("S.A.", "L.L.C."), a person's
    initials become one token each ("Иванов И.П." but not "ип": see EDGE_LEGAL_FORMS)."""
    letters = [g for g in found.groups() if g]
    joined = "".join(letters)
    return joined if _is_legal_form(joined) else " ".join(letters) + " "


@lru_cache(maxsize=4096)
def _is_legal_form(token: str) -> bool:
    return token in EDGE_LEGAL_FORMS or bool(
        extract_org_types(token, normalize_flags=_ORG_FLAGS, generic=True))


def take_legal_forms(tokens: list[str]) -> tuple[list[str], set[str], list[str]]:
    """Step 2: the tokens without legal forms, the legal-form classes and words found."""
    forms: set[str] = set()
    words: list[str] = []
    if not tokens:
        return tokens, forms, words
    found = extract_org_types(" ".join(tokens), normalize_flags=_ORG_FLAGS, generic=True)
    if not found and tokens[0] not in EDGE_LEGAL_FORMS and tokens[-1] not in EDGE_LEGAL_FORMS:
        return tokens, forms, words  # most names: no legal form at all
    rest = list(tokens)
    for matched, target in found:
        forms.add(_CLASS.get(target, target))
        words.append(matched)
        rest = _remove_sequence(rest, matched.split())
    while len(rest) > 1 and rest[0] in EDGE_LEGAL_FORMS:  # the supplement, at the edges only
        words.append(rest[0])
        forms.add(EDGE_LEGAL_FORMS[rest.pop(0)])
    while len(rest) > 1 and rest[-1] in EDGE_LEGAL_FORMS:
        words.append(rest[-1])
        forms.add(EDGE_LEGAL_FORMS[rest.pop()])
    if not rest:  # the whole name was a legal form ("ООО"); keep it rather than nothing
        return list(tokens), forms, words
    return rest, forms, words


def _remove_sequence(tokens: list[str], seq: list[str]) -> list[str]:
    """Remove the first occurrence of the token sequence `seq` (a matched legal form)."""
    n = len(seq)
    for i in range(len(tokens) - n + 1):
        if tokens[i : i + n] == seq:
            return tokens[:i] + tokens[i + n :]
    return tokens


@lru_cache(maxsize=2**18)
def to_ascii(token: str) -> str:
    """Step 3 for one token (cached: tokens repeat far more than names do)."""
    if token.isascii():
        return token
    out = _TRANSLIT.transliterate(token)
    if not out.isascii():
        out = normality.ascii_text(out)
    return _DROP.sub("", out).lower()


@lru_cache(maxsize=2**18)
def skeleton(token: str) -> str:
    """Step 4: fold romanisation variants of one ASCII token."""
    if token.isdigit():
        return token
    for old, new in _DIGRAPHS:
        if old in token:
            token = token.replace(old, new)
    if "x" in token:
        token = _X_BEFORE_CONSONANT.sub("ks", token)
    if "c" in token:
        token = _HARD_C.sub("k", token)
    token = token.translate(_LETTERS).replace("ie", "e")  # Yelena / Elena
    if token.endswith("j"):
        token = _FINAL_J.sub("i", token)
    if "io" in token:
        token = _YO.sub("e", token)
    if _DOUBLES.search(token):  # doubled letters: Kassym / Kasym, Mariia / Maria
        token = _DOUBLES.sub(r"\1", token)
    return token


def is_non_latin(text: str) -> bool:
    """True if the text has letters outside the Latin script (Cyrillic, Georgian...)."""
    if text.isascii():
        return False
    return any(_non_latin_letter(ch) for ch in set(text) if not ch.isascii())


@lru_cache(maxsize=2**14)
def _non_latin_letter(ch: str) -> bool:
    return ch.isalpha() and not unicodedata.name(ch, "LATIN").startswith("LATIN")


@lru_cache(maxsize=2**18)
def fold(token: str) -> tuple[str, ...]:
    """Steps 3 and 4 for one token; a transliteration may split it (rare scripts)."""
    if token.isascii() and token.isalnum():  # the common case, without the regex
        return (skeleton(token),)
    return tuple(skeleton(part) for part in _WORD.findall(to_ascii(token)))


def normalize_name(raw: str) -> NormName:
    """The full pipeline for one name."""
    tokens, forms, words = take_legal_forms(split_tokens(raw))
    out: list[str] = []
    for token in tokens:
        out.extend(fold(token))
    return NormName(raw, tuple(out), frozenset(forms) if forms else _NO_FORMS, tuple(words),
                    not raw.isascii() and is_non_latin(raw), " ".join(sorted(out)), "".join(out))


_NO_FORMS: frozenset[str] = frozenset()
