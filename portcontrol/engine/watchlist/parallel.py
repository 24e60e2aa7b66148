"""Normalise names in worker processes, one batch ahead of the matching.

Why processes: normalisation is pure Python (transliteration, legal forms, folding), so threads
would wait on each other; the blocking and bounds that follow run in polars and rapidfuzz,
which use every core on their own. Workers normalise batch k+1 while the parent matches batch k.

Why fork is safe here although the parent runs polars: the workers never call polars (whose
thread pool does not survive a fork), and they are started before the first batch is matched.

Most manifest names are plain ASCII. For them the parent splits all names of a batch into
words at once (polars, step 1 of normalize.py), and only steps 2-4 run name by name in Python
(`_plain`, the same steps as normalize_name, about three times faster); names in other
scripts go through normalize_name itself. The tests compare both on many names.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from functools import lru_cache
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType
from typing import NamedTuple, Self

import polars as pl

from .identifiers import container_in_text, imo_in_text
from .normalize import (
    _CLASS,
    _INITIALS,
    _ORG_FLAGS,
    EDGE_LEGAL_FORMS,
    NormName,
    _initials,
    extract_org_types,
    normalize_name,
    skeleton,
)

# In-process normalisation keeps a cache: the same parties recur from batch to batch.
normalize_cached = lru_cache(maxsize=2**17)(normalize_name)

PARALLEL_MIN = 20_000  # below this the start-up of workers costs more than it saves


class Packed(NamedTuple):
    """Normalised names as parallel lists of plain strings: what screening needs for every
    name (tokens, exact keys) travels between processes ten times cheaper than NormName
    objects, and the full NormName is rebuilt only for the few names that get scored."""

    names: list[str]
    tokens: list[str]  # space-separated (tokens never contain spaces)
    keys: list[str]
    runs: list[str]
    forms: list[str]  # comma-separated
    words: list[str]  # separated by U+001F
    non_latin: list[bool]
    ids: list[tuple[str | None, str | None]]  # IMO and container numbers read in the name

    def norm(self, i: int) -> NormName:
        tokens, forms, words = self.tokens[i], self.forms[i], self.words[i]
        return NormName(self.names[i], tuple(tokens.split(" ")) if tokens else (),
                        frozenset(forms.split(",")) if forms else frozenset(),
                        tuple(words.split("\x1f")) if words else (), self.non_latin[i],
                        self.keys[i], self.runs[i])


def pack(names: Sequence[str], norms: Sequence[NormName]) -> Packed:
    return Packed(list(names), [" ".join(n.tokens) for n in norms], [n.key for n in norms],
                  [n.run for n in norms], [",".join(sorted(n.forms)) for n in norms],
                  ["\x1f".join(n.form_words) for n in norms], [n.non_latin for n in norms],
                  [_NO_IDS if not n.tokens else (imo_in_text(name), container_in_text(name))
                   for name, n in zip(names, norms, strict=True)])


_NO_IDS: tuple[str | None, str | None] = (None, None)


def normalize_many(names: Sequence[str]) -> Packed:
    """pack(names, [normalize_name(n) for n in names]), for many names at once (uses polars:
    not in forked workers)."""
    return finish(names, *split_plain(names))


def split_plain(names: Sequence[str]) -> tuple[list[str | None], list[bool]]:
    """For each ASCII name its words after step 1 of normalize.py, space-separated (None for
    other names); and whether the name may hold an IMO or container number (else it holds
    none: no "imo", or not 11-16 characters long).

    For ASCII text step 1 is: lower case (casefold is lower there), dotted initials
    (normalize._INITIALS, whose look-around polars' regex lacks: done here in Python for the
    few names that have any), drop . ' ` ", keep runs of letters and digits."""
    series = pl.Series(names, dtype=pl.String)
    plain = series.str.contains(r"^[\x00-\x7F]*$")
    lower = series.str.to_lowercase()
    dotted = (plain & lower.str.contains(r"[a-z0-9_]\.[a-z0-9_]\.")).arg_true()
    if len(dotted):
        texts = lower.gather(dotted).to_list()
        lower = lower.scatter(dotted, [_INITIALS.sub(_initials, t) for t in texts])
    words = lower.str.replace_all(r"[.'`\"]", "").str.extract_all(r"[a-z0-9]+").list.join(" ")
    ids = series.str.contains("(?i)imo") | series.str.len_chars().is_between(11, 16)
    return ([w if p else None for w, p in zip(words.to_list(), plain.to_list(), strict=True)],
            ids.to_list())


def finish(names: Sequence[str], words: Sequence[str | None], ids: Sequence[bool]) -> Packed:
    """The Packed form of `names`, given split_plain's result; pure Python (safe in workers)."""
    rows = [_plain(text) if text is not None else _other(name)
            for name, text in zip(names, words, strict=True)]
    if not rows:
        return Packed([], [], [], [], [], [], [], [])
    tokens, keys, runs, forms, form_words, non_latin = (list(c) for c in zip(*rows, strict=True))
    return Packed(list(names), tokens, keys, runs, forms, form_words, non_latin,
                  [(imo_in_text(name), container_in_text(name)) if maybe and token else _NO_IDS
                   for name, token, maybe in zip(names, tokens, ids, strict=True)])


def _other(name: str) -> tuple[str, str, str, str, str, bool]:
    norm = normalize_cached(name)
    return (" ".join(norm.tokens), norm.key, norm.run, ",".join(sorted(norm.forms)),
            "\x1f".join(norm.form_words), norm.non_latin)


def _plain(text: str) -> tuple[str, str, str, str, str, bool]:
    """Steps 2-4 of normalize_name for the words of an ASCII name (split_plain): tokens, key,
    run, forms, form words and non_latin as Packed holds them. Mirrors take_legal_forms, with
    the matched legal form cut out of the text instead of the token list (the same first
    occurrence, as tokens hold no spaces)."""
    if not text:
        return "", "", "", "", "", False
    found = extract_org_types(text, normalize_flags=_ORG_FLAGS, generic=True)
    tokens = text.split(" ")
    forms = form_words = ""
    if found or tokens[0] in EDGE_LEGAL_FORMS or tokens[-1] in EDGE_LEGAL_FORMS:
        classes: set[str] = set()
        words: list[str] = []
        padded = f" {text} "
        for matched, target in found:
            classes.add(_CLASS.get(target, target))
            words.append(matched)
            at = padded.find(f" {matched} ")
            if at >= 0:
                padded = padded[:at] + padded[at + len(matched) + 1:]
        rest = padded.split()
        while len(rest) > 1 and rest[0] in EDGE_LEGAL_FORMS:
            words.append(rest[0])
            classes.add(EDGE_LEGAL_FORMS[rest.pop(0)])
        while len(rest) > 1 and rest[-1] in EDGE_LEGAL_FORMS:
            words.append(rest[-1])
            classes.add(EDGE_LEGAL_FORMS[rest.pop()])
        if rest:  # else the whole name was a legal form: keep it rather than nothing
            tokens = rest
        forms, form_words = ",".join(sorted(classes)), "\x1f".join(words)
    folded = [skeleton(t) for t in tokens]  # ASCII letters and digits: fold is skeleton
    return " ".join(folded), " ".join(sorted(folded)), "".join(folded), forms, form_words, False


def _concat(parts: Sequence[Packed]) -> Packed:
    return Packed(*([x for part in parts for x in getattr(part, f)] for f in Packed._fields))


class Pending:
    """Normalised names of one batch, now or later."""

    def __init__(self, names: Sequence[str], chunks: list[AsyncResult[Packed]] | None):
        self.names = names
        self.chunks = chunks

    def get(self) -> Packed:
        if self.chunks is None:
            return normalize_many(self.names)
        return _concat([chunk.get() for chunk in self.chunks])


class Normalizer:
    """Context manager: a pool of `workers` processes, or none when workers is 0.

    The default leaves one core to this process, which runs the matching (about half the
    work) while the workers normalise the next batch: on two cores, one worker."""

    def __init__(self, workers: int | None):
        self.workers = workers if workers is not None else max((os.cpu_count() or 1) - 1, 0)
        self.pool: Pool | None = None

    def __enter__(self) -> Self:
        if self.workers > 0 and "fork" in multiprocessing.get_all_start_methods():
            self.pool = multiprocessing.get_context("fork").Pool(self.workers)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def submit(self, names: Sequence[str]) -> Pending:
        """Start normalising `names` (distinct names are best: nothing is deduplicated here)."""
        if self.pool is None or len(names) < 1000:
            return Pending(names, None)
        words, ids = split_plain(names)  # polars, here: the workers must not use it
        size = -(-len(names) // self.workers)
        chunks = [self.pool.apply_async(finish, (names[i:i + size], words[i:i + size],
                                                 ids[i:i + size]))
                  for i in range(0, len(names), size)]
        return Pending(names, chunks)
