"""The in-memory index of a watchlist: normalised names, token weights, postings, identifiers."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from .addresses import AddressIndex
from .blocking import index_keys, token_frame
from .model import Kind, WatchlistEntry
from .normalize import NormName, normalize_name
from .prescore import joined_frame
from .weights import TokenWeights


@dataclass(frozen=True, slots=True)
class NameRow:
    """One listed name (a primary name or an alias) of one entry."""

    entry: int  # position in WatchlistIndex.entries
    norm: NormName
    is_alias: bool


class WatchlistIndex:
    """Everything screening needs, built once per watchlist.

    Listed addresses are not names: no party name is compared with them. They are indexed
    apart (`addresses`, None when the list has none) for the parties' addresses."""

    def __init__(self, entries: Iterable[WatchlistEntry]):
        self.entries: list[WatchlistEntry] = list(entries)
        listed = [e for e in self.entries if e.kind is Kind.ADDRESS]
        self.addresses: AddressIndex | None = AddressIndex(listed) if listed else None
        self.rows: list[NameRow] = []
        self.by_imo: dict[str, list[int]] = defaultdict(list)
        self.by_container: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self.entries):
            self._add_entry(i, entry)
        # Frequencies count entries, not names: ten aliases of one firm are one firm.
        per_entry: dict[int, set[str]] = defaultdict(set)
        for row in self.rows:
            per_entry[row.entry].update(row.norm.tokens)
        self.weight = TokenWeights(frozenset(t) for t in per_entry.values())
        # Exact keys: order-free, and run together ("KaspiyTrans"), which token keys cannot meet.
        self.by_key: dict[str, list[int]] = defaultdict(list)
        for r, row in enumerate(self.rows):
            self.by_key[row.norm.key].append(r)
            if len(row.norm.tokens) > 1:
                self.by_key[row.norm.run].append(r)
        self.key_frame = pl.DataFrame(
            [(key, r) for key, rows in self.by_key.items() if key for r in rows],
            schema={"key": pl.String, "row": pl.UInt32}, orient="row")
        self.tokens = token_frame([r.norm.tokens for r in self.rows], self.weight)
        self.postings, self.frequent = index_keys(self.tokens)
        self.joined = joined_frame(self.tokens)
        self.row_weights = [[self.weight(t) for t in r.norm.tokens] for r in self.rows]
        self.row_weight_frame = pl.DataFrame(
            {"row": list(range(len(self.rows))),
             "cw_total": [float(sum(w)) for w in self.row_weights]},
            schema={"row": pl.UInt32, "cw_total": pl.Float64})

        # The index is millions of long-lived objects. Python's cyclic collector would walk all
        # of them again and again while screening allocates; freezing moves them out of its
        # sight (and keeps forked workers from touching, so copying, their pages).
        gc.freeze()

    def _add_entry(self, i: int, entry: WatchlistEntry) -> None:
        for number in entry.imo_numbers:
            self.by_imo[number].append(i)
        for number in entry.container_numbers:
            self.by_container[number].append(i)
        if entry.kind in (Kind.CONTAINER, Kind.ADDRESS):
            return  # a container is its number, an address a place: neither is a name
        seen: set[str] = set()
        for n, name in enumerate(entry.names):
            norm = normalize_name(name)
            if not norm.tokens or name in seen:
                continue
            seen.add(name)
            self.rows.append(NameRow(entry=i, norm=norm, is_alias=n > 0))

    def __len__(self) -> int:
        return len(self.entries)
