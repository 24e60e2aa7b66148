"""Listed addresses against the addresses of manifest parties.

An address is not a name: "Office 12, 5 Neftchilar Avenue, Baku" and "5 Neftchilar ave,
office 12, Baku AZ1000" are one place although their words differ, and "Neftchilar ave 5" is
another place than "Neftchilar ave 7" although only one digit differs. rigour's address
comparison knows this (address keywords and their abbreviations in many languages, numbers
that must agree, Cyrillic and Latin spellings, any order); this module only blocks and
explains.

Blocking: each listed address is filed under the first four letters of each word of its
rigour fingerprint (numbers left out), so a misspelt street still meets its listing; a
party's address is compared only with the listed addresses that share such a key, and a key
held by more listed addresses than the cap is not used (a city's name says little). When
both sides name a country and the countries differ, the address is another place and is not
compared.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from rigour.addresses import address_fingerprint, compare_address

from .features import country_feature
from .model import FeatureResult, Kind, Match, Party, WatchlistEntry

# Scores of rigour's comparison, measured here. The same place written otherwise: 0.75-0.97
# ("Neftchilar ave 5" / "пр. Нефтчиляр, 5" 0.75; "56 Salyan Hwy., Sumgait" / "56 Salyan
# Highway, Sumqayit" 0.77; "ул. Ленина, д. 5, офис 12" / "ul. Lenina 5, of. 12" 0.96); with
# the street-type word in another language, once street_words has made it English: 0.91-1.0
# ("Neftchilar ave 5" / "Нефтчиляр проспект 5" 0.62 before, 0.91 after; "Senagat St. 27" /
# "Senagat kochesi 27" 0.67 before, 0.97 after). Other places: the same street and number in
# another city 0.61-0.71 (the longer the street's name, the higher), another house on the
# same street 0.0-0.30. Rigour's own accuracy-optimal cut (0.3) is for
# deduplication; here the cut sits above most other-city pairs and below the loose
# spellings of the same place that matter (a listed place missed is worse than a hit an
# officer dismisses, as for names: docs/watchlists.md).
ADDRESS_THRESHOLD = 0.70
POSTING_CAP = 200
KEY_LETTERS = 4

# Street-type words of the region's languages, and Russian's, as the English word rigour
# knows: rigour reads "St." and "street" as one word but not "kochesi" or "проспект", so the
# same place written in two languages scored below the cut ("Senagat St. 27" / "Senagat
# kochesi 27" 0.69). Keys are lower case without apostrophes (ko'chasi, koʻchasi: kochasi).
STREET_TYPES = {
    **dict.fromkeys((
        "kochasi", "kochesi", "kuchasi", "kocha", "kucha", "küçəsi", "küçə", "kucesi",
        "küçesi", "köçesi", "kocesi", "koshesi", "köşesi", "көшесі", "көше", "кучаси",
        "кўчаси", "кўча", "улица", "ул", "ulitsa", "ulica", "ul", "ქუჩა", "sokak", "sokağı",
        "sokagi", "gali"), "street"),
    **dict.fromkeys((
        "prospekti", "prospekt", "prospektisi", "prosp", "проспект", "просп", "пр-т",
        "даңғылы", "dangyly", "caddesi", "cadde", "шохкучаси", "shohkochasi"), "avenue"),
    **dict.fromkeys(("shosse", "shossesi", "şossesi", "şosesi", "шоссе", "avtomagistral"),
                    "highway"),
    **dict.fromkeys(("döngə", "döngəsi", "dongasi", "dongesi", "переулок", "пер", "pereulok"),
                    "lane"),
}
_APOSTROPHES = str.maketrans("", "", "'ʻ‘’`ʼ")
_WORD = re.compile(r"[^\W\d_][\w'ʻ‘’`ʼ-]*")


@lru_cache(maxsize=2**16)
def street_words(address: str) -> str:
    """The address with its street-type words in English (the rest as written)."""
    def english(word: re.Match[str]) -> str:
        return STREET_TYPES.get(word.group().lower().translate(_APOSTROPHES), word.group())
    return _WORD.sub(english, address)


@lru_cache(maxsize=2**16)
def block_keys(address: str) -> frozenset[str]:
    """The blocking keys of an address: the first letters of its fingerprint's words."""
    fingerprint = address_fingerprint(street_words(address)) or ""
    return frozenset(word[:KEY_LETTERS] for word in fingerprint.split()
                     if len(word) >= KEY_LETTERS and not word.isdigit())


class AddressIndex:
    """The addresses of a watchlist's address entries (each entry's names are its address
    and other spellings of it)."""

    def __init__(self, entries: Iterable[WatchlistEntry]):
        self.entries = [e for e in entries if e.kind is Kind.ADDRESS]
        # (entry position, address as listed, its street_words, is_alias)
        self.rows: list[tuple[int, str, str, bool]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self.entries):
            for n, address in enumerate(dict.fromkeys(a for a in entry.names if a.strip())):
                row = len(self.rows)
                self.rows.append((i, address, street_words(address), n > 0))
                for key in block_keys(address):
                    postings[key].append(row)
        self.postings = {k: rows for k, rows in postings.items() if len(rows) <= POSTING_CAP}

    def __len__(self) -> int:
        return len(self.entries)

    def screen(self, parties: Sequence[Party], threshold: float = ADDRESS_THRESHOLD
               ) -> list[Match]:
        """Matches of the parties' addresses (Party.name holds the address) at or above the
        threshold: per party, the best listed address of each entry, best first. A manifest
        repeats its parties' addresses: each distinct (address, country) is compared once."""
        out: list[Match] = []
        done: dict[tuple[str, str | None], list[Match]] = {}
        for party in parties:
            address = (party.name or "").strip()
            if not address:
                continue
            country = party.country.strip().upper() if party.country else None
            if (address, country) not in done:
                done[address, country] = self._matches(address, country, threshold)
            out.extend(replace(m, name_id=party.id) for m in done[address, country])
        return out

    def _matches(self, address: str, country: str | None, threshold: float) -> list[Match]:
        rows = {r for key in block_keys(address) for r in self.postings.get(key, ())}
        english = street_words(address)
        best: dict[int, Match] = {}
        for row in sorted(rows):
            entry_pos, listed, listed_english, is_alias = self.rows[row]
            entry = self.entries[entry_pos]
            if country and entry.countries and country not in entry.countries:
                continue  # another country: another place
            score = round(compare_address(english, listed_english), 4)
            if score < threshold or (entry_pos in best and best[entry_pos].score >= score):
                continue
            best[entry_pos] = Match(
                name_id="", watchlist_id=entry.id, score=score, kind=entry.kind,
                matched_name=listed,
                features=(_address_feature(listed, score, is_alias),
                          country_feature(country, entry.countries)))
        return sorted(best.values(), key=lambda m: (-m.score, m.watchlist_id))


def _address_feature(listed: str, score: float, is_alias: bool) -> FeatureResult:
    what_en = "another spelling of listed address" if is_alias else "listed address"
    what_ru = "другим написанием адреса из списка" if is_alias else "адресом из списка"
    return FeatureResult("address", score, f"address matches {what_en} '{listed}' ({score:.2f})",
                         f"адрес совпадает с {what_ru} «{listed}» ({score:.2f})")
