"""The run plan: every vessel call, its size, its vessel, and where planted cases go.

Everything that must be consistent across chunks is decided here, once, from the seed: the
calls (voyages) with their container counts, which calls form each chunk, the party pool
sizes and the global positions of planted illicit containers. Chunks are whole voyages, so a
bill of lading never straddles two chunks or two voyages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from .checkdigits import imo_number
from .illicit import KIND_NAMES, kind_allowed, kind_weights
from .lanes import CARRIERS, CASPIAN_FLAGS, OCEAN_FLAGS, PortProfile, profile_for
from .parties import AGENCY, BROKER, CONSIGNEE, SHIPPER, mix

CHUNK_CONTAINERS = 50_000  # a chunk closes at the first voyage boundary past this many
ILLICIT_RATE = 0.007  # share of containers planted with an illicit case
MIN_CONTAINERS_ALL_KINDS = 1_000  # from this size on, every kind is planted at least once
MEAN_BL_CONTAINERS = 1.75  # mean of BL_SIZE_P, used to size the party pools
BL_SIZE_P = (0.57, 0.22, 0.1, 0.067, 0.043)  # containers per bill of lading: 1..5

VESSEL_WORDS = (
    "AURORA", "HORIZON", "ORCHID", "JADE", "ZENITH", "MERIDIAN", "CORAL", "OPAL", "TRIDENT",
    "HALCYON", "SERENITY", "ALTAIR", "VEGA", "SIRIUS", "POLARIS", "ORION", "LYRA", "CASSIOPEIA",
    "AQUILA", "DRACO", "PEGASUS", "PHOENIX", "LOTUS", "MAGNOLIA", "CAMELLIA", "IRIS", "JASMINE",
    "AZALEA", "LAUREL", "CEDAR", "MAPLE", "WILLOW", "CYPRESS", "SEQUOIA", "BAOBAB", "SAVANNAH",
    "TUNDRA", "SIERRA", "ALPINE", "CANYON", "DELTA", "ESTUARY", "LAGOON", "FJORD", "ATOLL",
    "MONSOON", "TRADEWIND", "SOLSTICE", "EQUINOX", "ECLIPSE", "NEBULA", "GALAXY", "COMET",
    "METEOR", "QUASAR", "PULSAR", "HARMONY", "UNITY", "LIBERTY", "FIDELITY", "PROSPERITY",
    "INTEGRITY", "VALOUR", "TENACITY", "RESOLVE", "PIONEER", "VOYAGER", "NAVIGATOR", "EXPLORER",
    "COURIER", "MARINER", "CORSAIR", "BEACON", "LODESTAR", "COMPASS", "SEXTANT", "ANCHOR",
    "KEEL", "HARBOUR", "HAVEN", "SUMMIT", "PINNACLE", "CREST", "RIDGE", "GRANITE", "BASALT",
    "COBALT", "INDIGO", "CRIMSON", "AMBER", "IVORY", "EMERALD", "SAPPHIRE", "TOPAZ", "GARNET",
    "ONYX", "QUARTZ", "PEARL", "SILVER", "GOLDEN", "VELVET", "SILK", "SPICE", "SAFFRON",
    "CINNAMON", "NUTMEG", "PEPPER", "GINGER", "TEAK", "EBONY", "MAHOGANY", "BAMBOO", "ACACIA",
)
_ROMAN = ("", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X")


@dataclass(frozen=True)
class Voyage:
    index: int
    port: str
    carrier: str
    service: int
    vessel_imo: str
    vessel_name: str
    vessel_flag: str
    voyage_id: str
    eta: str
    containers: int
    start: int  # global position of the first container


@dataclass
class Plan:
    seed: int
    containers: int
    start: date
    days: int
    destinations: dict[str, float]
    voyages: list[Voyage]
    chunks: list[range]
    planted_positions: np.ndarray
    planted_kinds: list[str]
    pool_sizes: dict[tuple[int, str], int]


def _split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of an integer by shares (deterministic, sums exactly)."""
    weight = sum(shares.values())
    exact = {k: total * v / weight for k, v in shares.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def _voyage_sizes(rng: np.random.Generator, prof: PortProfile, target: int) -> list[int]:
    if target <= 0:
        return []
    guess = max(4, int(target / prof.voyage_median * 1.6) + 4)
    sizes: list[int] = []
    while sum(sizes) < target:
        draw = rng.lognormal(math.log(prof.voyage_median), prof.voyage_sigma, guess)
        sizes.extend(int(max(5, s)) for s in draw)
    cum = np.cumsum(sizes)
    k = int(np.searchsorted(cum, target))
    sizes = sizes[: k + 1]
    sizes[-1] = target - (int(cum[k - 1]) if k else 0)
    if k and sizes[-1] < 0.3 * prof.voyage_median:  # fold a stub call into the previous one
        stub = sizes.pop()
        sizes[-1] += stub
    return sizes


def _pick(rng: np.random.Generator, table: dict[str, float]) -> str:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _vessel(seed: int, ordinal: int, carrier: str, caspian: bool) -> tuple[str, str, str]:
    """IMO number, name and flag of the n-th vessel of the run (distinct IMO per ordinal)."""
    first_six = 900_000 + (7919 * ordinal + mix(seed, 11) % 100_000) % 100_000
    # 211 is prime and larger than the word list, so the first len(VESSEL_WORDS) vessels get
    # distinct words; later ones reuse them with a numeral, as sister ships do.
    word = VESSEL_WORDS[(211 * ordinal + mix(seed, 12)) % len(VESSEL_WORDS)]
    word += _ROMAN[(ordinal // len(VESSEL_WORDS)) % len(_ROMAN)]
    prefix = CARRIERS[carrier][3]
    if caspian:
        name = f"CASPIAN {word}"
    elif prefix == "HAPAG":
        name = f"{word} EXPRESS"
    else:
        name = f"{prefix} {word}"
    flags = CASPIAN_FLAGS if caspian else OCEAN_FLAGS
    cum = np.cumsum(list(flags.values()))
    flag = list(flags)[int(np.searchsorted(cum, (mix(seed, 13, ordinal) % 10_000) / 10_000))]
    return imo_number(first_six), name, flag


def _voyages(seed: int, rng: np.random.Generator, containers: int, start: date, days: int,
             destinations: dict[str, float]) -> list[Voyage]:
    raw: list[tuple[int, str, int]] = []  # (minutes after start, port, size)
    window = days * 24 * 2  # half-hour slots
    for port, target in sorted(_split(containers, destinations).items()):
        for size in _voyage_sizes(rng, profile_for(port), target):
            raw.append((int(rng.integers(0, window)) * 30, port, size))
    raw.sort(key=lambda r: (r[0], r[1]))
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC)
    fleets: dict[tuple[str, str, int, int], int] = {}
    vessels: dict[tuple[str, str, int], int] = {}
    out: list[Voyage] = []
    position = 0
    for i, (minutes, port, size) in enumerate(raw):
        prof = profile_for(port)
        carrier = _pick(rng, prof.carriers)
        weights = {str(j): s.weight for j, s in enumerate(prof.services)}
        service = int(_pick(rng, weights))
        eta = t0 + timedelta(minutes=minutes)
        iso = eta.isocalendar()
        # One call per vessel per ISO week keeps carrier-vessel-week voyage numbers unique.
        week_key = (carrier, port, iso.year, iso.week)
        slot = fleets.get(week_key, 0)
        fleets[week_key] = slot + 1
        fleet_key = (carrier, port, slot)
        if fleet_key not in vessels:
            vessels[fleet_key] = len(vessels)
        imo, name, flag = _vessel(seed, vessels[fleet_key], carrier, prof.caspian)
        number = f"{iso.year % 100:02d}{iso.week:02d}{prof.services[service].direction}"
        out.append(Voyage(i, port, carrier, service, imo, name, flag,
                          f"{carrier}-{imo}-{number}", eta.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          size, position))
        position += size
    return out


def _chunks(voyages: list[Voyage]) -> list[range]:
    chunks, first, count = [], 0, 0
    for v in voyages:
        count += v.containers
        if count >= CHUNK_CONTAINERS:
            chunks.append(range(first, v.index + 1))
            first, count = v.index + 1, 0
    if first < len(voyages):
        chunks.append(range(first, len(voyages)))
    return chunks


def _pool_sizes(containers: int, destinations: dict[str, float]) -> dict[tuple[int, str], int]:
    """Pool of regular parties per (role, country), growing with the square root of volume."""
    expected: dict[tuple[int, str], float] = {}
    for port, share in destinations.items():
        prof = profile_for(port)
        consignments = containers * share / sum(destinations.values()) / MEAN_BL_CONTAINERS
        for country, w in prof.origins.items():
            key = (SHIPPER, country)
            expected[key] = expected.get(key, 0.0) + consignments * w / sum(prof.origins.values())
        total = sum(prof.final_destinations.values())
        for locode, w in prof.final_destinations.items():
            key = (CONSIGNEE, locode[:2])
            expected[key] = expected.get(key, 0.0) + consignments * w / total
        key = (BROKER, prof.country)
        expected[key] = expected.get(key, 0.0) + consignments
    sizes = {k: int(min(20_000, max(6, 4 * math.sqrt(v)))) for k, v in expected.items()}
    for key in [k for k in sizes if k[0] == BROKER]:
        sizes[key] = int(min(200, max(5, sizes[key] / 4)))
    for country in {k[1] for k in sizes}:
        sizes[(AGENCY, country)] = 4
    return sizes


def _planted(rng: np.random.Generator, containers: int,
             voyages: list[Voyage]) -> tuple[np.ndarray, list[str]]:
    count = round(containers * ILLICIT_RATE)
    if containers >= MIN_CONTAINERS_ALL_KINDS:
        count = max(count, len(KIND_NAMES))
    count = min(count, containers)
    positions = np.sort(rng.choice(containers, size=count, replace=False))
    starts = np.array([v.start for v in voyages])
    ports = [voyages[int(i)].port for i in np.searchsorted(starts, positions, side="right") - 1]
    kinds: list[str | None] = [None] * count
    if containers >= MIN_CONTAINERS_ALL_KINDS:
        for kind in KIND_NAMES:  # guarantee each kind once, on a port where it fits
            free = [i for i in range(count) if kinds[i] is None]
            fitting = [i for i in free if kind_allowed(kind, ports[i])] or free
            kinds[fitting[int(rng.integers(0, len(fitting)))]] = kind
    for i in range(count):
        if kinds[i] is None:
            table = kind_weights(ports[i])
            kinds[i] = _pick(rng, table)
    return positions, [str(k) for k in kinds]


def make_plan(seed: int, containers: int, start: date, days: int,
              destinations: dict[str, float]) -> Plan:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0])))
    voyages = _voyages(seed, rng, containers, start, days, destinations)
    positions, kinds = _planted(rng, containers, voyages)
    return Plan(seed, containers, start, days, dict(destinations), voyages, _chunks(voyages),
                positions, kinds, _pool_sizes(containers, destinations))
