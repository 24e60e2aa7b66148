"""The bulk path (clean CSV lines stored from polars frames) against the record path.

Both must store the same thing and agree on what is unchanged, amended or cloned, since a
bill may arrive once by one path and again by the other.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command

from portcontrol.generator import generate
from portcontrol.intake import read, read_csv_frames
from portcontrol.intake.tabular import records_of
from portcontrol.manifests import columnar
from portcontrol.manifests.clones import _runs
from portcontrol.manifests.columnar import KnownParties, store_lines, with_hashes_and_keys
from portcontrol.manifests.fingerprint import content_hash, frame_hashes
from portcontrol.manifests.loading import do_load_records
from portcontrol.manifests.models import (
    Consignment,
    ConsignmentContainer,
    ConsignmentVersion,
    Container,
    GoodsItem,
    Party,
)
from portcontrol.manifests.store import party_key


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    generate(out, containers=300, seed=5, destinations={"AZBAK": 1.0})
    return out / "containers.csv"


def ingest(path: Path) -> dict:
    buf = io.StringIO()
    call_command("ingest", str(path), "--json", stdout=buf)
    return json.loads(buf.getvalue())


def table(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def write(frame: pl.DataFrame, path: Path) -> Path:
    frame.write_csv(path)
    return path


def snapshot() -> list[tuple]:
    """Everything stored about every bill, in a form independent of ids."""
    rows = []
    for c in Consignment.objects.select_related("shipper", "consignee", "notify_party",
                                                "voyage"):
        def party(p):
            return p and (p.name, p.address, p.country, p.key)
        boxes = sorted((k.number, k.size_type, tuple(k.seals), k.gross_mass_kg, k.vgm_kg,
                        k.load, k.reefer, k.clone_suspect) for k in c.containers.all())
        goods = [(g.sequence, g.container.number, g.hs_code, g.description, g.packages,
                  g.package_type, g.gross_kg, g.net_kg, g.value, g.currency, g.origin_country)
                 for g in c.goods.select_related("container").order_by("sequence")]
        rows.append((c.voyage.voyage_ref, c.voyage.carrier, c.bl_number, c.place_of_receipt,
                     c.port_of_loading, tuple(c.transshipment_ports), c.port_of_discharge,
                     c.final_destination, c.freight_terms, party(c.shipper),
                     party(c.consignee), party(c.notify_party), c.content_hash, c.version,
                     tuple(boxes), tuple(goods)))
    return sorted(rows)


def test_frame_hashes_equal_record_hashes(generated, tmp_path):
    frame = table(generated)
    # A notify address without a notify name: the record path drops the party, so must
    # the hash of the frame path.
    frame = frame.with_columns(notify_name=pl.when(pl.int_range(pl.len()) % 7 == 0)
                               .then(pl.lit(None)).otherwise(pl.col("notify_name")))
    path = write(frame, tmp_path / "c.csv")
    checked = 0
    for clean, _flagged in read_csv_frames(path, block_bytes=20_000):
        hashes = frame_hashes(clean).get_column("content_hash").to_list()
        assert hashes == [content_hash(rec) for rec in records_of(clean)]
        checked += len(hashes)
    assert checked > 100


def test_bulk_and_record_paths_store_the_same(org, generated):
    records = [o.record for o in read(generated) if o.record is not None]
    do_load_records(records, acting_user=None, source="records")
    by_records = snapshot()
    Consignment.objects.all().delete()
    Container.objects.all().delete()
    Party.objects.all().delete()
    assert not GoodsItem.objects.exists() and not ConsignmentContainer.objects.exists()
    summary = ingest(generated)
    assert summary["containers_accepted"] == 300 and summary["records_rejected"] == 0
    assert snapshot() == by_records


def test_a_bill_stored_by_one_path_is_unchanged_by_the_other(org, generated):
    first = ingest(generated)
    stored = snapshot()
    records = [o.record for o in read(generated) if o.record is not None]
    again = do_load_records(records, acting_user=None, source="records")
    assert again.consignments == 0 and again.duplicates == len(records)
    assert snapshot() == stored
    assert ingest(generated)["consignments"] == 0
    assert first["consignments"] == len(records) == Consignment.objects.count()


def test_amended_bill_keeps_its_earlier_version(org, generated, tmp_path):
    ingest(generated)
    frame = table(generated)
    target = frame.row(10, named=True)
    changed = frame.with_columns(gross_mass_kg=pl.when(
        pl.col("container_number") == target["container_number"]).then(pl.lit("23456"))
        .otherwise(pl.col("gross_mass_kg")),
        vgm_kg=pl.when(pl.col("container_number") == target["container_number"])
        .then(pl.lit("23400")).otherwise(pl.col("vgm_kg")))
    summary = ingest(write(changed, tmp_path / "amended.csv"))
    assert summary["consignments"] == 1 and summary["containers_accepted"] == 0
    cons = Consignment.objects.get(bl_number=target["bl_number"])
    assert cons.version == 2
    assert ConsignmentVersion.objects.get(consignment=cons).version == 1
    assert Container.objects.get(number=target["container_number"]).gross_mass_kg == \
        Decimal("23456")


def test_second_bill_for_a_stored_container_updates_it_and_links_both(org, generated,
                                                                      tmp_path):
    ingest(generated)
    row = table(generated).row(0, named=True)
    other = pl.DataFrame([{**row, "bl_number": "NEWBL0001", "seals": "ZZ999"}])
    summary = ingest(write(other, tmp_path / "second.csv"))
    assert summary["consignments"] == 1
    assert summary["containers_accepted"] == 0 and summary["containers_updated"] == 1
    box = Container.objects.get(number=row["container_number"])
    assert box.seals == ["ZZ999"] and box.seals_changed
    assert sorted(box.consignments.values_list("bl_number", flat=True)) == \
        sorted([row["bl_number"], "NEWBL0001"])


def test_same_container_on_two_voyages_at_once_is_a_possible_clone(org, generated,
                                                                  tmp_path):
    ingest(generated)
    row = table(generated).row(0, named=True)
    twin = pl.DataFrame([{**row, "voyage_id": "OTHER-VOYAGE-1", "bl_number": "TWIN0001"}])
    ingest(write(twin, tmp_path / "twin.csv"))
    flagged = Container.objects.filter(number=row["container_number"])
    assert flagged.count() == 2 and all(c.clone_suspect for c in flagged)
    assert Container.objects.filter(clone_suspect=True).count() == 2


def test_a_bill_repeated_later_in_the_same_file_is_stored_once(org, generated, tmp_path):
    frame = table(generated)
    first_bill = frame.filter(pl.col("bl_number") == frame.get_column("bl_number")[0])
    path = write(pl.concat([frame, first_bill]), tmp_path / "repeat.csv")
    summary = ingest(path)
    assert summary["records_rejected"] == 0
    assert Consignment.objects.filter(bl_number=first_bill.get_column("bl_number")[0]) \
        .count() == 1
    assert Container.objects.count() == 300


@pytest.mark.parametrize("ids, runs, scattered", [
    ([], [], []),
    ([5], [], [5]),
    (list(range(1, 101)), [(1, 100)], []),
    ([*range(1, 101), 200, 300], [(1, 100)], [200, 300]),
    ([*range(1, 10), *range(20, 120)], [(20, 119)], list(range(1, 10))),
])
def test_ids_are_grouped_into_runs_for_the_clone_check(ids, runs, scattered):
    assert _runs(ids) == (runs, scattered)


def test_over_long_identifiers_are_rejected_not_crashing_the_batch(org, generated, tmp_path):
    frame = table(generated)
    long_bl = "X" * 60
    first = frame.get_column("bl_number")[0]
    hostile = frame.with_columns(bl_number=pl.when(pl.col("bl_number") == first)
                                 .then(pl.lit(long_bl)).otherwise(pl.col("bl_number")),
                                 vessel_name=pl.when(pl.int_range(pl.len()) == 5)
                                 .then(pl.lit("V" * 500)).otherwise(pl.col("vessel_name")))
    report = tmp_path / "report.csv"
    buf = io.StringIO()
    call_command("ingest", str(write(hostile, tmp_path / "h.csv")), "--json", "--report",
                 str(report), stdout=buf)
    summary = json.loads(buf.getvalue())
    assert summary["records_rejected"] >= 2
    text = report.read_text(encoding="utf-8")
    assert "too_long" in text and "At most 40 characters; this value has 60." in text
    assert not Consignment.objects.filter(bl_number=long_bl).exists()
    assert Consignment.objects.count() + summary["records_rejected"] == \
        frame.select(pl.struct("voyage_id", "bl_number").n_unique()).item()


def clean_lines(path: Path, unit_id: int) -> pl.DataFrame:
    # `_g` numbers the bills of one block: numbered on across blocks, as the runner does
    frames, offset = [], 0
    for clean, _flagged in read_csv_frames(path):
        frames.append(clean.with_columns(pl.col("_g") + offset))
        offset += int(clean.get_column("_g").max() or 0) + 1
    return pl.concat(frames).with_columns(unit_id=pl.lit(unit_id, dtype=pl.Int64))


def test_parties_are_remembered_per_unit_and_forgotten_when_a_batch_fails(
        org, generated, monkeypatch):
    baku, poti = (org[name].unit_id for name in ("baku.officer", "poti.officer"))
    lines = clean_lines(generated, baku)
    bills = lines.get_column("_g").unique(maintain_order=True).to_list()
    first = lines.filter(pl.col("_g").is_in(bills[: len(bills) // 2]))
    second = lines.filter(pl.col("_g").is_in(bills[len(bills) // 2:]))
    known = KnownParties()
    store_lines(first, acting_user=None, source="first", known_parties=known)
    parties = Party.objects.count()
    assert parties and len(known) and known.ids() <= set(Party.objects.values_list(
        "id", flat=True))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(columnar, "_write_containers", broken)
    with pytest.raises(RuntimeError):
        store_lines(second, acting_user=None, source="second", known_parties=known)
    # The failed batch's parties were rolled back; ids remembered for them would be void.
    assert len(known) == 0 and Party.objects.count() == parties
    monkeypatch.undo()
    store_lines(second, acting_user=None, source="second", known_parties=known)
    store_lines(first.with_columns(unit_id=pl.lit(poti, dtype=pl.Int64)), acting_user=None,
                source="other unit", known_parties=known)
    # Every party once per unit: none stored twice, none shared between the two units.
    keys = list(Party.objects.values_list("unit_id", "key"))
    assert len(keys) == len(set(keys))
    assert not (set(Consignment.objects.filter(unit_id=poti).values_list("shipper", flat=True))
                & set(Consignment.objects.filter(unit_id=baku).values_list("shipper",
                                                                            flat=True)))
    assert Consignment.objects.count() == len(bills) + len(bills) // 2


def test_a_full_party_memory_forgets_and_every_bill_still_gets_its_own_parties(
        org, generated):
    baku = org["baku.officer"].unit_id
    lines = clean_lines(generated, baku)
    bills = lines.get_column("_g").unique(maintain_order=True).to_list()
    known = KnownParties(limit=5)  # far fewer than one batch's parties
    for part in (bills[: len(bills) // 3], bills[len(bills) // 3:]):
        store_lines(lines.filter(pl.col("_g").is_in(part)), acting_user=None, source="job",
                    known_parties=known)
        assert len(known) <= max(5, 3 * len(part))
    keys = list(Party.objects.values_list("unit_id", "key"))
    assert len(keys) == len(set(keys))
    # each bill's shipper is the party written on its lines
    written = {(v, bl): name for v, bl, name in lines.select(
        "voyage_id", "bl_number", "shipper_name").unique(["voyage_id", "bl_number"]).iter_rows()}
    stored = {(v, bl): name for v, bl, name in Consignment.objects.values_list(
        "voyage__voyage_ref", "bl_number", "shipper__name")}
    assert stored == written


def test_hashes_computed_ahead_are_the_ones_the_store_computes(generated):
    blocks = read_csv_frames(generated, block_bytes=20_000)
    for clean, _flagged in with_hashes_and_keys(blocks):
        assert clean.select("_g", "content_hash").unique(maintain_order=True).equals(
            frame_hashes(clean))


def test_party_keys_computed_ahead_are_the_ones_the_store_computes(generated):
    blocks = read_csv_frames(generated, block_bytes=20_000)
    for clean, _flagged in with_hashes_and_keys(blocks):
        for role in ("shipper", "consignee", "notify"):
            rows = clean.select(f"{role}_name", f"{role}_address", f"{role}_country",
                                f"{role}_key").rows()
            assert [key for *_t, key in rows] == [party_key(*t) if t[0] else None
                                                  for *t, _key in rows]


@pytest.mark.parametrize("twin_eta_days, same_voyage, flagged", [
    (0, False, 2),    # the same box on two voyages arriving together: both flagged
    (10, False, 2),   # within the clone window (14 days)
    (30, False, 0),   # a month apart: the box came back, not a clone
    (0, True, 0),     # a second bill for the box on its own voyage is no clone
])
def test_twins_within_one_file_are_checked_before_they_are_written(
        org, generated, tmp_path, twin_eta_days, same_voyage, flagged):
    frame = table(generated)
    # a line of the bulk path (clean: no warning sends it the record way)
    clean_bl = next(c for c, _ in read_csv_frames(generated) if c.height)["bl_number"][0]
    row = frame.filter(pl.col("bl_number") == clean_bl).row(0, named=True)
    eta = datetime.fromisoformat(row["eta"])
    twin = {**row, "bl_number": "TWIN0002"}
    if not same_voyage:
        twin.update(voyage_id="OTHER-VOYAGE-2",
                    eta=(eta + timedelta(days=twin_eta_days)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    ingest(write(pl.concat([frame, pl.DataFrame([twin])]), tmp_path / "twins.csv"))
    boxes = Container.objects.filter(number=row["container_number"])
    assert boxes.count() == (1 if same_voyage else 2)
    assert Container.objects.filter(clone_suspect=True).count() == flagged
    assert all(b.clone_suspect for b in boxes) == bool(flagged)
