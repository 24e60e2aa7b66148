"""Store clean lines straight from polars frames: the bulk path of CSV intake.

store.store_batch takes one dict per bill of lading; at a million lines, building those dicts
costs more than reading the file. Clean CSV lines (every check passed, values canonical:
intake.read_csv_frames) are stored here instead, set by set: voyages and parties looked up
once per batch, content hashes from manifests.fingerprint (the same as the dict path's),
new bills, containers, links and goods written as whole frames (COPY on PostgreSQL).

The rare cases keep the record path, so their rules live in one place: a bill already stored
with other content (an amendment, with its earlier version kept) is handed to store_batch as a
record. A container already on the voyage (a second bill for the same box) is updated as
store_batch would. Possible clones are flagged for every container written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import orjson
import polars as pl
from django.db import transaction
from django.utils import timezone

from portcontrol.audit.log import lock_chain
from portcontrol.audit.log import record as audit
from portcontrol.intake.tabular import records_of

from .clones import flag_stored, look_up_numbers, twins_before_write
from .fingerprint import frame_hashes
from .models import Consignment, ConsignmentContainer, Container, GoodsItem
from .rawsql import RawWriter, select_probing
from .store import (
    Item,
    StoreCounts,
    _dec,
    ensure_party_frame,
    ensure_voyages,
    party_key,
    store_batch,
)

ROLES = (("shipper", "shipper"), ("consignee", "consignee"), ("notify", "notify_party"))
BOX_COLUMNS = ("container_number", "size_type", "seals", "gross_mass_kg", "vgm_kg", "full_empty",
               "reefer")
GOODS_COLUMNS = ("hs_code", "goods_description", "packages", "package_type", "goods_gross_kg",
                 "goods_net_kg", "value", "currency", "origin_country")
_IDS = pl.Int64
T = TypeVar("T")
KNOWN_PARTIES_MAX = 250_000  # parties remembered across the batches of one job


def store_lines(lines: pl.DataFrame, *, acting_user: Any, source: str,
                known_parties: KnownParties | None = None) -> StoreCounts:
    """Store clean lines (a frame of read_csv_frames' shape plus `unit_id`) in one
    transaction with one audit record. `_g` numbers the bills of lading.

    `known_parties` may be kept by the caller across the batches of one job; if this batch
    fails, its transaction and what it added to `known_parties` are undone."""
    counts = StoreCounts()
    if lines.height == 0:
        return counts
    amended_records: list[Item] = []
    known = KnownParties() if known_parties is None else known_parties
    try:
        with transaction.atomic():
            lock_chain()
            writer = RawWriter()
            bills = _bills(lines)
            bills = _with_voyages(bills)
            bills, amended_records = _classify(bills, lines, counts)
            # Rows go in the order of their unique index, so that each index page is visited
            # once per batch rather than once per row (matters once the tables outgrow the
            # database's cache).
            bills = bills.sort("voyage_pk", "bl_number", maintain_order=True)
            bills = bills.with_columns(cons_pk=pl.Series(
                writer.allocate_ids(Consignment, bills.height), dtype=_IDS))
            new_lines = lines.join(bills.select("_g", "voyage_pk", "cons_pk"), on="_g",
                                   maintain_order="left")
            try:
                # What needs an answer from the database first, then the rows: the server
                # works while this thread builds frames. The stored twins of the batch's
                # numbers are looked up while the links and goods are built; each table's
                # COPY is queued as soon as its frame is ready (RawWriter: later).
                boxes, old_seals = _boxes(new_lines, writer)
                numbers = boxes.get_column("container_number").unique().sort().to_list()
                stored_twins = look_up_numbers(numbers, writer)
                links, goods = _links_and_goods(new_lines, boxes)
                parties = _parties(bills, writer, known)
                clones = twins_before_write(boxes.select(
                    id=pl.coalesce("container_pk", "old_pk"), voyage_id="voyage_pk",
                    number="container_number"), stored_twins.result())
                _write_consignments(bills, parties, writer, source)
                fresh = _write_containers(boxes, clones, writer, counts)
                # Links and goods take their ids from the database: nothing refers to them.
                writer.insert_frame(ConsignmentContainer, links, later=True)
                writer.insert_frame(GoodsItem, goods, later=True)
                writer.wait()
            finally:
                writer.finish()
            _update_containers(boxes, old_seals, counts)
            counts.clones_flagged = len(clones & fresh) + flag_stored(clones - fresh)
            counts.consignments_new = bills.height
            audit(actor=acting_user, action="manifest.ingest", object_type="manifest_batch",
                  object_id=source[:64], unit_id=int(lines.get_column("unit_id")[0]),
                  after={"source": source, **counts.__dict__})
            if amended_records:  # the record path keeps the earlier versions
                counts.add(store_batch(amended_records, acting_user=acting_user, source=source))
    except BaseException:
        known.clear()  # ids of parties this failed batch inserted are void
        raise
    return counts


def with_hashes_and_keys(blocks: Iterable[tuple[pl.DataFrame, T]],
                         ) -> Iterator[tuple[pl.DataFrame, T]]:
    """Blocks of clean lines (read_csv_frames' output) with each bill's content hash on its
    lines (`content_hash`) and each party's key (`shipper_key`, ...). These are the largest
    pieces of a batch's work that need no database: the runner has them done here, a block
    ahead in another thread, while the batch before is being written."""
    for clean, rest in blocks:
        if clean.height and "content_hash" not in clean.columns:
            clean = _with_party_keys(clean.join(frame_hashes(clean), on="_g",
                                                maintain_order="left"))
        yield clean, rest


def _with_party_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Each role's party key (`shipper_key`, ...; null where the role is empty)."""
    for role, _column in ROLES:
        written = [f"{role}_name", f"{role}_address", f"{role}_country"]
        distinct = frame.select(written).unique().filter(pl.col(written[0]) != "")
        keys = pl.Series(f"{role}_key", [party_key(*t) for t in distinct.rows()],
                         dtype=pl.String)
        frame = frame.join(distinct.with_columns(keys), on=written, how="left",
                           maintain_order="left")
    return frame


def _bills(lines: pl.DataFrame) -> pl.DataFrame:
    """One row per bill: its B/L-level columns (first line) and content hash."""
    first = lines.filter(pl.col("_g").is_first_distinct()).drop(
        *BOX_COLUMNS, *GOODS_COLUMNS, "_line")
    if "content_hash" in first.columns:  # with_hashes_and_keys did it
        return first
    return first.join(frame_hashes(lines), on="_g", maintain_order="left")


def _with_voyages(bills: pl.DataFrame) -> pl.DataFrame:
    """Voyage and port call ids, creating those not yet known (one query per batch)."""
    keys = bills.select("unit_id", "carrier", "voyage_id", "vessel_imo", "vessel_name",
                        "vessel_flag", "port_of_call", "eta").unique(
        ["unit_id", "carrier", "voyage_id"], keep="last", maintain_order=True)
    stubs = [Item(unit, {"voyage": {"carrier": carrier, "voyage_id": vid, "vessel_imo": imo,
                                    "vessel_name": name, "vessel_flag": flag,
                                    "port_of_call": port, "eta": eta}})
             for unit, carrier, vid, imo, name, flag, port, eta in keys.iter_rows()]
    found = ensure_voyages(stubs)
    table = pl.DataFrame([(u, c, v, pk) for (u, c, v), (pk, _eta) in found.items()],
                         schema={"unit_id": _IDS, "carrier": pl.String, "voyage_id": pl.String,
                                 "voyage_pk": _IDS}, orient="row")
    return bills.join(table, on=["unit_id", "carrier", "voyage_id"], maintain_order="left")


def _classify(bills: pl.DataFrame, lines: pl.DataFrame,
              counts: StoreCounts) -> tuple[pl.DataFrame, list[Item]]:
    """New bills (returned, with their consignment ids to be), amendments (as records for
    store_batch); unchanged ones and repeats within the batch are only counted."""
    latest = bills.unique(["voyage_pk", "bl_number"], keep="last", maintain_order=True)
    counts.consignments_unchanged += bills.height - latest.height
    voyages = latest.get_column("voyage_pk").unique().to_list()
    # All bills of the batch's voyages, joined here: most of them are in the batch, and
    # reading a voyage's rows costs less than probing the index once per bill (measured:
    # 3-4x less at 100,000 lines; the record path, with few bills, probes: select_pairs).
    existing = pl.DataFrame(
        select_probing("t.voyage_id, t.bl_number, t.content_hash",
                       Consignment._meta.db_table, "voyage_id", voyages),
        schema={"voyage_pk": _IDS, "bl_number": pl.String, "old_hash": pl.String},
        orient="row")
    latest = latest.join(existing, on=["voyage_pk", "bl_number"], how="left",
                         maintain_order="left")
    stored = latest.filter(pl.col("old_hash").is_not_null())
    unchanged = stored.filter(pl.col("old_hash") == pl.col("content_hash"))
    counts.consignments_unchanged += unchanged.height
    changed = stored.filter(pl.col("old_hash") != pl.col("content_hash"))
    amended: list[Item] = []
    if changed.height:
        part = lines.filter(pl.col("_g").is_in(changed.get_column("_g").implode()))
        units = dict(changed.select("_g", "unit_id").iter_rows())
        amended = [Item(units[g], rec) for g, rec in zip(
            part.get_column("_g").unique(maintain_order=True).to_list(), records_of(part),
            strict=True)]
    return latest.filter(pl.col("old_hash").is_null()).drop("old_hash"), amended


class KnownParties:
    """The ids of the parties one job has met, by (unit, party key): parties repeat from
    batch to batch, and each one known is a look-up saved. Parties are never deleted by
    intake, so a remembered id stays valid. Forgets everything when it would outgrow
    `limit` (memory stays bounded), and when a batch fails (its transaction, and the ids of
    the parties it inserted, are void).

    Kept by key, not by the names and addresses as written: text taken from a batch's frame
    shares that frame's buffers, and remembering it kept every batch's text alive (a tenth
    more memory over a million lines)."""

    def __init__(self, limit: int = KNOWN_PARTIES_MAX):
        self.limit = limit
        self.frame = pl.DataFrame(schema=_KNOWN)

    def __len__(self) -> int:
        return self.frame.height

    def ids(self) -> set[int]:
        return set(self.frame.get_column("party_pk").to_list())

    def clear(self) -> None:
        self.frame = self.frame.clear()

    def lookup(self, parties: pl.DataFrame) -> pl.DataFrame:
        """`parties` (with unit_id and key) with `party_pk`, null where not known."""
        return parties.join(self.frame, on=["unit_id", "key"], how="left",
                            maintain_order="left")

    def add(self, ids: pl.DataFrame) -> None:
        self.frame = pl.concat([self.frame, ids.select(*_KNOWN)], rechunk=True)


_KNOWN = {"unit_id": _IDS, "key": pl.String, "party_pk": _IDS}


def _parties(bills: pl.DataFrame, writer: RawWriter, known: KnownParties) -> pl.DataFrame:
    """Per bill, the party id of each role (null where the role is empty).

    Keys come from the lines when with_hashes_and_keys put them there, else they are
    computed here. Bills meet their parties by key: the first way a batch writes a party
    describes it when it is new (as ensure_party_frame keeps it)."""
    if "shipper_key" not in bills.columns:
        bills = _with_party_keys(bills)
    triples = pl.concat([
        bills.select("unit_id", key=f"{role}_key", name=f"{role}_name",
                     address=f"{role}_address", country=f"{role}_country")
        for role, _ in ROLES
    ]).filter(pl.col("key").is_not_null()).unique(["unit_id", "key"], keep="first",
                                                  maintain_order=True)
    table = known.lookup(triples)
    new = table.filter(pl.col("party_pk").is_null()).drop("party_pk")
    if new.height:
        if len(known) + new.height > known.limit:
            known.clear()
            new, table = triples, table.clear()  # every party of the batch looked up
        ids = ensure_party_frame(new, writer, later=True)
        known.add(ids)
        table = pl.concat([table.filter(pl.col("party_pk").is_not_null()),
                           new.join(ids, on=["unit_id", "key"], how="left",
                                    maintain_order="left")])
    table = table.select("unit_id", "key", "party_pk")
    out = bills.select("_g")
    for role, column in ROLES:
        keyed = bills.select("unit_id", key=f"{role}_key")
        out = out.with_columns(keyed.join(table, on=["unit_id", "key"], how="left",
                                          maintain_order="left").get_column("party_pk")
                               .alias(column))
    return out


def _json_list(column: str) -> pl.Expr:
    """A list of clean codes as JSON text (clean lines hold no quote, backslash or control
    character in list items: the intake flags send such lines the record way)."""
    col = pl.col(column)
    return (pl.when(col.list.len() > 0)
            .then(pl.lit('["') + col.list.join('", "') + pl.lit('"]'))
            .otherwise(pl.lit("[]")))


def _day(column: str) -> pl.Expr:
    """A clean day (YYYY-MM-DD, as both backends store a date) or NULL for ""."""
    return pl.when(pl.col(column) != "").then(pl.col(column))


def _now(model: type, name: str) -> Any:
    return RawWriter.db_value(model, name, timezone.now())


def _write_consignments(bills: pl.DataFrame, parties: pl.DataFrame, writer: RawWriter,
                        source: str) -> None:
    frame = bills.join(parties, on="_g", maintain_order="left").select(
        id=pl.col("cons_pk"), unit=pl.col("unit_id"), voyage=pl.col("voyage_pk"),
        bl_number=pl.col("bl_number"), place_of_receipt=pl.col("place_of_receipt"),
        port_of_loading=pl.col("port_of_loading"),
        transshipment_ports=_json_list("transshipment_ports"),
        transshipment_arrival=_day("transshipment_arrival"),
        transshipment_departure=_day("transshipment_departure"),
        port_of_discharge=pl.col("port_of_discharge"),
        final_destination=pl.col("final_destination"), freight_terms=pl.col("freight_terms"),
        shipper=pl.col("shipper"), consignee=pl.col("consignee"),
        notify_party=pl.col("notify_party"), version=pl.lit(1, dtype=pl.Int64),
        content_hash=pl.col("content_hash"), message_date=pl.lit(None, dtype=pl.String),
        warnings=pl.lit("[]"), source=pl.lit(source[:200]),
        received_at=pl.lit(_now(Consignment, "received_at")))
    writer.insert_frame(Consignment, frame, later=True)


def _boxes(lines: pl.DataFrame, writer: RawWriter) -> tuple[pl.DataFrame, dict[int, Any]]:
    """One row per container of the lines (its last line), with `old_pk` where it is
    already on its voyage and `container_pk` (allocated) where it is not; and the seals
    stored for each `old_pk`."""
    boxes = lines.select("unit_id", "voyage_pk", *BOX_COLUMNS).unique(
        ["voyage_pk", "container_number"], keep="last", maintain_order=True)
    voyages = boxes.get_column("voyage_pk").unique().to_list()
    rows = select_probing("t.voyage_id, t.number, t.id, t.seals",  # as in _classify
                          Container._meta.db_table, "voyage_id", voyages)
    old_seals = {pk: orjson.loads(seals) for _v, _n, pk, seals in rows}
    existing = pl.DataFrame([r[:3] for r in rows], schema={
        "voyage_pk": _IDS, "container_number": pl.String, "old_pk": _IDS}, orient="row")
    boxes = boxes.join(existing, on=["voyage_pk", "container_number"], how="left",
                       maintain_order="left")
    fresh = boxes.filter(pl.col("old_pk").is_null()).sort("container_number", "voyage_pk")
    fresh = fresh.with_columns(container_pk=pl.Series(
        writer.allocate_ids(Container, fresh.height), dtype=_IDS))
    return pl.concat([fresh, boxes.filter(pl.col("old_pk").is_not_null())],
                     how="diagonal_relaxed"), old_seals


def _write_containers(boxes: pl.DataFrame, clones: set[int], writer: RawWriter,
                      counts: StoreCounts) -> set[int]:
    """Queue the containers not yet on their voyage, those among `clones` flagged; returns
    their ids (_update_containers updates the others once the rows are written)."""
    fresh = boxes.filter(pl.col("old_pk").is_null())
    writer.insert_frame(Container, fresh.select(
        id=pl.col("container_pk"), unit=pl.col("unit_id"), voyage=pl.col("voyage_pk"),
        number=pl.col("container_number"), size_type=pl.col("size_type"),
        seals=_json_list("seals"), gross_mass_kg=pl.col("gross_mass_kg"),
        vgm_kg=pl.col("vgm_kg"), load=pl.when(pl.col("full_empty") == "E").then(pl.lit("E"))
        .otherwise(pl.lit("F")), reefer=pl.col("reefer"), number_valid=pl.lit(True),
        seals_changed=pl.lit(False),
        clone_suspect=pl.col("container_pk").is_in(pl.Series(sorted(clones), dtype=_IDS)
                                                   .implode()),
        created_at=pl.lit(_now(Container, "created_at"))), later=True)
    counts.containers_accepted += fresh.height
    return set(fresh.get_column("container_pk").to_list())


def _update_containers(boxes: pl.DataFrame, old_seals: dict[int, Any],
                       counts: StoreCounts) -> None:
    """The containers already on their voyage (a second bill for the same box) take this
    line's values, as store_batch would update them."""
    old = boxes.filter(pl.col("old_pk").is_not_null())
    for pk, st, seals, gross, vgm, load, reefer in old.select(
            "old_pk", "size_type", "seals", "gross_mass_kg", "vgm_kg", "full_empty",
            "reefer").iter_rows():
        seals = list(seals or [])
        changed = sorted(old_seals.get(pk) or []) != sorted(seals)
        Container.objects.filter(pk=pk).update(
            size_type=st, seals=seals, gross_mass_kg=_dec(gross), vgm_kg=_dec(vgm),
            load="E" if load == "E" else "F", reefer=bool(reefer), number_valid=True,
            **({"seals_changed": True} if changed else {}))
    counts.containers_updated += old.height


def _links_and_goods(lines: pl.DataFrame, boxes: pl.DataFrame
                     ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of the link table and of the goods table for the lines."""
    written = boxes.select("voyage_pk", "container_number",
                           pl.coalesce("container_pk", "old_pk").alias("container_pk"))
    lines = lines.join(written, on=["voyage_pk", "container_number"], maintain_order="left")
    links = lines.unique(["cons_pk", "container_pk"], keep="first", maintain_order=True
                         ).select(consignment=pl.col("cons_pk"), container=pl.col("container_pk"))
    has_goods = pl.any_horizontal(
        [(pl.col(c).cast(pl.String).fill_null("") != "") for c in GOODS_COLUMNS])
    goods = lines.filter(has_goods)
    goods = goods.with_columns(sequence=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
                               .over("cons_pk"))
    return links, goods.select(
        consignment=pl.col("cons_pk"), container=pl.col("container_pk"),
        sequence=pl.col("sequence"), hs_code=pl.col("hs_code"),
        description=pl.col("goods_description"), packages=pl.col("packages"),
        package_type=pl.col("package_type").str.slice(0, 3), gross_kg=pl.col("goods_gross_kg"),
        net_kg=pl.col("goods_net_kg"), value=pl.col("value"), currency=pl.col("currency"),
        origin_country=pl.col("origin_country"))
