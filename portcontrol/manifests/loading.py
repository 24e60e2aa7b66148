"""Load canonical manifest records (the generator's NDJSON, the API's JSON schema) in bulk.

One record is one bill of lading with its voyage, parties, containers and goods. Records are
checked field by field; a record with an error is skipped and reported, the others load.
A record whose bill of lading is already on the voyage is counted as a duplicate and left
unchanged, so loading the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from portcontrol.accounts.models import Unit
from portcontrol.audit.log import record as audit
from portcontrol.core.codes import normalize_imo
from portcontrol.core.containers import is_reefer_type, validate_container_number
from portcontrol.core.errors import InvalidValue
from portcontrol.reference import lookup

from .models import (Consignment, ConsignmentContainer, Container, GoodsItem, Party, PortCall,
                     Voyage)

BATCH = 2000


@dataclass
class Finding:
    record: int
    key: str
    field: str
    message: str


@dataclass
class LoadResult:
    consignments: int = 0
    containers: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


def party_key(name: str, address: str, country: str) -> str:
    def norm(text: str) -> str:
        return re.sub(r"[^0-9a-zа-яё]+", " ", text.casefold()).strip()
    raw = f"{norm(name)}|{norm(address)}|{country.upper()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _decimal(value: Any, name: str, *, positive: bool = True) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise InvalidValue(f"{name} {value!r} is not a number.", field=name) from None
    if not number.is_finite() or (positive and number <= 0):
        raise InvalidValue(f"{name} must be a number greater than zero, not {value!r}.",
                           field=name)
    return number


def _eta(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(str(value).replace("Z", "+00:00"))
    if parsed is None:
        raise InvalidValue(f"ETA {value!r} is not an ISO 8601 date and time.", field="eta")
    return parsed


@dataclass
class _Checked:
    voyage: dict[str, Any]
    consignment: dict[str, Any]
    parties: dict[str, dict[str, str] | None]
    containers: list[dict[str, Any]]
    warnings: list[tuple[str, str]]


def _check_port(value: str, name: str, warnings: list[tuple[str, str]]) -> str:
    if not value:
        return ""
    code, _port, warning = lookup.check_locode(value, field=name)
    if warning:
        warnings.append((name, warning))
    return code


def check_record(rec: dict[str, Any]) -> _Checked:
    """Validate one canonical record; raise InvalidValue on the first error."""
    warnings: list[tuple[str, str]] = []
    v = rec.get("voyage") or {}
    if not v.get("voyage_id"):
        raise InvalidValue("Voyage reference is missing.", field="voyage.voyage_id")
    voyage = {
        "voyage_ref": str(v["voyage_id"])[:40], "carrier": str(v.get("carrier", ""))[:40],
        "vessel_imo": normalize_imo(v["vessel_imo"], field="voyage.vessel_imo")
        if v.get("vessel_imo") else "",
        "vessel_name": str(v.get("vessel_name", ""))[:120],
        "vessel_flag": lookup.check_country(v["vessel_flag"], field="voyage.vessel_flag")
        if v.get("vessel_flag") else "",
        "port_of_call": _check_port(v.get("port_of_call", ""), "voyage.port_of_call", warnings),
        "eta": _eta(v.get("eta")),
    }
    if not voyage["port_of_call"]:
        raise InvalidValue("Port of call is missing.", field="voyage.port_of_call")
    bl = str(rec.get("bl_number") or "").strip()
    if not bl:
        raise InvalidValue("Bill of lading number is missing.", field="bl_number")
    cons = {
        "bl_number": bl[:40],
        "transshipment_ports": [_check_port(p, "transshipment_ports", warnings)
                                for p in rec.get("transshipment_ports") or []],
        "freight_terms": str(rec.get("freight_terms") or "").upper()[:10],
    }
    for name in ("place_of_receipt", "port_of_loading", "port_of_discharge", "final_destination"):
        cons[name] = _check_port(rec.get(name) or "", name, warnings)
    if cons["freight_terms"] and cons["freight_terms"] not in Consignment.FreightTerms.values:
        warnings.append(("freight_terms", f"Unusual freight terms {cons['freight_terms']!r}."))
        cons["freight_terms"] = Consignment.FreightTerms.OTHER
    parties: dict[str, dict[str, str] | None] = {}
    for role, p in (rec.get("parties") or {}).items():
        if not p or not p.get("name"):
            parties[role] = None
            continue
        country = lookup.check_country(p["country"], field=f"parties.{role}.country") \
            if p.get("country") else ""
        parties[role] = {"name": str(p["name"])[:200], "address": str(p.get("address", ""))[:300],
                         "country": country, "identifier": str(p.get("identifier", ""))[:60]}
    containers = [_check_container(c, i, warnings)
                  for i, c in enumerate(rec.get("containers") or [])]
    return _Checked(voyage, cons, parties, containers, warnings)


def _check_container(c: dict[str, Any], i: int, warnings: list[tuple[str, str]]) -> dict[str, Any]:
    prefix = f"containers[{i}]"
    number = validate_container_number(c.get("container_number", ""),
                                       field=f"{prefix}.container_number")
    size_type = lookup.check_size_type(c["size_type"], field=f"{prefix}.size_type") \
        if c.get("size_type") else ""
    gross = _decimal(c.get("gross_mass_kg"), f"{prefix}.gross_mass_kg")
    vgm = _decimal(c.get("vgm_kg"), f"{prefix}.vgm_kg")
    if gross and vgm and abs(gross - vgm) > max(Decimal("500"), gross * Decimal("0.05")):
        warnings.append((f"{prefix}.vgm_kg", f"VGM {vgm} kg differs from gross mass {gross} kg."))
    reefer = bool(c.get("reefer")) or is_reefer_type(size_type)
    goods = []
    for j, g in enumerate(c.get("goods") or []):
        gp = f"{prefix}.goods[{j}]"
        net, gross_g = _decimal(g.get("net_kg"), f"{gp}.net_kg"), _decimal(g.get("gross_kg"),
                                                                            f"{gp}.gross_kg")
        if net and gross_g and net > gross_g:
            warnings.append((f"{gp}.net_kg", f"Net mass {net} kg exceeds gross {gross_g} kg."))
        goods.append({
            "hs_code": lookup.check_hs(g["hs_code"], field=f"{gp}.hs_code")
            if g.get("hs_code") else "",
            "description": str(g.get("description", "")), "packages": g.get("packages") or None,
            "package_type": str(g.get("package_type", ""))[:3], "gross_kg": gross_g,
            "net_kg": net, "value": _decimal(g.get("value"), f"{gp}.value"),
            "currency": str(g.get("currency", "")).upper()[:3],
            "origin_country": lookup.check_country(g["origin_country"],
                                                   field=f"{gp}.origin_country")
            if g.get("origin_country") else "",
        })
    return {"number": number, "size_type": size_type, "seals": list(c.get("seals") or []),
            "gross_mass_kg": gross, "vgm_kg": vgm, "reefer": reefer,
            "load": "E" if str(c.get("full_empty", "F")).upper() == "E" else "F", "goods": goods}


def units_by_port() -> dict[str, Unit]:
    table: dict[str, Unit] = {}
    for unit in Unit.objects.filter(is_active=True):
        for code in unit.port_list:
            table.setdefault(code, unit)
    return table


def read_ndjson(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def do_load_records(records: Iterable[dict[str, Any]], *, acting_user: Any,
                    source: str) -> LoadResult:
    """Check and store records in batches; each batch is one transaction with its audit."""
    result = LoadResult()
    ports = units_by_port()
    batch: list[tuple[int, _Checked, Unit]] = []
    for index, rec in enumerate(records, start=1):
        key = str(rec.get("bl_number") or f"record {index}")
        try:
            checked = check_record(rec)
            unit = ports.get(checked.voyage["port_of_call"])
            if unit is None:
                raise InvalidValue(f"No unit receives manifests for port "
                                   f"{checked.voyage['port_of_call']}.", field="voyage.port_of_call")
        except InvalidValue as exc:
            result.rejected += 1
            result.errors.append(Finding(index, key, exc.field or "", exc.message))
            continue
        result.warnings.extend(Finding(index, key, f, m) for f, m in checked.warnings)
        batch.append((index, checked, unit))
        if len(batch) >= BATCH:
            _store(batch, result, acting_user, source)
            batch = []
    if batch:
        _store(batch, result, acting_user, source)
    return result


def _store(batch: list[tuple[int, _Checked, Unit]], result: LoadResult, acting_user: Any,
           source: str) -> None:
    with transaction.atomic():
        voyages = _voyages(batch)
        parties = _parties(batch)
        existing = set(Consignment.objects.filter(
            voyage__in=list(voyages.values()),
            bl_number__in=[c.consignment["bl_number"] for _, c, _ in batch],
        ).values_list("voyage_id", "bl_number"))
        new: list[tuple[Consignment, _Checked]] = []
        for _, checked, unit in batch:
            voyage = voyages[(unit.pk, checked.voyage["carrier"], checked.voyage["voyage_ref"])]
            if (voyage.pk, checked.consignment["bl_number"]) in existing:
                result.duplicates += 1
                continue
            existing.add((voyage.pk, checked.consignment["bl_number"]))
            refs = {role: parties.get(_pkey(unit, p)) if p else None
                    for role, p in checked.parties.items()}
            new.append((Consignment(unit=unit, voyage=voyage, source=source[:200],
                                    shipper=refs.get("shipper"), consignee=refs.get("consignee"),
                                    notify_party=refs.get("notify"), **checked.consignment),
                        checked))
        Consignment.objects.bulk_create([c for c, _ in new], batch_size=1000)
        n_containers = _containers(new)
        result.consignments += len(new)
        result.containers += n_containers
        audit(actor=acting_user, action="manifest.load", object_type="manifest_batch",
              object_id=source[:64], unit_id=batch[0][2].pk,
              after={"source": source, "consignments": len(new), "containers": n_containers,
                     "units": sorted({u.pk for _, _, u in batch})})


def _voyages(batch: list[tuple[int, _Checked, Unit]]) -> dict[tuple[int, str, str], Voyage]:
    out: dict[tuple[int, str, str], Voyage] = {}
    for _, checked, unit in batch:
        v = checked.voyage
        key = (unit.pk, v["carrier"], v["voyage_ref"])
        if key in out:
            continue
        voyage, _ = Voyage.objects.get_or_create(
            unit=unit, carrier=v["carrier"], voyage_ref=v["voyage_ref"],
            defaults={"vessel_imo": v["vessel_imo"], "vessel_name": v["vessel_name"],
                      "vessel_flag": v["vessel_flag"]})
        PortCall.objects.get_or_create(voyage=voyage, locode=v["port_of_call"],
                                       defaults={"eta": v["eta"]})
        out[key] = voyage
    return out


def _pkey(unit: Unit, p: dict[str, str]) -> tuple[int, str]:
    return unit.pk, party_key(p["name"], p["address"], p["country"])


def _parties(batch: list[tuple[int, _Checked, Unit]]) -> dict[tuple[int, str], Party]:
    wanted: dict[tuple[int, str], Party] = {}
    for _, checked, unit in batch:
        for p in checked.parties.values():
            if p:
                wanted.setdefault(_pkey(unit, p), Party(unit=unit, key=_pkey(unit, p)[1], **p))
    found = {(p.unit_id, p.key): p for p in Party.objects.filter(
        key__in=[k for _, k in wanted])}
    missing = [p for k, p in wanted.items() if k not in found]
    Party.objects.bulk_create(missing, batch_size=1000, ignore_conflicts=True)
    if missing:
        found.update({(p.unit_id, p.key): p for p in Party.objects.filter(
            key__in=[p.key for p in missing])})
    return found


def _containers(new: list[tuple[Consignment, _Checked]]) -> int:
    by_key: dict[tuple[int, str], Container] = {}
    voyage_ids = {c.voyage_id for c, _ in new}
    for cont in Container.objects.filter(voyage_id__in=voyage_ids):
        by_key[(cont.voyage_id, cont.number)] = cont
    fresh: list[Container] = []
    for cons, checked in new:
        for c in checked.containers:
            key = (cons.voyage_id, c["number"])
            if key not in by_key:
                fields = {k: v for k, v in c.items() if k not in ("number", "goods")}
                by_key[key] = Container(unit=cons.unit, voyage_id=cons.voyage_id,
                                        number=c["number"], **fields)
                fresh.append(by_key[key])
    Container.objects.bulk_create(fresh, batch_size=1000)
    links, goods = [], []
    for cons, checked in new:
        seq = 0
        for c in checked.containers:
            cont = by_key[(cons.voyage_id, c["number"])]
            links.append(ConsignmentContainer(consignment=cons, container=cont))
            for g in c["goods"]:
                seq += 1
                goods.append(GoodsItem(consignment=cons, container=cont, sequence=seq, **g))
    ConsignmentContainer.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    GoodsItem.objects.bulk_create(goods, batch_size=1000)
    return len(fresh)
