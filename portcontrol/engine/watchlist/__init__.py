"""Watchlist matching: screen party names, vessels and containers against watchlists.

Pure Python over polars and rapidfuzz; nothing here imports Django. The pieces, in the order a
name meets them: loaders (CSV, FollowTheMoney) -> index (normalised names, weights, keys) ->
screen (blocking, prescore bound, features, explanation) -> cli. docs/watchlists.md explains
the method and the measured precision, recall and speed.
"""

from .index import WatchlistIndex
from .loaders import LoadResult, read_names, read_watchlist
from .model import Kind, LoadIssue, Match, Party, WatchlistEntry, WatchlistInputError
from .screen import DEFAULT_THRESHOLD, Screener

__all__ = [
    "DEFAULT_THRESHOLD",
    "Kind",
    "LoadIssue",
    "LoadResult",
    "Match",
    "Party",
    "Screener",
    "WatchlistEntry",
    "WatchlistIndex",
    "WatchlistInputError",
    "read_names",
    "read_watchlist",
]
