"""Planted illicit cases: what is smuggled, how it is declared, and the traces it leaves.

A planted consignment keeps the declared (false) goods in the manifest; the truth goes to
ground_truth.csv. Each case carries some of the signals a profiler looks for (newcomer
consignee, detour through hubs, low value per kg, mass that does not match, a reefer for dry
goods, a long dwell at the last transshipment hub) but never all of them, and a rip-on/rip-off
case rides on a clean consignment whose only trace is its route and its time at the hub.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SIGNALS = ("one_off", "extra_hub", "undervalue", "mass", "reefer_dry", "long_dwell")
LONG_DWELL_DAYS = (10, 25)  # inclusive: days a planted box waits at its last hub


@dataclass(frozen=True)
class Kind:
    name: str
    weight: float
    origins: dict[str, float]
    declared: dict[str, float]  # commodity keys; "" means: a reefer line of the origin's mix
    actual: tuple[str, ...]  # formats with {qty} (kg) and {units}
    qty_kg: tuple[int, int]
    kg_per_unit: float
    concealment: tuple[str, ...]
    signals: dict[str, float]
    hubs: tuple[str, ...] = ("AEJEA", "LKCMB", "OMSLL", "TRMER", "GRPIR", "MAPTM")
    excluded_ports: frozenset[str] = frozenset({"AZBAK"})
    final: dict[str, float] = field(default_factory=dict)  # override of final destination
    final_by_port: dict[str, dict[str, float]] = field(default_factory=dict)
    undervalue: tuple[float, float] = (0.2, 0.5)
    mass: tuple[float, float] = (1.05, 1.18)  # VGM / declared gross when the mass signal is on
    # Probability of "long_dwell": the box waits LONG_DWELL_DAYS at its last transshipment hub
    # (rip-on/rip-off exposure). Drawn apart from `signals` (see make_case); it shows only on a
    # route that has a hub, and no hub is added for it.
    long_dwell: float = 0.0


RIP_ON_RIP_OFF = "rip-on/rip-off: holdalls behind intact seal"
CENTRAL_ASIA = {"KZALA": .25, "UZTAS": .3, "KGFRU": .25, "TJDYU": .1, "TMAGT": .1}

KINDS: tuple[Kind, ...] = (
    Kind("cocaine", .3, {"EC": .45, "CO": .3, "PE": .1, "CR": .15}, {"": 1.0},
         ("cocaine hydrochloride, {qty} kg in {units} bricks",), (40, 650), 1.1,
         ("reefer unit (evaporator housing)", "inside cargo (false-bottom fruit boxes)",
          RIP_ON_RIP_OFF, "container structure (floor cross-members)"),
         {"one_off": .45, "extra_hub": .6, "undervalue": .08, "mass": .15, "reefer_dry": .12},
         hubs=("PAMIT", "PABLB", "JMKIN", "COCTG", "ESALG", "MAPTM", "TRMER", "GRPIR"),
         long_dwell=.55),
    Kind("precursors", .12, {"CN": .5, "IN": .4, "AE": .1},
         {"carboxylic_acids": .55, "solvents": .35, "paints": .1},
         ("acetic anhydride (HS 291524), {qty} kg in relabelled drums",
          "ephedrine hydrochloride (HS 293941), {qty} kg"), (400, 16000), 25.0,
         ("declared as another chemical; drums relabelled", "tank container declared as solvent",
          "mixed with genuine drums of the declared chemical"),
         {"one_off": .7, "extra_hub": .3, "undervalue": .3, "mass": .15},
         excluded_ports=frozenset(),
         final_by_port={"PKKHI": {"PKPEW": .5, "PKUET": .3, "PKLHE": .2},
                        "GEPTI": {"GETBS": .4, "AZBAK": .3, "UZTAS": .3}},
         long_dwell=.15),
    Kind("counterfeits", .22, {"CN": .8, "TR": .1, "AE": .1},
         {"sports_shoes": .35, "handbags": .25, "watches": .15, "perfume": .15, "toys": .1},
         ("counterfeit branded goods (trademark infringement), about {units} pieces",),
         (1000, 9000), 0.6,
         ("mixed with genuine unbranded goods",
          "brand labels packed separately for attachment after import",
          "behind front rows of declared goods"),
         {"one_off": .5, "extra_hub": .25, "undervalue": .85, "mass": .1},
         excluded_ports=frozenset(), undervalue=(0.08, 0.3), long_dwell=.1),
    Kind("cigarettes", .14, {"AE": .45, "CN": .2, "VN": .1, "ID": .1, "TR": .15},
         {"paper": .4, "wood_furniture": .3, "upholstered_seats": .1, "tiles": .1,
          "plastic_household": .1},
         ("cigarettes (HS 240220), {units} master cases, about {qty} kg",), (4000, 9500), 11.0,
         ("behind a front wall of declared goods", "entire load substituted",
          "inside hollowed furniture"),
         {"one_off": .6, "extra_hub": .4, "undervalue": .2, "mass": .6},
         excluded_ports=frozenset(), mass=(0.42, 0.75), long_dwell=.25),
    Kind("wildlife", .07, {"NG": .35, "MZ": .2, "KE": .15, "TZ": .15, "CD": .15},
         {"veg_materials": .35, "shells": .3, "plastic_articles": .15, "logs": .2},
         ("raw ivory tusks, {qty} kg (CITES Appendix I)",
          "pangolin scales, {qty} kg (CITES Appendix I)"), (300, 7000), 10.0,
         ("inside bags of declared goods", "false wall at container front", "under timber logs"),
         {"one_off": .6, "extra_hub": .6, "undervalue": .3, "mass": .3},
         hubs=("LKCMB", "OMSLL", "AEJEA", "MYTPP", "SGSIN", "TRMER"), long_dwell=.35),
    Kind("weapons", .06, {"TR": .35, "US": .3, "BG": .2, "UA": .15},
         {"machine_parts": .6, "car_parts": .25, "pumps": .15},
         ("firearm parts: receivers and barrels (HS 930591), {qty} kg",
          "military rifles, disassembled (HS 930190), {units} units"), (200, 3000), 4.5,
         ("inside machinery crates", "packed among spare parts", "within pump housings"),
         {"one_off": .6, "extra_hub": .3, "undervalue": .3, "mass": .3}, long_dwell=.2),
    Kind("dual_use", .09, {"CN": .3, "DE": .12, "IT": .08, "JP": .1, "KR": .1, "TR": .1,
                           "AE": .2},
         {"machines_nes": .5, "instruments": .35, "machine_parts": .15},
         ("ultrasonic machine tool (HS 845620), export-controlled dual-use item",
          "isotope separation equipment parts (HS 840120), controlled item",
          "high-performance processors (HS 854231), export-controlled, {units} units"),
         (500, 8000), 0.05,
         ("mis-described as generic equipment",
          "consigned via a trading company in a third country",
          "components split across consignments"),
         {"one_off": .75, "extra_hub": .4, "undervalue": .4, "mass": .1},
         excluded_ports=frozenset(), final=CENTRAL_ASIA,
         final_by_port={"AZBAK": {"AZBAK": .6, "GETBS": .4}}, long_dwell=.15),
)
KIND_NAMES = tuple(k.name for k in KINDS)
BY_NAME = {k.name: k for k in KINDS}


def kind_allowed(kind: str, port: str) -> bool:
    return port not in BY_NAME[kind].excluded_ports


def kind_weights(port: str) -> dict[str, float]:
    table = {k.name: k.weight for k in KINDS if kind_allowed(k.name, port)}
    return table or {k.name: k.weight for k in KINDS}


def _pick(rng: np.random.Generator, table: dict[str, float]) -> str:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


@dataclass
class Case:
    """One planted consignment: the choices illicit.py makes, applied by the chunk builder."""

    kind: str
    origin: str
    declared: str  # commodity key, or "" for a reefer line of the origin's mix
    final_destination: str | None
    concealment: str
    actual: str
    signals: frozenset[str]
    extra_hub: str | None
    value_factor: float
    vgm_factor: float


def make_case(rng: np.random.Generator, side: np.random.Generator, kind_name: str, port: str,
              service_hub: str, rail_origins: frozenset[str] = frozenset()) -> Case:
    """rail_origins: when the call is a Caspian crossing, the origins its rail legs serve.

    side: the chunk's stream for hub times. "long_dwell" is drawn from it, not from rng, so
    that every other draw of a seed, and so every other column, is what it was before the
    signal existed. The rules "at least one signal, never all" apply to the paperwork
    signals of kind.signals; long_dwell comes on top of them.
    """
    kind = BY_NAME[kind_name]
    concealment = kind.concealment[int(rng.integers(0, len(kind.concealment)))]
    signals = {s for s, p in kind.signals.items() if rng.random() < p}
    if concealment == RIP_ON_RIP_OFF:
        # The smuggler rides on someone else's clean paperwork: only the route can tell.
        signals &= {"extra_hub"}
    else:
        if not signals:
            signals = {list(kind.signals)[int(rng.integers(0, len(kind.signals)))]}
        if len(signals) == len(kind.signals):
            signals.discard(sorted(signals)[int(rng.integers(0, len(signals)))])
    # Rip-on/rip-off happens while the box waits at a hub: such a box always waits long.
    if side.random() < kind.long_dwell or concealment == RIP_ON_RIP_OFF:
        signals.add("long_dwell")
    qty = int(rng.integers(*kind.qty_kg))
    text = kind.actual[int(rng.integers(0, len(kind.actual)))]
    actual = text.format(qty=qty, units=max(1, round(qty / kind.kg_per_unit)))
    final = kind.final_by_port.get(port) or kind.final or None
    hubs = [h for h in kind.hubs if h != service_hub and h[:2] != port[:2]]
    # Never "import" from the unit's own country (a generic destination may be an origin).
    origins = {c: w for c, w in kind.origins.items() if c != port[:2]} or kind.origins
    if rail_origins:
        origins = {c: w for c, w in origins.items() if c in rail_origins} or {"CN": 1.0}
    lo, hi = kind.undervalue
    mlo, mhi = kind.mass
    return Case(
        kind=kind_name, origin=_pick(rng, origins), declared=_pick(rng, kind.declared),
        final_destination=_pick(rng, final) if final else None, concealment=concealment,
        actual=actual, signals=frozenset(signals),
        extra_hub=hubs[int(rng.integers(0, len(hubs)))] if "extra_hub" in signals else None,
        value_factor=float(rng.uniform(lo, hi)) if "undervalue" in signals else 1.0,
        vgm_factor=float(rng.uniform(mlo, mhi)) if "mass" in signals else 1.0)
