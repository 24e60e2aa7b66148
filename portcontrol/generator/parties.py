"""Parties to a consignment: repeat traders with a skewed frequency, one-off newcomers, brokers.

Each (role, country) has a pool of regular parties drawn with Zipf-like weights, so a few
appear on many bills of lading and most rarely; a share of consignments goes to a newcomer
seen once. A party is a number; its name and address are a pure function of (seed, role,
country, number), which keeps output identical however the run is chunked.
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np
import polars as pl

from .names_data import (
    ADDRESS,
    CITIES,
    COUNTRY_STYLE,
    CYR_A,
    CYR_B,
    CYR_COUNTRIES,
    CYR_PATTERNS,
    GROUPS,
    STEMS,
    STREETS,
    WORDS,
    ZH_ZONES,
)
from portcontrol.reference.vendored import ports

SHIPPER, CONSIGNEE, BROKER, AGENCY = 0, 1, 2, 3
ONE_OFF_SHARE = {SHIPPER: 0.12, CONSIGNEE: 0.15, BROKER: 0.0, AGENCY: 0.0}
ZIPF_OFFSET = 4.0  # flattens the head: the top party is frequent, not dominant
_MASK = (1 << 64) - 1


def mix(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps): stable across runs and platforms."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h = (h ^ (v & _MASK)) & _MASK
        h = (h + 0x9E3779B97F4A7C15) & _MASK
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK
        h ^= h >> 31
    return h


def _text_key(text: str) -> int:
    return int.from_bytes(text.encode()[:8].ljust(8, b"\0"), "little")


def mix_array(n: int, *values: int | np.ndarray) -> np.ndarray:
    """mix() over arrays: one 64-bit hash per row (numpy wraps uint64 arithmetic)."""
    h = np.full(n, 0x9E3779B97F4A7C15, dtype=np.uint64)
    golden, c1, c2 = (np.uint64(x) for x in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9,
                                              0x94D049BB133111EB))
    with np.errstate(over="ignore"):
        for v in values:
            h ^= np.asarray(v).astype(np.uint64) if isinstance(v, np.ndarray) else np.uint64(v)
            h += golden
            h = (h ^ (h >> np.uint64(30))) * c1
            h = (h ^ (h >> np.uint64(27))) * c2
            h ^= h >> np.uint64(31)
    return h


class _NameSpace:
    """All names one (country, script, role) can take, enumerated by a mixed radix; an affine
    permutation maps party numbers onto it so distinct numbers get distinct names."""

    def __init__(self, country: str, cyrillic: bool, broker: bool):
        style = COUNTRY_STYLE.get(country, ("en", ("{n} Ltd",)))
        group = GROUPS[style[0]]
        if cyrillic:
            self.a, self.b = CYR_A, CYR_B
            self.patterns, self.forms = CYR_PATTERNS, CYR_COUNTRIES[country][1]
        else:
            self.a = STEMS.get(country, tuple(group["a"]))
            self.b = tuple(group["broker"]) if broker else WORDS.get(country, tuple(group["b"]))
            self.patterns, self.forms = tuple(group["patterns"]), style[1]
        self.cities = tuple(c.split(",")[0] for c, _ in _cities(country))
        self.sizes = np.array([self._pattern_size(p) for p in self.patterns], dtype=np.int64)
        self.total = int(self.sizes.sum()) * len(self.forms)
        self.step = 1_000_003
        while gcd(self.step, self.total) != 1:
            self.step += 2

    def _pattern_size(self, pattern: str) -> int:
        size = len(self.a) * (len(self.b) if "{b}" in pattern else 1)
        size *= (len(self.a) - 1) if "{a2}" in pattern else 1
        return size * (len(self.cities) if "{city}" in pattern else 1)

    def names(self, numbers: np.ndarray, offset: int) -> list[str]:
        index = (self.step * numbers + offset) % self.total
        form = index % len(self.forms)
        rest = index // len(self.forms)
        ends = np.cumsum(self.sizes)
        pattern = np.searchsorted(ends, rest, side="right")
        rest = rest - (ends - self.sizes)[pattern]
        out: list[str] = [""] * len(numbers)
        for pi in np.unique(pattern):
            rows = np.flatnonzero(pattern == pi)
            for i, name in zip(rows.tolist(), self._compose(self.patterns[pi], rest[rows]),
                               strict=True):
                out[i] = name
        forms = [self.forms[f] for f in form.tolist()]
        repeat = (numbers // self.total).tolist()  # the pool outgrew the vocabulary
        return [f.format(n=n) + (f" ({r + 1})" if r else "")
                for f, n, r in zip(forms, out, repeat, strict=True)]

    def _compose(self, pattern: str, rest: np.ndarray) -> list[str]:
        na = len(self.a)
        ai, rest = rest % na, rest // na
        a = [self.a[i] for i in ai.tolist()]
        parts: dict[str, list[str]] = {"a": a}
        if "{a2}" in pattern:
            a2, rest = rest % (na - 1), rest // (na - 1)
            a2 = a2 + (a2 >= ai)
            lower = "{a}{a2}" in pattern
            parts["a2"] = [self.a[i].lower() if lower else self.a[i] for i in a2.tolist()]
        if "{b}" in pattern:
            bi, rest = rest % len(self.b), rest // len(self.b)
            parts["b"] = [self.b[i] for i in bi.tolist()]
        if "{city}" in pattern:
            parts["city"] = [self.cities[i] for i in (rest % len(self.cities)).tolist()]
        keys = list(parts)
        return [pattern.format(**dict(zip(keys, values, strict=True)))
                for values in zip(*parts.values(), strict=True)]


@lru_cache(maxsize=512)
def _cities(country: str) -> tuple[tuple[str, str], ...]:
    if country in CITIES:
        return CITIES[country]
    names = sorted((p.name, "") for p in ports().values() if p.country == country)
    return tuple(names[:5]) or (("", ""),)


@lru_cache(maxsize=1024)
def _space(country: str, cyrillic: bool, broker: bool) -> _NameSpace:
    return _NameSpace(country, cyrillic, broker)


def _fill(pattern: str, h: int) -> str:
    if "#" not in pattern and "@" not in pattern:
        return pattern
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(h % 10))
            h //= 10
        elif ch == "@":
            out.append(chr(65 + h % 26))
            h //= 26
        else:
            out.append(ch)
    return "".join(out)


def render(seed: int, role: int, country: str, numbers: np.ndarray) -> tuple[list[str], list[str]]:
    """Names and addresses of parties (by number) of one role in one country."""
    numbers = np.asarray(numbers, dtype=np.int64)
    ckey = _text_key(country)
    # c of every ten party numbers get a Cyrillic name; each script numbers its own parties
    # densely so neither name space is wasted on the other script's numbers.
    c = round(CYR_COUNTRIES[country][0] * 10) if country in CYR_COUNTRIES else 0
    tens, unit = numbers // 10, numbers % 10
    cyrillic = unit < c
    dense = np.where(cyrillic, tens * c + unit, tens * (10 - c) + unit - c)
    names: list[str] = [""] * len(numbers)
    for script in (False, True):
        rows = np.flatnonzero(cyrillic == script)
        if len(rows):
            space = _space(country, script, role in (BROKER, AGENCY))
            offset = mix(seed, ckey, role, int(script)) % space.total
            for i, name in zip(rows.tolist(), space.names(dense[rows], offset), strict=True):
                names[i] = name
    return names, _addresses(seed, role, country, numbers)


def _addresses(seed: int, role: int, country: str, numbers: np.ndarray) -> list[str]:
    hashes = mix_array(len(numbers), seed, _text_key(country), role, numbers, 2).tolist()
    group = GROUPS[COUNTRY_STYLE.get(country, ("en", ()))[0]]
    streets = STREETS.get(country, group["streets"])
    cities = _cities(country)
    template = ADDRESS.get(country, str(group["address"]))
    out = []
    for h in hashes:
        city, post = cities[(h >> 40) % len(cities)]
        text = template.format(
            num=1 + h % 240, num2=1 + (h >> 8) % 18, street=streets[(h >> 16) % len(streets)],
            zone=ZH_ZONES[(h >> 24) % len(ZH_ZONES)], city=city, post=_fill(post, h >> 44))
        out.append(" ".join(text.split()).rstrip(","))
    return out


class PartyBook:
    """Draws party numbers for consignments and renders them, caching names across chunks."""

    def __init__(self, seed: int, pool_sizes: dict[tuple[int, str], int]):
        self.seed = seed
        self.pool_sizes = pool_sizes
        self._next_one_off: dict[tuple[int, str], int] = {}
        self._cdfs: dict[int, np.ndarray] = {}
        self._rendered: dict[tuple[int, int], tuple[str, str]] = {}

    def _cdf(self, size: int) -> np.ndarray:
        if size not in self._cdfs:
            weights = 1.0 / (np.arange(size) + ZIPF_OFFSET)
            self._cdfs[size] = np.cumsum(weights) / weights.sum()
        return self._cdfs[size]

    def pool_size(self, role: int, country: str) -> int:
        return self.pool_sizes.get((role, country), 8)

    def sample(self, rng: np.random.Generator, role: int, countries: np.ndarray,
               names: tuple[str, ...], one_off: np.ndarray | None = None) -> np.ndarray:
        """Party numbers for rows whose country is names[countries[i]].

        `one_off` forces a newcomer on selected rows (planted cases use it).
        """
        out = np.zeros(len(countries), dtype=np.int64)
        draws = rng.random(len(countries))
        fresh = rng.random(len(countries)) < ONE_OFF_SHARE[role]
        if one_off is not None:
            fresh |= one_off
        for ci in np.unique(countries):
            rows = np.flatnonzero(countries == ci)
            key = (role, names[ci])
            size = self.pool_size(*key)
            out[rows] = np.minimum(np.searchsorted(self._cdf(size), draws[rows]), size - 1)
            new_rows = rows[fresh[rows]]
            start = self._next_one_off.get(key, size)
            out[new_rows] = start + np.arange(len(new_rows))
            self._next_one_off[key] = start + len(new_rows)
        return out

    def render(self, role: int, countries: np.ndarray, names: tuple[str, ...],
               numbers: np.ndarray) -> tuple[pl.Series, pl.Series]:
        """Name and address columns for rows (country index, party number)."""
        keys = countries.astype(np.int64) << 40 | numbers
        uniq, inverse = np.unique(keys, return_inverse=True)
        new = [key for key in uniq.tolist() if (role, key) not in self._rendered]
        if new:
            fresh = np.array(new, dtype=np.int64)
            for ci in np.unique(fresh >> 40):
                sel = fresh[(fresh >> 40) == ci]
                batch = render(self.seed, role, names[ci], sel & ((1 << 40) - 1))
                for key, name, address in zip(sel.tolist(), *batch, strict=True):
                    self._rendered[(role, key)] = (name, address)
        rendered = [self._rendered[(role, key)] for key in uniq.tolist()]
        idx = pl.Series(inverse.astype(np.uint32))
        party_names = pl.Series([r[0] for r in rendered], dtype=pl.Utf8).gather(idx)
        addresses = pl.Series([r[1] for r in rendered], dtype=pl.Utf8).gather(idx)
        return party_names, addresses
