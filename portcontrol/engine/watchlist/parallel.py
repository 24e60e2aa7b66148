"""Normalise names in worker processes, one batch ahead of the matching.

Why processes: normalisation is pure Python (transliteration, legal forms, folding), so threads
would wait on each other; the blocking and bounds that follow run in polars and rapidfuzz,
which use every core on their own. Workers normalise batch k+1 while the parent matches batch k.

Why fork is safe here although the parent runs polars: the workers only ever call
normalize_name, never polars (whose thread pool does not survive a fork), and they are started
before the first batch is matched.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from functools import lru_cache
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType
from typing import NamedTuple, Self

from .identifiers import container_in_text, imo_in_text
from .normalize import NormName, normalize_name

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
    return pack(names, [normalize_name(n) for n in names])


def _concat(parts: Sequence[Packed]) -> Packed:
    return Packed(*([x for part in parts for x in getattr(part, f)] for f in Packed._fields))


class Pending:
    """Normalised names of one batch, now or later."""

    def __init__(self, names: Sequence[str], chunks: list[AsyncResult[Packed]] | None):
        self.names = names
        self.chunks = chunks

    def get(self) -> Packed:
        if self.chunks is None:
            return pack(self.names, [normalize_cached(n) for n in self.names])
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
        size = -(-len(names) // self.workers)
        chunks = [self.pool.apply_async(normalize_many, (names[i:i + size],))
                  for i in range(0, len(names), size)]
        return Pending(names, chunks)
