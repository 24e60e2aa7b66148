"""API: container search and container detail, scoped exactly like the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from portcontrol.core.errors import InvalidValue

from . import queries

router = Router(tags=["containers"])


class ContainerSummary(Schema):
    id: int
    number: str
    number_valid: bool
    size_type: str
    reefer: bool
    load: str
    unit: str
    vessel_name: str
    voyage_ref: str
    received_at: datetime


class SearchOut(Schema):
    query: str
    warning: str | None
    truncated: bool
    results: list[ContainerSummary]


class PartyOut(Schema):
    name: str
    address: str
    country: str


class GoodsOut(Schema):
    sequence: int
    hs_code: str
    description: str
    packages: int | None
    package_type: str
    gross_kg: Decimal | None
    net_kg: Decimal | None
    value: Decimal | None
    currency: str
    origin_country: str


class ConsignmentOut(Schema):
    bl_number: str
    place_of_receipt: str
    port_of_loading: str
    transshipment_ports: list[str]
    transshipment_arrival: date | None
    transshipment_departure: date | None
    port_of_discharge: str
    final_destination: str
    freight_terms: str
    version: int
    shipper: PartyOut | None
    consignee: PartyOut | None
    notify_party: PartyOut | None
    goods: list[GoodsOut]


class RoutePoint(Schema):
    locode: str
    role: str
    name: str
    lat: float | None
    lon: float | None


class ContainerDetail(ContainerSummary):
    seals: list[str]
    gross_mass_kg: Decimal | None
    vgm_kg: Decimal | None
    vessel_imo: str
    vessel_flag: str
    carrier: str
    consignments: list[ConsignmentOut]
    route: list[RoutePoint]


def _summary(c) -> dict:
    return {"id": c.pk, "number": c.number, "number_valid": c.number_valid,
            "size_type": c.size_type, "reefer": c.reefer, "load": c.load, "unit": c.unit.code,
            "vessel_name": c.voyage.vessel_name, "voyage_ref": c.voyage.voyage_ref,
            "received_at": c.created_at}


@router.get("/", response=SearchOut, summary="Search containers by number or prefix")
def search(request, q: str):
    result = queries.search_containers(request.user, q)
    if result.error:
        raise InvalidValue(result.error, field="q")
    return {"query": result.query, "warning": result.warning, "truncated": result.truncated,
            "results": [_summary(c) for c in result.containers]}


@router.get("/{container_id}", response=ContainerDetail, summary="One container")
def detail(request, container_id: int):
    container = get_object_or_404(queries.containers_for(request.user), pk=container_id)
    ctx = queries.container_context(container)
    v = container.voyage
    return {
        **_summary(container), "seals": container.seals,
        "gross_mass_kg": container.gross_mass_kg, "vgm_kg": container.vgm_kg,
        "vessel_imo": v.vessel_imo, "vessel_flag": v.vessel_flag, "carrier": v.carrier,
        "consignments": [{
            "bl_number": c.bl_number, "place_of_receipt": c.place_of_receipt,
            "port_of_loading": c.port_of_loading, "transshipment_ports": c.transshipment_ports,
            "transshipment_arrival": c.transshipment_arrival,
            "transshipment_departure": c.transshipment_departure,
            "port_of_discharge": c.port_of_discharge, "final_destination": c.final_destination,
            "freight_terms": c.freight_terms, "version": c.version,
            "shipper": c.shipper, "consignee": c.consignee, "notify_party": c.notify_party,
            "goods": list(c.goods.all()),
        } for c in ctx["consignments"]],
        "route": ctx["route_legs"],
    }
