"""Canonical manifest records for tests: small, readable, one per demo port."""

from __future__ import annotations

import copy
from typing import Any

from portcontrol.core.containers import check_digit


def container_number(owner_serial: str) -> str:
    """'MSCU123456' -> 'MSCU123456' + its ISO 6346 check digit."""
    return owner_serial + check_digit(owner_serial)


BAKU_CONTAINER = container_number("MSCU123456")
KARACHI_CONTAINER = container_number("MAEU765432")
POTI_CONTAINER = container_number("CMAU555001")


def record(*, bl: str, port: str, container: str, voyage: str = "MSCU-9321483-001E",
           origin: str = "EC", hs: str = "080390", reefer: bool = True,
           shipper: str = "Frutas del Pacifico S.A.", consignee: str = "Caspian Fresh LLC",
           transshipment: list[str] | None = None,
           transshipment_days: tuple[str, str] | None = None) -> dict[str, Any]:
    """`transshipment_days`: the days the box arrived at and left its transshipment port
    (left out of the record when None)."""
    dwell = dict(zip(("transshipment_arrival", "transshipment_departure"),
                     transshipment_days or (), strict=False))
    return {
        "voyage": {"voyage_id": voyage, "vessel_imo": "9321483", "vessel_name": "MSC ANNA",
                   "vessel_flag": "PA", "carrier": "MSCU", "port_of_call": port,
                   "eta": "2026-11-24T06:00:00Z"},
        "bl_number": bl,
        "place_of_receipt": "ECGYE",
        "port_of_loading": "ECGYE",
        "transshipment_ports": transshipment if transshipment is not None else ["ESALG"],
        **dwell,
        "port_of_discharge": port,
        "final_destination": port,
        "freight_terms": "PREPAID",
        "parties": {
            "shipper": {"name": shipper, "address": "Av. 9 de Octubre 100, Guayaquil",
                        "country": origin},
            "consignee": {"name": consignee, "address": "Neftchilar ave 5", "country": port[:2]},
            "notify": None,
        },
        "containers": [{
            "container_number": container, "size_type": "45R1" if reefer else "45G1",
            "seals": ["EC1234567"], "gross_mass_kg": 26500, "vgm_kg": 26550, "full_empty": "F",
            "reefer": reefer,
            "goods": [{"hs_code": hs, "description": "Fresh bananas, Cavendish", "packages": 1080,
                       "package_type": "CT", "gross_kg": 22000, "net_kg": 19800,
                       "value": 15400.00, "currency": "USD", "origin_country": origin}],
        }],
    }


def sample_records() -> list[dict[str, Any]]:
    return [
        record(bl="MSCUGYE000001", port="AZBAK", container=BAKU_CONTAINER),
        record(bl="MAEUKHI000001", port="PKKHI", container=KARACHI_CONTAINER,
               voyage="MAEU-9454436-045W", consignee="Indus Traders (Pvt) Ltd",
               transshipment_days=("2026-11-03", "2026-11-09")),
        record(bl="CMAUPTI000001", port="GEPTI", container=POTI_CONTAINER,
               voyage="CMAU-9299343-112E", consignee="Kolkhida Import LLC"),
    ]


def modified(rec: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(rec)
    out.update(changes)
    return out
