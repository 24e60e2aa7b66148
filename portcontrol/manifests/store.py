"""Store validated canonical records: new, unchanged or amended bills of lading.

An identical record (same content checksum) changes nothing; a record for a bill of lading
already on the voyage with other content is an amendment: the earlier version is kept in
ConsignmentVersion, the consignment and its containers and goods are replaced. A container
number declared on another voyage arriving within CLONE_WINDOW is flagged as a possible clone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from portcontrol.audit.log import lock_chain
from portcontrol.audit.log import record as audit

from .clones import flag_clones
from .fingerprint import content_hash
from .models import (
    Consignment,
    ConsignmentContainer,
    ConsignmentVersion,
    Container,
    GoodsItem,
    Party,
    PortCall,
    Voyage,
)
from .rawsql import RawWriter, db_datetime, select_pairs, select_probing


@dataclass
class Item:
    """One validated record, ready to store."""

    unit_id: int
    record: dict[str, Any]
    warnings: list[dict[str, str]] = field(default_factory=list)
    message_date: datetime | None = None


@dataclass
class StoreCounts:
    consignments_new: int = 0
    consignments_updated: int = 0
    consignments_unchanged: int = 0
    consignments_stale: int = 0
    containers_accepted: int = 0
    containers_updated: int = 0
    clones_flagged: int = 0

    def add(self, other: StoreCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=200_000)
def party_key(name: str, address: str, country: str) -> str:
    """One key per party as written, ignoring case, punctuation and spacing (parties repeat
    across thousands of bills of lading, hence the cache)."""
    def norm(text: str) -> str:
        return _NON_WORD.sub(" ", text.casefold()).strip()
    raw = f"{norm(name)}|{norm(address)}|{country.upper()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _eta(value: Any) -> datetime | None:
    if not value or isinstance(value, datetime):
        return value or None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def store_batch(items: list[Item], *, acting_user: Any, source: str) -> StoreCounts:
    """Store one batch in one transaction, with one audit record."""
    counts = StoreCounts()
    if not items:
        return counts
    with transaction.atomic():
        # The write lock first (SQLite): RawWriter allocates ids from MAX(id).
        lock_chain()
        writer = RawWriter()
        voyages = ensure_voyages(items)
        parties = _ensure_parties(items, writer)
        new, amended = _classify(items, voyages, counts)
        _snapshot_and_clear(amended)
        _write_consignments(new, amended, voyages, parties, writer, source)
        written = _write_containers(new + amended, voyages, writer, counts)
        counts.clones_flagged = flag_clones(written)
        counts.consignments_new, counts.consignments_updated = len(new), len(amended)
        audit(actor=acting_user, action="manifest.ingest", object_type="manifest_batch",
              object_id=source[:64], unit_id=items[0].unit_id,
              after={"source": source, **counts.__dict__})
    return counts


def voyage_key(item: Item) -> tuple[int, str, str]:
    v = item.record["voyage"]
    return item.unit_id, v.get("carrier", ""), v["voyage_id"]


def ensure_voyages(items: list[Item]) -> dict[tuple[int, str, str], tuple[int, datetime | None]]:
    wanted = {voyage_key(i): i.record["voyage"] for i in items}
    found = {(v.unit_id, v.carrier, v.voyage_ref): v for v in Voyage.objects.filter(
        voyage_ref__in={k[2] for k in wanted})}
    missing = [Voyage(unit_id=k[0], carrier=k[1], voyage_ref=k[2],
                      vessel_imo=v.get("vessel_imo", ""), vessel_name=v.get("vessel_name", ""),
                      vessel_flag=v.get("vessel_flag", ""))
               for k, v in wanted.items() if k not in found]
    for voyage in Voyage.objects.bulk_create(missing):
        found[(voyage.unit_id, voyage.carrier, voyage.voyage_ref)] = voyage
    calls = set(PortCall.objects.filter(voyage__in=[found[k] for k in wanted])
                .values_list("voyage_id", "locode"))
    new_calls = []
    out = {}
    for k, v in wanted.items():
        voyage, eta = found[k], _eta(v.get("eta"))
        out[k] = (voyage.pk, eta)
        if (voyage.pk, v["port_of_call"]) not in calls:
            calls.add((voyage.pk, v["port_of_call"]))
            new_calls.append(PortCall(voyage=voyage, locode=v["port_of_call"], eta=eta))
    PortCall.objects.bulk_create(new_calls)
    return out


def _ensure_parties(items: list[Item], writer: RawWriter) -> dict[tuple[int, str], int]:
    wanted: dict[tuple[int, str], dict[str, str]] = {}
    for item in items:
        for p in (item.record.get("parties") or {}).values():
            if p and p.get("name"):
                key = party_key(p["name"], p.get("address", ""), p.get("country", ""))
                wanted.setdefault((item.unit_id, key), p)
    return ensure_parties(wanted, writer)


def ensure_parties(wanted: dict[tuple[int, str], dict[str, str]],
                   writer: RawWriter) -> dict[tuple[int, str], int]:
    """Ids of the parties keyed (unit, party_key), inserting those not yet known (the record
    path's form of ensure_party_frame)."""
    if not wanted:
        return {}
    frame = pl.DataFrame(
        [(u, k, p["name"], p.get("address", ""), p.get("country", ""), p.get("identifier", ""))
         for (u, k), p in wanted.items()],
        schema={"unit_id": pl.Int64, **{c: pl.String for c in PARTY_COLUMNS}}, orient="row")
    ids = ensure_party_frame(frame, writer)
    return {(u, k): pk for u, k, pk in ids.iter_rows()}


PARTY_COLUMNS = ("key", "name", "address", "country", "identifier")


def ensure_party_frame(wanted: pl.DataFrame, writer: RawWriter, *,
                       later: bool = False) -> pl.DataFrame:
    """(unit_id, key, party_pk) for the parties of `wanted` (unit_id, key, name, address,
    country and, optionally, identifier; the first row of a (unit, key) describes it),
    inserting those not yet stored.

    Looked up unit by unit, so that the (unit, key) index answers each key: a look-up by key
    alone made the database walk the whole index, per key, on large tables."""
    wanted = wanted.unique(["unit_id", "key"], keep="first", maintain_order=True)
    found = pl.DataFrame(
        [(unit, key, pk) for (unit,), part in wanted.group_by("unit_id", maintain_order=True)
         for key, pk in _stored_keys(int(unit), part.get_column("key").to_list())],
        schema={"unit_id": pl.Int64, "key": pl.String, "party_pk": pl.Int64}, orient="row")
    # in index order: see columnar.store_lines
    missing = wanted.join(found, on=["unit_id", "key"], how="anti").sort("unit_id", "key")
    if missing.height == 0:
        return found
    ids = pl.Series("party_pk", writer.allocate_ids(Party, missing.height), dtype=pl.Int64)
    identifier = pl.col("identifier") if "identifier" in missing.columns else pl.lit("")
    writer.insert_frame(Party, missing.select(
        id=ids, unit=pl.col("unit_id"), key=pl.col("key"), name=pl.col("name").str.slice(0, 200),
        address=pl.col("address").str.slice(0, 300), country=pl.col("country"),
        identifier=identifier.str.slice(0, 60),
        first_seen=pl.lit(RawWriter.db_value(Party, "first_seen", timezone.now()))),
        later=later)
    return pl.concat([found, missing.select("unit_id", "key", ids)])


def _stored_keys(unit: int, keys: list[str]) -> list[tuple[str, int]]:
    """(key, id) of the unit's parties among `keys` (party_key's hex digests)."""
    return select_probing('t."key", t.id', Party._meta.db_table, "key", keys,
                          where="t.unit_id = %s", params=[unit])


@dataclass
class _Cons:
    item: Item
    voyage_id: int
    hash: str
    pk: int = 0
    version: int = 1


def _classify(items: list[Item], voyages, counts: StoreCounts) -> tuple[list[_Cons], list[_Cons]]:
    latest: dict[tuple[int, str], _Cons] = {}
    for item in items:  # a B/L twice in one batch: the later record is the current one
        vid = voyages[voyage_key(item)][0]
        latest[(vid, item.record["bl_number"])] = _Cons(item, vid, content_hash(item.record))
    counts.consignments_unchanged += len(items) - len(latest)
    existing = {(v, b): (pk, h, ver, db_datetime(md)) for pk, v, b, h, ver, md in select_pairs(
        "t.id, t.voyage_id, t.bl_number, t.content_hash, t.version, t.message_date",
        Consignment._meta.db_table, ("voyage_id", "bl_number"), list(latest))}
    new, amended = [], []
    for key, cons in latest.items():
        if key not in existing:
            new.append(cons)
            continue
        pk, old_hash, version, old_date = existing[key]
        if old_hash == cons.hash:
            counts.consignments_unchanged += 1
        elif old_date and cons.item.message_date and cons.item.message_date < old_date:
            counts.consignments_stale += 1
        else:
            cons.pk, cons.version = pk, version + 1
            amended.append(cons)
    return new, amended


def _snapshot_and_clear(amended: list[_Cons]) -> None:
    if not amended:
        return
    olds = Consignment.objects.filter(pk__in=[c.pk for c in amended]).prefetch_related(
        "goods", "containers", "shipper", "consignee", "notify_party")
    versions = []
    for old in olds:
        versions.append(ConsignmentVersion(
            consignment=old, version=old.version, content_hash=old.content_hash,
            data=_snapshot(old), source=old.source, message_date=old.message_date,
            received_at=old.received_at))
    ConsignmentVersion.objects.bulk_create(versions)
    ids = [c.pk for c in amended]
    GoodsItem.objects.filter(consignment_id__in=ids).delete()
    ConsignmentContainer.objects.filter(consignment_id__in=ids).delete()


def _snapshot(c: Consignment) -> dict[str, Any]:
    def party(p: Party | None) -> dict[str, str] | None:
        return p and {"name": p.name, "address": p.address, "country": p.country}
    return {
        "bl_number": c.bl_number, "place_of_receipt": c.place_of_receipt,
        "port_of_loading": c.port_of_loading, "transshipment_ports": c.transshipment_ports,
        "transshipment_arrival": _day_text(c.transshipment_arrival),
        "transshipment_departure": _day_text(c.transshipment_departure),
        "port_of_discharge": c.port_of_discharge, "final_destination": c.final_destination,
        "freight_terms": c.freight_terms, "warnings": c.warnings,
        "parties": {"shipper": party(c.shipper), "consignee": party(c.consignee),
                    "notify": party(c.notify_party)},
        "containers": [{"container_number": k.number, "size_type": k.size_type,
                        "seals": k.seals, "gross_mass_kg": str(k.gross_mass_kg or ""),
                        "vgm_kg": str(k.vgm_kg or "")} for k in c.containers.all()],
        "goods": [{"hs_code": g.hs_code, "description": g.description,
                   "packages": g.packages, "gross_kg": str(g.gross_kg or ""),
                   "net_kg": str(g.net_kg or ""), "value": str(g.value or ""),
                   "currency": g.currency, "origin_country": g.origin_country,
                   "container": g.container.number if g.container else None}
                  for g in c.goods.select_related("container")],
    }


_CONS_FIELDS = ["place_of_receipt", "port_of_loading", "transshipment_ports",
                "transshipment_arrival", "transshipment_departure", "port_of_discharge",
                "final_destination", "freight_terms"]
_EMPTY = {"transshipment_ports": [], "transshipment_arrival": None,
          "transshipment_departure": None}  # what an absent value is stored as (else "")


def _day_text(day: Any) -> str:
    return day.isoformat() if day else ""


def _cons_values(cons: _Cons, parties: dict[tuple[int, str], int]) -> dict[str, Any]:
    rec, unit = cons.item.record, cons.item.unit_id
    refs = {}
    for role in ("shipper", "consignee", "notify"):
        p = (rec.get("parties") or {}).get(role)
        refs[role] = parties[(unit, party_key(p["name"], p.get("address", ""),
                                              p.get("country", "")))] \
            if p and p.get("name") else None
    values = {name: rec.get(name) or _EMPTY.get(name, "") for name in _CONS_FIELDS}
    values.update(shipper=refs["shipper"], consignee=refs["consignee"],
                  notify_party=refs["notify"], content_hash=cons.hash,
                  message_date=cons.item.message_date, warnings=cons.item.warnings)
    return values


def _write_consignments(new: list[_Cons], amended: list[_Cons], voyages, parties,
                        writer: RawWriter, source: str) -> None:
    now = timezone.now()
    for cons, pk in zip(new, writer.allocate_ids(Consignment, len(new)), strict=True):
        cons.pk = pk
    columns = ["id", "unit", "voyage", "bl_number", *_CONS_FIELDS, "shipper", "consignee",
               "notify_party", "version", "content_hash", "message_date", "warnings", "source",
               "received_at"]
    rows = []
    for cons in new:
        v = _cons_values(cons, parties)
        rows.append([cons.pk, cons.item.unit_id, cons.voyage_id, cons.item.record["bl_number"],
                     *[v[f] for f in _CONS_FIELDS], v["shipper"], v["consignee"],
                     v["notify_party"], 1, cons.hash, v["message_date"], v["warnings"],
                     source[:200], now])
    writer.insert(Consignment, columns, rows)
    for cons in amended:
        v = _cons_values(cons, parties)
        Consignment.objects.filter(pk=cons.pk).update(
            version=cons.version, source=source[:200], received_at=now,
            **{k if k not in ("shipper", "consignee", "notify_party") else f"{k}_id": val
               for k, val in v.items()})


_CONTAINER_FIELDS = ["size_type", "seals", "gross_mass_kg", "vgm_kg", "load", "reefer",
                     "number_valid"]


def _container_values(c: dict[str, Any]) -> dict[str, Any]:
    return {"size_type": c.get("size_type", ""), "seals": list(c.get("seals") or []),
            "gross_mass_kg": _dec(c.get("gross_mass_kg")), "vgm_kg": _dec(c.get("vgm_kg")),
            "load": "E" if str(c.get("full_empty", "F")).upper() == "E" else "F",
            "reefer": bool(c.get("reefer")), "number_valid": c.get("number_valid", True)}


def _write_containers(conses: list[_Cons], voyages, writer: RawWriter,
                      counts: StoreCounts) -> list[int]:
    """Insert the new containers and update those already on their voyage; the ids of all."""
    wanted: dict[tuple[int, str], tuple[int, dict[str, Any]]] = {}
    for cons in conses:
        for c in cons.item.record.get("containers") or []:
            wanted[(cons.voyage_id, c["container_number"])] = (cons.item.unit_id, c)
    found = {(v, n): pk for pk, v, n in select_pairs(
        "t.id, t.voyage_id, t.number", Container._meta.db_table, ("voyage_id", "number"),
        list(wanted))}
    seals = dict(Container.objects.filter(pk__in=list(found.values()))
                 .values_list("id", "seals")) if found else {}
    existing = {key: (pk, seals[pk]) for key, pk in found.items()}
    fresh = [k for k in wanted if k not in existing]
    ids = dict(zip(fresh, writer.allocate_ids(Container, len(fresh)), strict=True))
    now = timezone.now()
    rows = []
    for key in fresh:
        unit, c = wanted[key]
        v = _container_values(c)
        rows.append([ids[key], unit, key[0], key[1], *[v[f] for f in _CONTAINER_FIELDS],
                     False, False, now])
    writer.insert(Container, ["id", "unit", "voyage", "number", *_CONTAINER_FIELDS,
                              "seals_changed", "clone_suspect", "created_at"], rows)
    counts.containers_accepted += len(fresh)
    for key, (pk, old_seals) in existing.items():
        if key not in wanted:
            continue
        v = _container_values(wanted[key][1])
        if sorted(old_seals or []) != sorted(v["seals"]):
            v["seals_changed"] = True
        Container.objects.filter(pk=pk).update(**v)
        ids[key] = pk
        counts.containers_updated += 1
    _write_links_and_goods(conses, ids, writer)
    return list(ids.values())


def _write_links_and_goods(conses: list[_Cons], ids: dict[tuple[int, str], int],
                           writer: RawWriter) -> None:
    links, goods = [], []
    for cons in conses:
        seq = 0
        seen: set[int] = set()
        for c in cons.item.record.get("containers") or []:
            cid = ids[(cons.voyage_id, c["container_number"])]
            if cid not in seen:
                seen.add(cid)
                links.append((cons.pk, cid))
            for g in c.get("goods") or []:
                seq += 1
                goods.append((cons.pk, cid, seq, g.get("hs_code", ""), g.get("description", ""),
                              g.get("packages"), g.get("package_type", "")[:3],
                              _dec(g.get("gross_kg")), _dec(g.get("net_kg")),
                              _dec(g.get("value")), g.get("currency", ""),
                              g.get("origin_country", "")))
    writer.insert(ConsignmentContainer, ["id", "consignment", "container"],
                  [(pk, a, b) for pk, (a, b) in zip(
                      writer.allocate_ids(ConsignmentContainer, len(links)), links, strict=True)])
    writer.insert(GoodsItem, ["id", "consignment", "container", "sequence", "hs_code",
                              "description", "packages", "package_type", "gross_kg", "net_kg",
                              "value", "currency", "origin_country"],
                  [(pk, *g) for pk, g in zip(writer.allocate_ids(GoodsItem, len(goods)), goods,
                                             strict=True)])
