"""Consignment-level draws for one chunk: bills of lading, origins, goods, routes, hub times,
parties.

Everything is an integer array over the chunk's consignments (codes are indices into
tables.Tables); strings are only made when the frames are rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from .commodities import CURRENCY_BY_ORIGIN
from .illicit import LONG_DWELL_DAYS, Case, make_case
from .lanes import (
    CASPIAN_RECEIPT,
    CASPIAN_SEA_RAIL,
    HUB_REACH,
    OUT_OF_REACH,
    REGION_OF,
    Service,
    profile_for,
    sailing_days,
)
from .parties import AGENCY, BROKER, CONSIGNEE, SHIPPER, PartyBook
from .plan import BL_SIZE_P, Plan
from .tables import RIVER_FEEDERS, Tables

EMPTY_SHARE = 0.03  # consignments of empty equipment being repositioned
PREPAID_SHARE = 0.68
NOTIFY_IS_CONSIGNEE = 0.6
DIRECT_EXTRA_HUB = 0.3  # share of transhipped cargo that also changed ship at a regional hub
RIVER_RECEIPT = 0.15
HK_SHIPPER, AE_SHIPPER = 0.12, 0.04  # trading houses invoicing goods made elsewhere
EMPTY_SIZES = {"45G1": .45, "42G1": .2, "22G1": .25, "45R1": .1}
# Days an ordinary box waits at its last transshipment hub, for 1..9 days: skewed, nine in ten
# within 1-5 days, the rest missed connections.
DWELL_P = (.24, .27, .2, .12, .07, .04, .03, .02, .01)
SAIL_DAYS = (4, 20)  # inclusive bounds of last hub -> port of call, so both dates precede the ETA
SAIL_JITTER = 3  # 0..3 days added per (voyage, hub) to the route's sailing_days


@dataclass
class Consignments:
    voyage: np.ndarray
    size: np.ndarray
    start: np.ndarray  # first container (chunk-local)
    empty: np.ndarray
    origin: np.ndarray
    commodity: np.ndarray
    fdest: np.ndarray
    port: np.ndarray
    pol: np.ndarray = field(init=False)
    por: np.ndarray = field(init=False)
    ts1: np.ndarray = field(init=False)
    ts2: np.ndarray = field(init=False)
    size_type: np.ndarray = field(init=False)
    value_factor: np.ndarray = field(init=False)
    vgm_factor: np.ndarray = field(init=False)
    one_off: np.ndarray = field(init=False)
    # Days from leaving the last transshipment hub to the ETA date, and days spent at that hub
    # before leaving; both 0 when the route has no hub.
    sail_days: np.ndarray = field(init=False)
    dwell_days: np.ndarray = field(init=False)
    cases: dict[int, Case] = field(default_factory=dict)
    parties: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.voyage)
        self.pol, self.por = np.full(n, -1), np.full(n, -1)
        self.ts1, self.ts2 = np.full(n, -1), np.full(n, -1)
        self.size_type = np.zeros(n, dtype=np.int64)
        self.value_factor, self.vgm_factor = np.ones(n), np.ones(n)
        self.one_off = np.zeros(n, dtype=bool)
        self.sail_days = np.zeros(n, dtype=np.int64)
        self.dwell_days = np.zeros(n, dtype=np.int64)

    def last_hub(self) -> np.ndarray:
        """LOCODE index of the last transshipment port, -1 when the route has none."""
        return np.where(self.ts2 >= 0, self.ts2, self.ts1)


def _choose(rng: np.random.Generator, table: tuple[np.ndarray, np.ndarray], n: int) -> np.ndarray:
    keys, p = table
    return keys[rng.choice(len(keys), size=n, p=p)]


def _bl_structure(rng: np.random.Generator, plan: Plan,
                  voyages: range) -> tuple[np.ndarray, np.ndarray]:
    """Containers per bill of lading within each voyage; the last B/L takes the remainder."""
    total = sum(plan.voyages[v].containers for v in voyages)
    draws = rng.choice(len(BL_SIZE_P), size=total, p=BL_SIZE_P) + 1
    voyage_of, sizes, pointer = [], [], 0
    for v in voyages:
        n = plan.voyages[v].containers
        cum = np.cumsum(draws[pointer:pointer + n])
        k = int(np.searchsorted(cum, n))
        part = draws[pointer:pointer + k + 1].copy()
        part[-1] = n - (int(cum[k - 1]) if k else 0)
        pointer += k + 1
        voyage_of.append(np.full(len(part), v))
        sizes.append(part)
    return np.concatenate(voyage_of), np.concatenate(sizes)


def draw_consignments(rng: np.random.Generator, plan: Plan, t: Tables, voyages: range,
                      planted: list[tuple[int, str]], side: np.random.Generator) -> Consignments:
    """planted: (chunk-local container position, kind) of the cases in this chunk.

    side: a stream of its own for what came after the first version (hub times and the
    long-dwell signal), so that rng, and every column drawn from it, is unchanged by them.
    """
    voyage, size = _bl_structure(rng, plan, voyages)
    n = len(voyage)
    start = np.concatenate(([0], np.cumsum(size)[:-1]))
    port = t.voyage_port[voyage]
    origin, fdest = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    service = t.voyage_service[voyage]
    for pi in np.unique(port):
        prof = profile_for(t.locodes.values[pi])
        for si, svc in enumerate(prof.services):
            rows = np.flatnonzero((port == pi) & (service == si))
            origin[rows] = _choose(rng, _origin_table(t, prof.origins, svc), len(rows))
        rows = np.flatnonzero(port == pi)
        fdest[rows] = _choose(rng, Tables.weighted(t.locodes, prof.final_destinations), len(rows))
    empty = rng.random(n) < EMPTY_SHARE
    cons = Consignments(voyage, size, start, empty, origin, np.full(n, -1), fdest, port)
    _commodities(rng, t, cons)
    for row, kind in _planted_rows(cons, planted):
        _plant(rng, side, plan, t, cons, row, kind)
    _routes(rng, plan, t, cons)
    _sizes_and_factors(rng, t, cons)
    _hub_times(side, t, cons)
    return cons


def _origin_table(t: Tables, origins: dict[str, float],
                  svc: Service) -> tuple[np.ndarray, np.ndarray]:
    """Origins of a call: the unit's mix, damped for cargo that would not come via its hub."""
    reach = HUB_REACH.get(svc.hub)
    weights = {c: w * (1.0 if reach is None or c in svc.direct or REGION_OF.get(c) in reach
                       else OUT_OF_REACH) for c, w in origins.items()}
    return Tables.weighted(t.countries, weights)


def _planted_rows(cons: Consignments, planted: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Map container positions to consignments; a clash moves to the next free one."""
    rows: list[tuple[int, str]] = []
    taken: set[int] = set()
    n = len(cons.voyage)
    for position, kind in planted:
        row = int(np.searchsorted(cons.start, position, side="right")) - 1
        for candidate in chain(range(row, n), range(row - 1, -1, -1)):
            if candidate not in taken:
                taken.add(candidate)
                rows.append((candidate, kind))
                break
    return rows


def _commodities(rng: np.random.Generator, t: Tables, cons: Consignments) -> None:
    full = ~cons.empty
    for ci in np.unique(cons.origin[full]):
        rows = np.flatnonzero(full & (cons.origin == ci))
        cons.commodity[rows] = _choose(rng, t.mix[int(ci)], len(rows))


def _plant(rng: np.random.Generator, side: np.random.Generator, plan: Plan, t: Tables,
           cons: Consignments, row: int, kind: str) -> None:
    voyage = plan.voyages[int(cons.voyage[row])]
    prof = profile_for(voyage.port)
    rail = frozenset(CASPIAN_RECEIPT) if prof.caspian else frozenset()
    case = make_case(rng, side, kind, voyage.port, prof.services[voyage.service].hub, rail)
    cons.cases[row] = case
    cons.empty[row] = False
    cons.origin[row] = t.countries.idx(case.origin)
    if "reefer_dry" in case.signals:  # dry goods declared in a reefer: a classic tell
        cons.commodity[row] = t.commodity.idx(("tiles", "paper")[int(rng.integers(0, 2))])
    elif case.declared:
        cons.commodity[row] = t.commodity.idx(case.declared)
    else:
        cons.commodity[row] = _choose(rng, t.reefer_mix[int(cons.origin[row])], 1)[0]
    if case.final_destination:
        cons.fdest[row] = t.locodes.idx(case.final_destination)
    cons.one_off[row] = "one_off" in case.signals
    cons.value_factor[row] = case.value_factor
    cons.vgm_factor[row] = case.vgm_factor


def _routes(rng: np.random.Generator, plan: Plan, t: Tables, cons: Consignments) -> None:
    n, port = len(cons.voyage), cons.port
    service = t.voyage_service[cons.voyage]
    for ci in np.unique(cons.origin):
        rows = np.flatnonzero(cons.origin == ci)
        if int(ci) in t.pols:
            cons.pol[rows] = _choose(rng, t.pols[int(ci)], len(rows))
    cons.por[:] = cons.pol
    for gateway, feeders in RIVER_FEEDERS.items():
        hit = rng.random(n) < RIVER_RECEIPT
        rows = np.flatnonzero((cons.pol == t.locodes.idx(gateway)) & hit)
        cons.por[rows] = rng.choice([t.locodes.idx(f) for f in feeders], size=len(rows))
    extra = rng.random(n) < DIRECT_EXTRA_HUB
    pick = rng.random(n)
    for pi in np.unique(port):
        prof = profile_for(t.locodes.values[pi])
        for si, svc in enumerate(prof.services):
            rows = np.flatnonzero((port == pi) & (service == si))
            hub = t.locodes.idx(svc.hub)
            if prof.caspian:
                _caspian(rng, t, cons, rows, hub)
                continue
            cons.pol[rows] = np.where(cons.pol[rows] < 0, hub, cons.pol[rows])
            cons.por[rows] = np.where(cons.por[rows] < 0, cons.pol[rows], cons.por[rows])
            direct = np.isin(cons.origin[rows], [t.countries.idx(c) for c in svc.direct])
            direct |= cons.pol[rows] == hub
            cons.ts2[rows] = np.where(direct, -1, hub)
            for r in rows[~direct & extra[rows]]:
                hubs = t.region_hubs[int(cons.origin[r])]
                hubs = hubs[(hubs != hub) & (hubs != cons.pol[r])]
                if len(hubs):
                    cons.ts1[r] = hubs[int(pick[r] * len(hubs))]
    _empties(t, cons, port, service, plan)
    for row, case in cons.cases.items():
        if case.extra_hub and not profile_for(t.locodes.values[port[row]]).caspian:
            hub = t.locodes.idx(case.extra_hub)
            if hub != cons.pol[row] and hub != cons.ts2[row]:
                if cons.ts2[row] < 0:
                    cons.ts2[row] = hub
                else:
                    cons.ts1[row] = hub


def _caspian(rng: np.random.Generator, t: Tables, cons: Consignments, rows: np.ndarray,
             hub: int) -> None:
    """Caspian crossing: rail to Aktau or Turkmenbashi, then a feeder to Baku."""
    for ci in np.unique(cons.origin[rows]):
        sel = rows[cons.origin[rows] == ci]
        if int(ci) in t.receipts:
            cons.por[sel] = _choose(rng, t.receipts[int(ci)], len(sel))
        code = t.countries.values[int(ci)]
        if code in CASPIAN_SEA_RAIL:
            cons.ts1[sel] = t.locodes.idx(CASPIAN_SEA_RAIL[code])
    cons.pol[rows] = hub
    cons.por[rows] = np.where(cons.por[rows] < 0, hub, cons.por[rows])


def _empties(t: Tables, cons: Consignments, port: np.ndarray, service: np.ndarray,
             plan: Plan) -> None:
    """Empty boxes come back from the service hub on the carrier's own paperwork."""
    for r in np.flatnonzero(cons.empty):
        prof = profile_for(t.locodes.values[port[r]])
        hub = t.locodes.idx(prof.services[service[r]].hub)
        cons.pol[r] = cons.por[r] = hub
        cons.ts1[r] = cons.ts2[r] = -1
        cons.fdest[r] = port[r]
        cons.origin[r] = -1
        cons.commodity[r] = -1


def _sizes_and_factors(rng: np.random.Generator, t: Tables, cons: Consignments) -> None:
    for ki in np.unique(cons.commodity):
        rows = np.flatnonzero(cons.commodity == ki)
        table = Tables.weighted(t.size, EMPTY_SIZES) if ki < 0 else t.size_mix[int(ki)]
        cons.size_type[rows] = _choose(rng, table, len(rows))
    for row, case in cons.cases.items():
        if "reefer_dry" in case.signals:
            cons.size_type[row] = t.size.idx("45R1")


def _hub_times(side: np.random.Generator, t: Tables, cons: Consignments) -> None:
    """Sailing and dwell days at the last transshipment hub, for routes that have one.

    Boxes of one call that left the same hub left it on the same day (they came on this
    vessel), so the sailing time is drawn per (voyage, hub) around the leg's sailing_days; the
    dwell is drawn per consignment. A planted case with the long_dwell signal waits
    LONG_DWELL_DAYS instead; a route without a hub gets no hub for it.
    """
    codes, width = t.locodes.values, len(t.locodes.values)
    hub = cons.last_hub()
    rows = np.flatnonzero(hub >= 0)
    pairs, pair_of = np.unique(cons.voyage[rows] * width + hub[rows], return_inverse=True)
    legs, leg_of = np.unique(pairs % width * width + t.voyage_port[pairs // width],
                             return_inverse=True)
    base = np.array([sailing_days(codes[h], codes[p])
                     for h, p in zip((legs // width).tolist(), (legs % width).tolist(),
                                     strict=True)], dtype=np.int64)
    sail = np.clip(base[leg_of] + side.integers(0, SAIL_JITTER + 1, len(pairs)), *SAIL_DAYS)
    cons.sail_days[rows] = sail[pair_of]
    cons.dwell_days[rows] = side.choice(len(DWELL_P), size=len(rows), p=DWELL_P) + 1
    long_rows = np.array(sorted(r for r, c in cons.cases.items()
                                if "long_dwell" in c.signals and hub[r] >= 0), dtype=np.int64)
    lo, hi = LONG_DWELL_DAYS
    cons.dwell_days[long_rows] = side.integers(lo, hi + 1, len(long_rows))


def draw_parties(rng: np.random.Generator, t: Tables, book: PartyBook,
                 cons: Consignments) -> None:
    n, port = len(cons.voyage), cons.port
    names = t.countries.values
    port_country = t.locode_country[port]
    shipper_country = cons.origin.copy()
    u = rng.random(n)
    cn, hk, ae = (t.countries.idx(c) for c in ("CN", "HK", "AE"))
    shipper_country[(cons.origin == cn) & (u < HK_SHIPPER)] = hk
    traders = np.isin(cons.origin, [t.countries.idx(c) for c in ("CN", "IN", "VN", "TR", "MY")])
    shipper_country[traders & (u > 1 - AE_SHIPPER)] = ae
    pol_country = t.locode_country[cons.pol]
    shipper_country[cons.empty] = pol_country[cons.empty]
    consignee_country = t.locode_country[cons.fdest]
    consignee_country[cons.empty] = port_country[cons.empty]
    full = ~cons.empty
    shipper = book.sample(rng, SHIPPER, shipper_country, names)
    consignee = book.sample(rng, CONSIGNEE, consignee_country, names, cons.one_off)
    shipper[cons.empty] = book.sample(rng, AGENCY, shipper_country[cons.empty], names)
    consignee[cons.empty] = book.sample(rng, AGENCY, consignee_country[cons.empty], names)
    broker = book.sample(rng, BROKER, port_country, names)
    copy = (rng.random(n) < NOTIFY_IS_CONSIGNEE) | cons.empty
    cons.parties = {
        "shipper_role": np.where(full, SHIPPER, AGENCY), "shipper": shipper,
        "shipper_country": shipper_country,
        "consignee_role": np.where(full, CONSIGNEE, AGENCY), "consignee": consignee,
        "consignee_country": consignee_country,
        "notify_role": np.where(copy, np.where(full, CONSIGNEE, AGENCY), BROKER),
        "notify": np.where(copy, consignee, broker),
        "notify_country": np.where(copy, consignee_country, port_country),
        "collect": rng.random(n) > PREPAID_SHARE,
        "currency": _currencies(rng, t, cons),
    }


def _currencies(rng: np.random.Generator, t: Tables, cons: Consignments) -> np.ndarray:
    out = np.full(len(cons.voyage), t.currency.idx("USD"))
    u = rng.random(len(cons.voyage))
    for code, options in CURRENCY_BY_ORIGIN.items():
        if code not in t.countries.index:
            continue
        rows = cons.origin == t.countries.idx(code)
        low = 0.0
        for currency, share in options:
            out[rows & (u >= low) & (u < low + share)] = t.currency.idx(currency)
            low += share
    return out
