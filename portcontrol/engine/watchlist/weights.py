"""How much each token tells about identity (an inverse document frequency with priors).

Why weights: "Kaspiy Trading" and "Kaspiy Logistics" share the distinctive word and differ only in
a word that thousands of companies carry, while "Zubr Trading" and "Kaspiy Trading" share only
that common word. Counting every token alike gets both wrong.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import polars as pl

from .normalize import skeleton

# Words that mark a line of business, not an identity. Their weight is capped even in a small
# watchlist, where the frequency count alone cannot know they are common. Written as people
# spell them; compared in skeleton form (see normalize.skeleton), like every token.
_COMMON_SPELLINGS = """
    trans transport trade trading treiding logistics logistic logistik logistika group grupp
    grup grupa guruh guruhi service services servis xizmat khizmat hizmet xidmet xidmat
    qyzmet stroy stroi stroitel qurilish qurylys insaat tikinti construction build invest
    investment holding agro export eksport import eksim cargo kargo shipping marine morskoi
    deniz daniz international internasional global oil neft munai gas gaz energy energi
    energo petro petrol chemical chemicals kimia khimiya himiya textile tekstil
    industry industries industrial sanoat sanayi sanaye
    prom savdo sauda ticaret ticarat tijarat tijaret tijorat dis tashqi foreign system
    systems sistem technology technologies tekhnologiya tech tekh market marketing center
    centre tsentr plus star express ekspress food products product produkt commerce
    kommerts business biznes partner partners united universal general metal metall auto
    avto motors expo mega capital kapital finance finans develop development corporation
    korporatsiya
    """
COMMON_WORDS = frozenset(skeleton(w) for w in _COMMON_SPELLINGS.split())

# Carry almost no identity at all: articles, conjunctions, ship prefixes, and the words for
# "company" that are not legal forms ("Co.", "Company", "Firma"), written or left out at will.
STOPWORDS = frozenset(skeleton(w) for w in ["the", "and", "of", "i", "va", "ve", "und", "et", "mv", "mt", "ms", "co", "company", "kompaniya", "kompania", "firma", "firm", "sirket", "sirketi", "sirkati"])

# Patronymic endings (skeleton forms): an omitted patronymic is common and weak evidence.
PATRONYMIC_ENDINGS = ("ovik", "evik", "ovna", "evna", "ogli", "ugli", "kizi", "uli")

_COMMON_LIST = sorted(COMMON_WORDS)
_STOP_LIST = sorted(STOPWORDS)
COMMON_WEIGHT = 1.2
STOPWORD_WEIGHT = 0.3
PATRONYMIC_FACTOR = 0.35
MIN_WEIGHT = 0.3


CACHE_MAX = 500_000  # weights of query tokens remembered by one index


class TokenWeights:
    """Token → weight, from the watchlist's own token frequencies plus the priors above."""

    def __init__(self, token_sets: Iterable[frozenset[str]]):
        df: Counter[str] = Counter()
        n = 0
        for tokens in token_sets:
            n += 1
            df.update(tokens)
        self.df = df
        self.n = max(n, 1)
        self._cache: dict[str, float] = {}
        self._df_frame = pl.DataFrame({"tok": list(df), "df": list(df.values())},
                                      schema={"tok": pl.String, "df": pl.Float64})

    def __call__(self, token: str) -> float:
        cached = self._cache.get(token)
        if cached is None:
            if len(self._cache) >= CACHE_MAX:  # an index may serve a process for months
                self._cache.clear()
            cached = self._cache[token] = self._weight(token)
        return cached

    def of(self, tokens: pl.Series) -> pl.Series:
        """The same weights for a whole column of tokens at once (for blocking)."""
        frame = tokens.rename("tok").to_frame().join(self._df_frame, on="tok", how="left",
                                                      maintain_order="left")
        tok = pl.col("tok")
        common = tok.is_in(_COMMON_LIST) | (
            tok.str.ends_with("s") & tok.str.slice(0, tok.str.len_chars() - 1).is_in(
                _COMMON_LIST))
        weight = (1 + self.n / (pl.col("df").fill_null(0.0) + 1)).log()
        weight = pl.when(common).then(pl.min_horizontal(weight, COMMON_WEIGHT)).otherwise(weight)
        patronymic = (tok.str.len_chars() > 5) & pl.any_horizontal(
            [tok.str.ends_with(e) for e in PATRONYMIC_ENDINGS])
        weight = pl.when(patronymic).then(weight * PATRONYMIC_FACTOR).otherwise(weight)
        stop = tok.is_in(_STOP_LIST) | (tok.str.len_chars() == 1)
        weight = pl.when(stop).then(STOPWORD_WEIGHT).otherwise(
            pl.max_horizontal(weight, MIN_WEIGHT))
        return frame.select(w=weight)["w"]

    def _weight(self, token: str) -> float:
        if token in STOPWORDS or len(token) == 1:
            return STOPWORD_WEIGHT
        weight = math.log(1 + self.n / (self.df.get(token, 0) + 1))
        if token in COMMON_WORDS or (token[-1] == "s" and token[:-1] in COMMON_WORDS):
            weight = min(weight, COMMON_WEIGHT)  # plurals too: "Services", "Logistics"
        if len(token) > 5 and token.endswith(PATRONYMIC_ENDINGS):
            weight *= PATRONYMIC_FACTOR
        return max(weight, MIN_WEIGHT)
