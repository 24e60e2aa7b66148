"""Container-level draws: equipment numbers, seals, masses, packages and declared values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checkdigits import iso6346_check_digits
from .consign import Consignments
from .parties import mix
from .tables import Tables

# Seal number prefixes per carrier (invented formats, digits follow).
SEAL_PREFIX = {"MSCU": "FX", "MAEU": "ML-", "CMAU": "C", "HLCU": "HLD", "COSU": "CS",
               "EGLV": "EMC", "ONEY": "ONE", "ZIMU": "ZIM"}
SECOND_SEAL = 0.3  # shipper's or customs seal in addition to the carrier's
COUNT_IN_DESCRIPTION = 0.25  # "1080 CARTONS OF ..." rather than the bare description
LOAD_SIGMA = 0.16  # spread of goods mass around the commodity's median load
VALUE_SIGMA = 0.3  # spread of value per kg around the commodity's median
VGM_SIGMA = 0.004  # weighing differences between declared gross and VGM
TARE_SIGMA = 0.015


class OwnerCounters:
    """Serial numbers per owner code, unique over the run: the k-th box of an owner gets an
    affine permutation of k modulo 10**6 (not sequential, never repeated before 10**6)."""

    def __init__(self, seed: int, owners: tuple[str, ...]):
        self.next = np.zeros(len(owners), dtype=np.int64)
        mult, add = [], []
        for code in owners:
            h = mix(seed, int.from_bytes(code.encode(), "little"))
            m = (h % 999_983) | 1
            mult.append(m + 2 if m % 5 == 0 else m)  # coprime with 10**6
            add.append((h >> 24) % 1_000_000)
        self.mult, self.add = np.array(mult, dtype=np.int64), np.array(add, dtype=np.int64)

    def serials(self, owner: np.ndarray) -> np.ndarray:
        counts = np.bincount(owner, minlength=len(self.next))
        order = np.argsort(owner, kind="stable")
        rank = np.empty(len(owner), dtype=np.int64)
        rank[order] = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        k = self.next[owner] + rank
        self.next += counts
        return (self.mult[owner] * k + self.add[owner]) % 1_000_000


@dataclass
class Boxes:
    cons: np.ndarray
    owner: np.ndarray
    serial: np.ndarray
    check: np.ndarray
    carrier: np.ndarray
    seal1: np.ndarray
    seal2: np.ndarray
    size_type: np.ndarray
    full: np.ndarray
    commodity: np.ndarray
    origin: np.ndarray
    gross_mass: np.ndarray
    vgm: np.ndarray
    goods_gross: np.ndarray
    goods_net: np.ndarray
    packages: np.ndarray
    value: np.ndarray
    currency: np.ndarray
    description: np.ndarray
    counted: np.ndarray


def _owners(rng: np.random.Generator, t: Tables, carrier: np.ndarray,
            reefer: np.ndarray) -> np.ndarray:
    owner = np.zeros(len(carrier), dtype=np.int64)
    pick = rng.random(len(carrier))
    for ci in np.unique(carrier):
        for is_reefer, table in ((False, t.carrier_owners), (True, t.carrier_reefer_owners)):
            rows = np.flatnonzero((carrier == ci) & (reefer == is_reefer))
            codes = table[int(ci)]
            owner[rows] = codes[(pick[rows] * len(codes)).astype(np.int64)]
    return owner


def draw_boxes(rng: np.random.Generator, t: Tables, cons: Consignments,
               counters: OwnerCounters, fx: np.ndarray) -> Boxes:
    c = np.repeat(np.arange(len(cons.voyage)), cons.size)
    n = len(c)
    size_type = cons.size_type[c]
    carrier = t.voyage_carrier[cons.voyage[c]]
    owner = _owners(rng, t, carrier, t.size_reefer[size_type])
    serial = counters.serials(owner)
    check = iso6346_check_digits(t.owner_sums[owner], serial)
    seal1 = rng.integers(1_000_000, 10_000_000, n)
    seal2 = np.where(rng.random(n) < SECOND_SEAL, rng.integers(100_000, 1_000_000, n), -1)
    full = ~cons.empty[c]
    commodity = cons.commodity[c]
    tare = np.round(t.tare[size_type] * rng.normal(1, TARE_SIGMA, n), -1)
    ki = np.maximum(commodity, 0)
    median = np.where(t.size_20[size_type], t.load20[ki], t.load40[ki])
    ceiling = t.max_gross[size_type] - tare - 100
    goods_gross = np.round(np.clip(median * rng.lognormal(0, LOAD_SIGMA, n), 0.2 * median,
                                   ceiling), 1)
    packages = np.maximum(1, np.round(goods_gross / t.kg_per_package[ki]
                                      * rng.lognormal(0, 0.04, n))).astype(np.int64)
    ratio = np.minimum(t.net_ratio[ki] * rng.uniform(0.985, 1.0, n), 0.995)
    goods_net = np.round(goods_gross * ratio, 1)
    currency = cons.parties["currency"][c]
    usd = goods_net * t.usd_per_kg[ki] * rng.lognormal(0, VALUE_SIGMA, n) * cons.value_factor[c]
    value = np.round(usd * fx[currency], 2)
    gross_mass = np.where(full, np.round(goods_gross) + tare, tare)
    vgm_factor = np.ones(n)
    first = cons.start[list(cons.cases)] if cons.cases else np.array([], dtype=np.int64)
    vgm_factor[first] = cons.vgm_factor[list(cons.cases)]  # only the loaded box weighs wrong
    vgm = np.round(gross_mass * rng.normal(1, VGM_SIGMA, n) * vgm_factor, -1)
    description = t.desc_start[ki] + (rng.random(n) * t.desc_count[ki]).astype(np.int64)
    counted = (rng.random(n) < COUNT_IN_DESCRIPTION) & t.countable[ki]
    return Boxes(c, owner, serial, check, carrier, seal1, seal2, size_type, full, commodity,
                 cons.origin[c],
                 gross_mass.astype(np.int64), vgm.astype(np.int64), goods_gross, goods_net,
                 packages, value, currency, description, counted)
