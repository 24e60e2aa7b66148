"""Index tables: codes as small integers so chunks can be built with numpy, then rendered to
strings with polars gathers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .checkdigits import owner_partial_sums
from .commodities import (
    BY_KEY,
    COMMODITIES,
    CURRENCIES,
    DEFAULT_MIX,
    MAX_GROSS,
    ORIGIN_MIX,
    SIZE_TYPES,
    TARE,
)
from .illicit import KINDS
from .lanes import (
    CARRIERS,
    CASPIAN_RECEIPT,
    ORIGIN_PORTS,
    REGION_OF,
    REGIONAL_HUBS,
    all_lane_locodes,
    profile_for,
)

# Yangtze and Pearl River barge ports that feed the big Chinese gateways (place of receipt).
RIVER_FEEDERS = {"CNSHA": ("CNNJI", "CNTAC", "CNZJG", "CNJGY", "CNNTG", "CNHNK"),
                 "CNYTN": ("CNHUA", "CNGGZ", "CNZUH"), "CNSZX": ("CNHUA", "CNSHK")}
PACKAGE_WORDS = {"CT": "CARTONS", "BG": "BAGS", "SA": "SACKS", "PK": "PACKAGES", "PX": "PALLETS",
                 "DR": "DRUMS", "RO": "ROLLS", "BL": "BALES", "BE": "BUNDLES", "CS": "CASES",
                 "BX": "BOXES", "CA": "CANS", "CL": "COILS", "CR": "CRATES", "PL": "PAILS"}


@dataclass
class Lookup:
    """A tuple of strings with an index, and a polars Series ending in a null for index -1."""

    values: tuple[str, ...]

    def __post_init__(self) -> None:
        self.index = {v: i for i, v in enumerate(self.values)}
        self.series = pl.Series(list(self.values) + [None], dtype=pl.Utf8)

    def idx(self, code: str) -> int:
        return self.index[code]

    def take(self, positions: np.ndarray) -> pl.Series:
        positions = np.where(positions < 0, len(self.values), positions)
        return self.series.gather(pl.Series(positions.astype(np.uint32)))


class Tables:
    def __init__(self, destinations: dict[str, float]):
        profiles = [profile_for(p) for p in destinations]
        countries = set(ORIGIN_PORTS) | set(CASPIAN_RECEIPT) | {"HK", "AE"}
        locodes = set(all_lane_locodes())
        for prof in profiles:
            countries.update(prof.origins)
            countries.update(c[:2] for c in prof.final_destinations)
            countries.add(prof.country)
            locodes.update(prof.final_destinations)
            locodes.update(s.hub for s in prof.services)
            locodes.add(prof.locode)
        for feeders in RIVER_FEEDERS.values():
            locodes.update(feeders)
        for kind in KINDS:
            countries.update(kind.origins)
            locodes.update(kind.hubs)
            locodes.update(kind.final)
            for table in kind.final_by_port.values():
                locodes.update(table)
        countries.update(c[:2] for c in locodes)
        self.countries = Lookup(tuple(sorted(countries)))
        self.locodes = Lookup(tuple(sorted(locodes)))
        self.locode_country = np.array([self.countries.idx(c[:2]) for c in self.locodes.values])
        self._commodities()
        self._origins()
        self._equipment()

    def bind(self, voyages: list) -> None:
        """Per-voyage port, service and carrier as arrays indexed by voyage number."""
        self.voyage_port = np.array([self.locodes.idx(v.port) for v in voyages], dtype=np.int64)
        self.voyage_service = np.array([v.service for v in voyages], dtype=np.int64)
        self.voyage_carrier = np.array([self.carrier.idx(v.carrier) for v in voyages],
                                       dtype=np.int64)

    def _commodities(self) -> None:
        self.commodity = Lookup(tuple(c.key for c in COMMODITIES))
        self.hs = Lookup(tuple(c.hs for c in COMMODITIES))
        self.usd_per_kg = np.array([c.usd_per_kg for c in COMMODITIES])
        self.load20 = np.array([c.load20 for c in COMMODITIES], dtype=float)
        self.load40 = np.array([c.load40 for c in COMMODITIES], dtype=float)
        self.kg_per_package = np.array([c.kg_per_package for c in COMMODITIES])
        self.net_ratio = np.array([c.net_ratio for c in COMMODITIES])
        self.perishable = np.array([c.perishable for c in COMMODITIES])
        self.package = Lookup(tuple(sorted({c.package for c in COMMODITIES})))
        self.package_of = np.array([self.package.idx(c.package) for c in COMMODITIES])
        self.countable = np.array([c.package in PACKAGE_WORDS for c in COMMODITIES])
        descriptions: list[str] = []
        self.desc_start = np.zeros(len(COMMODITIES), dtype=np.int64)
        self.desc_count = np.zeros(len(COMMODITIES), dtype=np.int64)
        for i, c in enumerate(COMMODITIES):
            self.desc_start[i], self.desc_count[i] = len(descriptions), len(c.descriptions)
            descriptions.extend(c.descriptions)
        self.description = Lookup(tuple(descriptions))
        self.package_word = Lookup(tuple(PACKAGE_WORDS.get(p, "") for p in self.package.values))
        self.currency = Lookup(CURRENCIES)

    def _origins(self) -> None:
        """Per origin: commodity mix, ports of loading, regional hubs, as index arrays."""
        self.mix: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.reefer_mix: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.pols: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.receipts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.region_hubs: dict[int, np.ndarray] = {}
        for code in self.countries.values:
            ci = self.countries.idx(code)
            mix = ORIGIN_MIX.get(code, DEFAULT_MIX)
            self.mix[ci] = self.weighted(self.commodity, mix)
            reefer = {k: w for k, w in mix.items() if BY_KEY[k].perishable}
            self.reefer_mix[ci] = self.weighted(self.commodity, reefer or {"bananas": 1.0})
            if code in ORIGIN_PORTS:
                self.pols[ci] = self.weighted(self.locodes, ORIGIN_PORTS[code])
            if code in CASPIAN_RECEIPT:
                self.receipts[ci] = self.weighted(self.locodes, CASPIAN_RECEIPT[code])
            hubs = REGIONAL_HUBS.get(REGION_OF.get(code, ""), ())
            self.region_hubs[ci] = np.array([self.locodes.idx(h) for h in hubs], dtype=np.int64)

    @staticmethod
    def weighted(lookup: Lookup, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        keys = np.array([lookup.idx(k) for k in weights], dtype=np.int64)
        p = np.array(list(weights.values()), dtype=float)
        return keys, p / p.sum()

    def _equipment(self) -> None:
        self.size = Lookup(SIZE_TYPES)
        self.tare = np.array([TARE[s] for s in SIZE_TYPES], dtype=float)
        self.max_gross = np.array([MAX_GROSS[s] for s in SIZE_TYPES], dtype=float)
        self.size_reefer = np.array([s[2] == "R" for s in SIZE_TYPES])
        self.size_20 = np.array([s[0] == "2" for s in SIZE_TYPES])
        self.size_mix = [self.weighted(self.size, dict(c.sizes)) for c in COMMODITIES]
        owners = sorted({o for c in CARRIERS.values() for o in (*c[1], *c[2])})
        self.owner = Lookup(tuple(owners))
        self.owner_sums = owner_partial_sums(owners)
        self.carrier = Lookup(tuple(CARRIERS))
        self.carrier_owners = [np.array([self.owner.idx(o) for o in CARRIERS[c][1]])
                               for c in self.carrier.values]
        self.carrier_reefer_owners = [np.array([self.owner.idx(o) for o in CARRIERS[c][2]])
                                      for c in self.carrier.values]
        self.bl_prefix = Lookup(tuple(CARRIERS[c][0] for c in self.carrier.values))
