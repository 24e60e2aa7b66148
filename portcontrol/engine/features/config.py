"""Configuration of the indicators: lists and thresholds an installation tunes.

Every value has a default that makes sense for a seaport PCU on the routes the programme
watches; an installation stores its own choices (as the plain dict of `to_dict`) and passes
them back through `EngineConfig.from_dict`. Nothing here is a secret or a credential.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

# Source countries of cocaine shipments seen in seizure reports of the last decade.
DEFAULT_RISKY_ORIGINS = ("EC", "CO", "PE", "BO", "BR", "PY", "VE", "GY", "SR", "PA", "CR")
# Transshipment hubs where rip-on/rip-off loading and route laundering are documented.
DEFAULT_RISKY_HUBS = ("ESALG", "MAPTM", "PAMIT", "PABLB", "JMKIN", "TRMER", "GRPIR", "BEANR",
                      "NLRTM", "AEJEA", "LKCMB", "COCTG", "OMSLL", "DOCAU", "PTSIE")
# HS chapters that legitimately travel refrigerated: food and agriculture (01-24),
# pharmaceuticals and vaccines (30), enzymes and glues that spoil (35), reagents (38).
DEFAULT_PERISHABLE_CHAPTERS = tuple(f"{c:02d}" for c in range(1, 25)) + ("30", "35", "38")
# Approximate rates (units of currency per US dollar), used only to compare values per kg
# across currencies; an installation replaces them with its customs exchange rates.
DEFAULT_FX_PER_USD = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "CNY": 7.1, "AED": 3.6725,
                      "TRY": 34.0, "RUB": 90.0, "GEL": 2.7, "AZN": 1.7, "PKR": 280.0,
                      "INR": 84.0, "JPY": 150.0, "KRW": 1380.0, "CHF": 0.88, "KZT": 480.0,
                      "UZS": 12800.0, "SGD": 1.34, "HKD": 7.8}
# Maximum gross mass (kg) by container length (feet), as rated on common CSC plates.
DEFAULT_MAX_GROSS_BY_LENGTH = {"20": 30480, "40": 34000, "45": 34000, "10": 10160,
                               "30": 30480, "48": 34000}
# Type letters (third character of the ISO 6346 size-type code) rated heavier: tanks and
# platforms/flat racks.
DEFAULT_MAX_GROSS_BY_TYPE = {"T": 36000, "P": 45000}
# The heaviest an empty box of each length weighs (its tare), with room for the heavy kinds:
# a 20 ft tank about 4,200 kg, a 40 ft flat rack about 5,800, a 45 ft high cube about 5,000.
DEFAULT_MAX_EMPTY_BY_LENGTH = {"10": 2000, "20": 4500, "30": 5500, "40": 6500, "45": 6500,
                               "48": 7000}
DEFAULT_USUAL_FREIGHT_TERMS = ("PREPAID", "COLLECT")


@dataclass(frozen=True)
class EngineConfig:
    """Lists and thresholds of the indicators; see docs/risk-engine.md for each one."""

    risky_origins: tuple[str, ...] = DEFAULT_RISKY_ORIGINS
    risky_hubs: tuple[str, ...] = DEFAULT_RISKY_HUBS
    perishable_chapters: tuple[str, ...] = DEFAULT_PERISHABLE_CHAPTERS
    usual_freight_terms: tuple[str, ...] = DEFAULT_USUAL_FREIGHT_TERMS
    fx_per_usd: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_FX_PER_USD))
    max_gross_by_length: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_MAX_GROSS_BY_LENGTH))
    max_gross_by_type: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_MAX_GROSS_BY_TYPE))
    max_empty_by_length: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_MAX_EMPTY_BY_LENGTH))
    # Port of call (UN/LOCODE) -> unit code; a port not listed is its own unit.
    units: dict[str, str] = field(default_factory=dict)
    # History thresholds: fewer observations than these prove nothing either way.
    min_origin_shipments: int = 50
    rare_pair_count: int = 5
    min_heading_values: int = 20
    # Value per kg: the normal range is median +/- value_k robust deviations (log scale).
    value_k: float = 2.0
    min_log_scale: float = 0.1
    # Goods mass: a load more than load_factor times (or less than 1/load_factor) the usual
    # load of the heading in that container length is implausible.
    load_factor: float = 3.0
    mass_tolerance: float = 0.02
    # Gross mass vs. VGM: weighing differences up to vgm_tolerance are normal.
    vgm_tolerance: float = 0.03
    vgm_full: float = 0.20
    # Parties: first seen fewer than new_party_days ago counts as new.
    new_party_days: int = 30
    one_off_shipments: int = 1
    # Freight terms used on fewer than this share of an origin's past shipments are unusual.
    rare_freight_share: float = 0.05
    # Container on two voyages whose arrivals are this close cannot be the same box.
    clone_window_days: int = 7
    # Hub dwell: up to normal_dwell_days is routine (a connection at a hub takes one to five
    # days), long_dwell_days or more scores 1 (two weeks in a hub's stacks leave time to open
    # a box and close it again: rip-on/rip-off).
    normal_dwell_days: float = 5.0
    long_dwell_days: float = 14.0
    # Indicator id -> weight in the risk combination (overrides the registry's default).
    indicator_weights: dict[str, float] = field(default_factory=dict)

    def max_gross_kg(self, size_type: str) -> int | None:
        """The rated maximum gross mass of a size-type code, or None if its length is unknown."""
        length = size_length_ft(size_type)
        if length is None:
            return None
        base = self.max_gross_by_length.get(str(length))
        extra = self.max_gross_by_type.get(size_type[2:3]) if len(size_type) >= 3 else None
        return max(v for v in (base, extra) if v is not None) if base or extra else None

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EngineConfig:
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown engine setting(s): {', '.join(unknown)}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(getattr(cls(), k), tuple) else v
                                  for k, v in data.items()}
        return replace(cls(), **values)


# ISO 6346 length code (first character of the size-type code) -> length in feet.
LENGTH_CODES = {"1": 10, "2": 20, "3": 30, "4": 40, "L": 45, "M": 48}


def size_length_ft(size_type: str) -> int | None:
    return LENGTH_CODES.get(size_type[:1].upper()) if size_type else None
