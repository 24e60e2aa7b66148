import copy

import pytest

from portcontrol.audit.models import AuditRecord
from portcontrol.manifests.loading import do_load_records
from portcontrol.manifests.models import (
    Consignment,
    ConsignmentVersion,
    Container,
    GoodsItem,
    Party,
)
from portcontrol.testing.records import BAKU_CONTAINER, modified, record, sample_records

pytestmark = pytest.mark.django_db


def test_sample_records_load_into_the_right_units(manifests):
    assert manifests.consignments == 3 and manifests.containers == 3
    assert Container.objects.get(number=BAKU_CONTAINER).unit.code == "pcu-baku"
    cons = Consignment.objects.get(bl_number="MSCUGYE000001")
    assert cons.transshipment_ports == ["ESALG"]
    assert [r for r, _ in cons.route] == ["receipt", "transshipment", "discharge"]
    assert GoodsItem.objects.get(consignment=cons).hs_code == "080390"
    assert AuditRecord.objects.filter(action="manifest.ingest").exists()


def test_loading_twice_changes_nothing(manifests):
    counts = (Consignment.objects.count(), Container.objects.count(), GoodsItem.objects.count(),
              Party.objects.count())
    again = do_load_records(sample_records(), acting_user=None, source="again")
    assert again.duplicates == 3 and again.consignments == 0
    assert counts == (Consignment.objects.count(), Container.objects.count(),
                      GoodsItem.objects.count(), Party.objects.count())


def test_repeat_party_is_stored_once(org):
    recs = [record(bl=f"BL{i}", port="AZBAK", container=c)
            for i, c in enumerate(["MSCU1234566", "CSQU3054383"])]
    result = do_load_records(recs, acting_user=None, source="t")
    assert result.consignments == 2
    assert Party.objects.filter(name="Caspian Fresh LLC").count() == 1


BAD = [
    ("containers", [{"container_number": "MSCU1234567"}], "containers[0].container_number",
     "check digit"),
    ("containers", [{"container_number": "MSCU1234566", "size_type": "99Z9"}],
     "containers[0].size_type", "ISO 6346"),
    ("containers", [{"container_number": "MSCU1234566", "gross_mass_kg": -5}],
     "containers[0].gross_mass_kg", "greater than zero"),
    ("containers", [{"container_number": "MSCU1234566",
                     "goods": [{"hs_code": "999999"}]}], "containers[0].goods[0].hs_code",
     "HS 2022"),
    ("port_of_loading", "NOT A PORT", "port_of_loading", "UN/LOCODE"),
    ("bl_number", "", "bl_number", "required"),
    ("bl_number", "B" * 41, "bl_number", "At most 40 characters"),
    ("freight_terms", "PREPAID AT ORIGIN", "freight_terms", "At most 10 characters"),
    ("parties", {"shipper": {"name": "X", "country": "QQ"}}, "parties.shipper.country",
     "ISO 3166"),
]


@pytest.mark.parametrize("key, value, field, fragment", BAD)
def test_bad_record_is_rejected_with_field_and_reason_and_others_load(org, key, value, field,
                                                                      fragment):
    good = record(bl="GOOD1", port="AZBAK", container="MSCU1234566")
    bad = modified(record(bl="BAD1", port="AZBAK", container="CSQU3054383"), **{key: value})
    result = do_load_records([bad, good], acting_user=None, source="t")
    assert result.rejected == 1 and result.consignments == 1
    assert result.rejected + result.consignments == 2
    err = result.errors[0]
    assert err.field == field and fragment in err.message and err.location == "record 1"


def test_unknown_port_of_call_has_no_unit(org):
    rec = record(bl="X1", port="NLRTM", container="MSCU1234566")
    result = do_load_records([rec], acting_user=None, source="t")
    assert result.rejected == 1 and "No unit receives" in result.errors[0].message


def test_unknown_but_wellformed_locode_is_a_warning(org):
    rec = record(bl="W1", port="AZBAK", container="MSCU1234566", transshipment=["FRZZZ"])
    result = do_load_records([rec], acting_user=None, source="t")
    assert result.consignments == 1
    assert any("FRZZZ" in w.message for w in result.warnings)


def test_amended_bill_of_lading_updates_and_keeps_the_earlier_version(manifests):
    amended = sample_records()[0]
    amended["containers"][0]["seals"] = ["EC7654321"]
    amended["containers"][0]["goods"][0]["description"] = "Fresh bananas, organic"
    result = do_load_records([amended], acting_user=None, source="amendment")
    assert result.counts.consignments_updated == 1 and result.counts.containers_updated == 1
    cons = Consignment.objects.get(bl_number="MSCUGYE000001")
    assert cons.version == 2 and cons.source == "amendment"
    assert cons.goods.get().description == "Fresh bananas, organic"
    old = ConsignmentVersion.objects.get(consignment=cons)
    assert old.version == 1 and old.data["goods"][0]["description"] == "Fresh bananas, Cavendish"
    container = Container.objects.get(number=BAKU_CONTAINER)
    assert container.seals == ["EC7654321"] and container.seals_changed
    assert GoodsItem.objects.filter(consignment=cons).count() == 1


def test_same_container_on_two_voyages_at_once_is_a_possible_clone(manifests):
    twin = record(bl="OTHER0001", port="AZBAK", container=BAKU_CONTAINER,
                  voyage="ZIMU-9321483-077E")
    result = do_load_records([twin], acting_user=None, source="twin")
    assert result.counts.clones_flagged == 2
    assert Container.objects.filter(number=BAKU_CONTAINER, clone_suspect=True).count() == 2


@pytest.mark.parametrize("eta, flagged", [
    ("2026-12-07T06:00:00Z", 2),  # 13 days after the first voyage: both boxes flagged
    ("2026-12-09T06:00:00Z", 0),  # 15 days: the box came back, nothing odd
    ("2026-11-10T06:00:00Z", 2),  # 14 days before: the window counts both ways
])
def test_a_clone_is_a_number_on_another_voyage_within_the_window(manifests, eta, flagged):
    twin = record(bl="OTHER0001", port="AZBAK", container=BAKU_CONTAINER,
                  voyage="ZIMU-9321483-077E")
    twin["voyage"]["eta"] = eta
    result = do_load_records([twin], acting_user=None, source="twin")
    assert result.counts.clones_flagged == flagged
    # loading it again flags nothing more
    assert do_load_records([twin], acting_user=None, source="twin").counts.clones_flagged == 0
    assert Container.objects.filter(number=BAKU_CONTAINER, clone_suspect=True).count() == flagged


def test_warnings_are_kept_on_the_record(org):
    rec = record(bl="W2", port="AZBAK", container="MSCU1234566")
    rec["containers"][0]["vgm_kg"] = 12000
    result = do_load_records([rec], acting_user=None, source="t")
    assert result.consignments == 1
    warnings = Consignment.objects.get(bl_number="W2").warnings
    assert any(w["field"] == "containers[0].vgm_kg" for w in warnings)


def test_loading_and_amending_keep_the_audit_chain_intact(manifests):
    from portcontrol.audit.log import verify_chain

    amended = sample_records()[0]
    amended["containers"][0]["seals"] = ["EC7654321"]
    do_load_records([amended], acting_user=None, source="amendment")
    count, broken = verify_chain()
    assert count > 0 and broken == []
    rec = AuditRecord.objects.filter(action="manifest.ingest").latest("id")
    assert rec.after["consignments_updated"] == 1


def test_an_older_message_does_not_overwrite_a_newer_one(org):
    from datetime import UTC, datetime

    from portcontrol.manifests.store import Item, store_batch

    unit = org["baku.officer"].unit_id
    newer = record(bl="MSGDATE01", port="AZBAK", container=BAKU_CONTAINER)
    older = copy.deepcopy(newer)
    older["freight_terms"] = "COLLECT" if newer["freight_terms"] != "COLLECT" else "PREPAID"
    store_batch([Item(unit, newer, message_date=datetime(2026, 11, 20, 8, tzinfo=UTC))],
                acting_user=None, source="newer")
    counts = store_batch([Item(unit, older, message_date=datetime(2026, 11, 19, tzinfo=UTC))],
                         acting_user=None, source="older")
    assert counts.consignments_stale == 1 and counts.consignments_updated == 0
    cons = Consignment.objects.get(bl_number="MSGDATE01")
    assert cons.freight_terms == newer["freight_terms"] and cons.version == 1
    later = store_batch([Item(unit, older, message_date=datetime(2026, 11, 21, tzinfo=UTC))],
                        acting_user=None, source="later")
    assert later.consignments_updated == 1
    cons.refresh_from_db()
    assert cons.freight_terms == older["freight_terms"] and cons.version == 2


def test_warnings_kept_on_the_bill_carry_both_languages(org):
    rec = record(bl="BLVGM", port="AZBAK", container="MSCU1234566")
    rec["containers"][0]["vgm_kg"] = 15000  # far from the gross mass 26,500 kg: a warning
    result = do_load_records([rec], acting_user=None, source="t")
    assert result.consignments == 1 and result.rejected == 0
    [kept] = Consignment.objects.get(bl_number="BLVGM").warnings
    assert kept["code"] == "vgm_far" and "15000" in kept["message"]
    assert "сильно отличается" in kept["message_ru"]


def test_transshipment_days_are_stored_and_an_amendment_keeps_the_earlier_ones(manifests):
    cons = Consignment.objects.get(bl_number="MAEUKHI000001")
    assert (str(cons.transshipment_arrival), str(cons.transshipment_departure)) == (
        "2026-11-03", "2026-11-09")
    assert cons.dwell_days == 6
    baku = Consignment.objects.get(bl_number="MSCUGYE000001")  # a bill that gives none
    assert baku.transshipment_arrival is None and baku.dwell_days is None
    later = sample_records()[1]
    later["transshipment_departure"] = "2026-11-19"
    result = do_load_records([later], acting_user=None, source="amendment")
    assert result.counts.consignments_updated == 1
    cons.refresh_from_db()
    assert cons.version == 2 and cons.dwell_days == 16
    earlier = ConsignmentVersion.objects.get(consignment=cons)
    assert (earlier.data["transshipment_arrival"], earlier.data["transshipment_departure"]) \
        == ("2026-11-03", "2026-11-09")


def test_a_bill_without_transshipment_days_keeps_its_content_hash():
    """Bills stored before the days were read must not all look amended when sent again."""
    from portcontrol.manifests.fingerprint import content_hash, record_text
    rec = sample_records()[0]
    assert "transshipment_arrival" not in rec
    blank = rec | {"transshipment_arrival": "", "transshipment_departure": ""}
    assert content_hash(blank) == content_hash(rec)
    assert "ts:" not in record_text(rec)
    dated = rec | {"transshipment_arrival": "2026-11-03", "transshipment_departure": ""}
    assert content_hash(dated) != content_hash(rec)
