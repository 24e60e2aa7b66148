"""Hand-built container lines for the engine tests: one plausible line, varied per test."""

from __future__ import annotations

from typing import Any

import polars as pl

from portcontrol.core.containers import check_digit
from portcontrol.engine.features import EngineConfig, History

# Low thresholds so that a few dozen past lines make a history.
CONFIG = EngineConfig(min_origin_shipments=10, min_heading_values=10, rare_pair_count=3)


def number(serial: int, owner: str = "TSTU") -> str:
    first = f"{owner}{serial:06d}"
    return first + check_digit(first)


BASE: dict[str, Any] = {
    "voyage_id": "MAEU-1-2648E", "vessel_imo": "9974230", "vessel_name": "TEST OPAL",
    "vessel_flag": "PT", "carrier": "MAEU", "port_of_call": "GEPTI",
    "eta": "2026-11-23T03:00:00Z", "bl_number": "MAEU0000000001", "place_of_receipt": "TRIZT",
    "port_of_loading": "TRIZT", "transshipment_ports": None, "port_of_discharge": "GEPTI",
    "final_destination": "GETBS", "shipper_name": "Anatolia Glass Ltd",
    "shipper_address": "1 Quay St, Izmir", "shipper_country": "TR",
    "consignee_name": "Kartli Build LLC", "consignee_address": "2 Rustavi Hwy, Tbilisi",
    "consignee_country": "GE", "notify_name": "Kartli Build LLC",
    "notify_address": "2 Rustavi Hwy, Tbilisi", "notify_country": "GE",
    "freight_terms": "PREPAID", "container_number": number(1), "size_type": "22G1",
    "seals": "ML-8383494", "gross_mass_kg": 24600.0, "vgm_kg": 24620.0, "full_empty": "F",
    "reefer": "0", "hs_code": "700529", "goods_description": "FLOAT GLASS SHEETS",
    "packages": 9.0, "package_type": "CR", "goods_gross_kg": 22400.0,
    "goods_net_kg": 20000.0, "value": 20000.0, "currency": "USD", "origin_country": "TR",
}


def line(i: int = 0, **overrides: Any) -> dict[str, Any]:
    """Line i of a batch: its own container and B/L unless overridden."""
    row = {**BASE, "container_number": number(1000 + i), "bl_number": f"MAEU{i:010d}"}
    row.update(overrides)
    return row


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema={k: pl.String if isinstance(v, str) or v is None
                                            else pl.Float64 for k, v in BASE.items()})


def past(n: int = 40, **overrides: Any) -> pl.DataFrame:
    """n ordinary past lines a month earlier, values per kg spread around 1 USD/kg."""
    rows = [line(5000 + i, **{"eta": "2026-10-20T03:00:00Z", "voyage_id": f"OLD-{i % 4}",
                              "value": 20000.0 * (0.9 + 0.2 * (i % 10) / 9), **overrides})
            for i in range(n)]
    return frame(*rows)


def history(*extra: pl.DataFrame, labels: pl.DataFrame | None = None) -> History:
    return History.from_frame(pl.concat([past(), *extra]), labels=labels, config=CONFIG)
