"""Screen parties against a watchlist index: blocking, scoring, explanation, threshold."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from itertools import islice

import polars as pl

from .blocking import candidates, token_frame
from .features import (
    ALGORITHM,
    align_tokens,
    combine,
    country_feature,
    identifier_feature,
    legal_form_feature,
    name_feature,
)
from .index import WatchlistIndex
from .model import FeatureResult, Match, Party
from .normalize import NormName
from .parallel import PARALLEL_MIN, Normalizer, Packed, Pending
from .prescore import BOOST, joined_frame, name_bounds

# Chosen on the labelled evaluation set (evaluation.py; the table is in docs/watchlists.md):
# precision and recall both about 0.98. F1 is flat from 0.78 to 0.84; the lower end finds more
# listed parties, which matters more than a few more false hits for an officer to dismiss.
DEFAULT_THRESHOLD = 0.80
# The key estimate misses what only exact scoring finds (two slips in one word), so blocking
# keeps candidates well below the threshold; prescore then bounds them exactly.
PREFILTER_MARGIN = 0.35
TOP_K = 10
ROUNDING = 1e-4  # scores are rounded to four decimals: bounds keep this much slack
_WEIGHTS = {f.name: f.weight for f in ALGORITHM}
BATCH_SIZE = 50_000


class Screener:
    """Screens batches of parties; deterministic for a given index, threshold and input."""

    def __init__(self, index: WatchlistIndex, *, threshold: float = DEFAULT_THRESHOLD,
                 top_k: int = TOP_K, workers: int | None = None):
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        self.index = index
        self.threshold = threshold
        self.top_k = top_k
        self.workers = workers  # processes normalising names; 0: none; None: cores - 1

    def screen(self, parties: Iterable[Party]) -> Iterator[Match]:
        """Matches at or above the threshold, in input order, best first within a party."""
        large = isinstance(parties, Sized) and len(parties) >= PARALLEL_MIN
        batches = _batches(parties, BATCH_SIZE)
        with Normalizer(self.workers if large else 0) as normalizer:
            current = next(batches, None)
            pending = normalizer.submit(_distinct_names(current)) if current else None
            while current is not None and pending is not None:
                following = next(batches, None)
                # start normalising the next batch before matching this one
                ahead = normalizer.submit(_distinct_names(following)) if following else None
                yield from self._match(current, pending)
                current, pending = following, ahead

    def screen_batch(self, parties: Sequence[Party]) -> list[Match]:
        """Screen one batch in this process."""
        return self._match(parties, Pending(_distinct_names(parties), None))

    def _match(self, parties: Sequence[Party], pending: Pending) -> list[Match]:
        """Match one batch; the work runs on its distinct names (q indexes pending.names)."""
        packed = pending.get()
        if not packed.names:
            return []
        slot = {name: q for q, name in enumerate(packed.names)}
        pairs = self._candidate_pairs(packed)
        norms: dict[int, NormName] = {}
        out: list[Match] = []
        for party in parties:
            q = slot[party.name or ""]
            imo, container = packed.ids[q]
            imo, container = party.imo_number or imo, party.container_number or container
            if q not in pairs and not imo and not container:
                continue  # most parties: nothing came near
            # entry -> (preference, match): the best listed name of each entry wins
            best: dict[int, tuple[tuple[float, bool, int], Match]] = {}
            for pos, match in self._identifier_matches(party, imo, container):
                best[pos] = ((2.0, True, 0), match)
            country = _country(party)
            for row, name_bound in pairs.get(q, ()):
                # the bound with this party's country and legal form instead of the best case:
                # most pairs that cannot reach the threshold stop here, before exact scoring
                if self._cannot_reach(name_bound, country, packed.forms[q], row):
                    continue
                norm = norms.get(q) or norms.setdefault(q, packed.norm(q))
                scored = self.score_pair(party, norm, row, self.threshold)
                if scored is None:
                    continue
                name_row = self.index.rows[row]
                # on a tie, the listed name in the party's own script (nothing to transliterate
                # in the explanation), then the simpler explanation
                rank = (scored.score, name_row.norm.non_latin == norm.non_latin,
                        -len(scored.explanation_en))
                if name_row.entry not in best or rank > best[name_row.entry][0]:
                    best[name_row.entry] = (rank, scored)
            if best:
                out.extend(sorted((m for _, m in best.values()),
                                  key=lambda m: (-m.score, m.watchlist_id)))
        return out

    def _cannot_reach(self, name_bound: float, country: str | None, forms: str, row: int
                      ) -> bool:
        """Whether a pair whose name score is at most `name_bound` stays below the threshold
        whatever the name scores, given the country and legal-form features (exact: the
        features add their weighted values, see features.combine)."""
        if self.threshold <= ROUNDING:
            return False
        name_row = self.index.rows[row]
        listed = self.index.entries[name_row.entry].countries
        bound = name_bound
        if country and listed:
            bound += _WEIGHTS["country"] * (1.0 if country in listed else -1.0)
        if forms and name_row.norm.forms and not name_row.norm.forms.intersection(
                forms.split(",")):
            bound -= _WEIGHTS["legal_form"]
        # scores are rounded to four decimals before the threshold is applied
        return bound < self.threshold - ROUNDING

    def _candidate_pairs(self, packed: Packed) -> dict[int, list[tuple[int, float]]]:
        """q -> (listed-name row, upper bound of the name score) for the rows worth scoring
        exactly: blocked, then bounded (prescore).

        Both steps read a name's tokens alone (its exact keys are made of them too), and names
        that differ only in legal form, case or punctuation have the same tokens: the work
        runs once per distinct token string (u) and is shared by its names."""
        index = self.index
        distinct: dict[str, int] = {}  # token string -> u
        owner: list[int] = []  # q -> u
        first: list[int] = []  # u -> its first q
        for q, text in enumerate(packed.tokens):
            u = distinct.setdefault(text, len(distinct))
            if u == len(first):
                first.append(q)
            owner.append(u)
        tokens = list(distinct)
        runs = [packed.runs[q] for q in first]
        keys = [packed.keys[q] for q in first]
        qtokens = token_frame(tokens, index.weight)
        blocked = candidates(qtokens, index.postings, index.row_weight_frame, index.frequent,
                             floor=max(0.0, self.threshold - PREFILTER_MARGIN), top_k=self.top_k)
        # Exact keys always count, even when every word is too common to block on.
        exact = pl.DataFrame({"key": keys + runs}, schema={"key": pl.String}).with_columns(
            q=pl.int_range(pl.len(), dtype=pl.UInt32) % len(keys)).join(
            index.key_frame, on="key").select("q", "row")
        pairs = pl.concat([blocked.select("q", "row"), exact]).unique()
        # (a hair of tolerance: the bound is a sum of floats, the score another)
        floor = self.threshold - 1e-9
        bounded = name_bounds(pairs, qtokens, index.tokens, index.joined,
                              joined_frame(qtokens, runs), floor=floor).filter(
            pl.col("bound") >= floor).sort("q", "row")
        per_u: dict[int, list[tuple[int, float]]] = {}
        for u, row, bound in zip(bounded["q"].to_list(), bounded["row"].to_list(),
                                 (bounded["bound"] - BOOST).to_list(), strict=True):
            per_u.setdefault(u, []).append((row, bound))
        return {q: per_u[u] for q, u in enumerate(owner) if u in per_u}

    def score_pair(self, party: Party, norm: NormName, row: int,
                   floor: float = 0.0) -> Match | None:
        """Score one party against one listed name, with every feature's explanation; None
        when the score is below `floor` (then no explanation is built)."""
        name_row = self.index.rows[row]
        entry = self.index.entries[name_row.entry]
        wq = [self.index.weight(t) for t in norm.tokens]
        wc = self.index.row_weights[row]
        alignment = align_tokens(norm.tokens, name_row.norm.tokens, wq, wc)
        country = country_feature(_country(party), entry.countries)
        legal = legal_form_feature(norm, name_row.norm)
        score = round(combine((FeatureResult("name", alignment.score), country, legal)), 4)
        if score < floor:
            return None
        name = name_feature(norm, name_row.norm, wq, wc, is_alias=name_row.is_alias,
                            alignment=alignment)
        return Match(name_id=party.id, watchlist_id=entry.id, score=score, kind=entry.kind,
                     matched_name=name_row.norm.raw, features=(name, country, legal))

    def _identifier_matches(self, party: Party, imo: str | None, container: str | None
                            ) -> list[tuple[int, Match]]:
        """Exact IMO / container number hits, as (entry position, match)."""
        found: list[tuple[int, Match]] = []
        for kind, number, table in (("imo", imo, self.index.by_imo),
                                    ("container", container, self.index.by_container)):
            for pos in table.get(number, ()) if number else ():
                entry = self.index.entries[pos]
                results: tuple[FeatureResult, ...] = (
                    identifier_feature(kind, number or ""),
                    country_feature(_country(party), entry.countries))
                found.append((pos, Match(name_id=party.id, watchlist_id=entry.id, score=1.0,
                                         kind=entry.kind, matched_name=number or "",
                                         features=results)))
        return found


def _batches(parties: Iterable[Party], size: int) -> Iterator[list[Party]]:
    """Batches growing from size // 5 to `size`, doubling: nothing overlaps the first one's
    normalisation, and the workers normalise a batch about twice as fast as this process
    matches one, so a batch twice its predecessor's size is ready when it is needed (a
    first batch followed at once by a full one kept the matching waiting)."""
    items = iter(parties)
    limit = max(size // 5, 1)
    while batch := list(islice(items, limit)):
        yield batch
        limit = min(2 * limit, size)


def _distinct_names(batch: Sequence[Party]) -> list[str]:
    # manifests repeat their parties: each distinct name is normalised once per batch
    return list(dict.fromkeys(p.name or "" for p in batch))


def _country(party: Party) -> str | None:
    return party.country.strip().upper() if party.country and party.country.strip() else None
