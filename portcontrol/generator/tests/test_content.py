"""What the data says is plausible: masses, reefers, parties, planted cases, both formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from portcontrol.generator import CSV_COLUMNS, GROUND_TRUTH_COLUMNS, KIND_NAMES, generate
from portcontrol.generator.commodities import MAX_GROSS, TARE

from .conftest import SMALL


def _num(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).cast(pl.Float64) for c in columns)


def test_columns_are_the_contract_in_order(run):
    assert tuple(run.containers.columns) == CSV_COLUMNS
    assert tuple(run.ground_truth.columns) == GROUND_TRUTH_COLUMNS
    assert run.containers.height == SMALL


def test_reefer_flag_follows_the_size_type(run):
    frame = run.containers
    assert (frame["reefer"] == "1").to_list() == [s[2] == "R" for s in frame["size_type"]]


def test_full_boxes_have_one_goods_line_and_empties_none(run):
    frame = run.containers
    full = frame.filter(pl.col("full_empty") == "F")
    empty = frame.filter(pl.col("full_empty") == "E")
    assert 0 < empty.height < 0.1 * frame.height
    goods = ["hs_code", "goods_description", "packages", "package_type", "goods_gross_kg",
             "goods_net_kg", "value", "currency", "origin_country"]
    assert full.select(pl.col(goods).null_count()).sum_horizontal().item() == 0
    assert empty.select(pl.col(goods).is_null().all()).to_series(0).all()


def test_masses_are_plausible_and_net_below_gross(run):
    frame = _num(run.containers, "gross_mass_kg", "vgm_kg", "goods_gross_kg", "goods_net_kg")
    full = frame.filter(pl.col("full_empty") == "F")
    assert (full["goods_net_kg"] < full["goods_gross_kg"]).all()
    assert (full["goods_net_kg"] > 0).all()
    for size, tare in TARE.items():
        boxes = frame.filter(pl.col("size_type") == size)
        if boxes.height:
            assert boxes["gross_mass_kg"].max() <= MAX_GROSS[size]
            assert boxes["gross_mass_kg"].min() >= 0.9 * tare
    twenty = frame.filter(pl.col("size_type").str.starts_with("22"))
    assert twenty["gross_mass_kg"].max() <= 30_480 or twenty["size_type"].eq("22T1").any()


def test_vgm_is_close_to_gross_except_for_planted_mass_anomalies(run):
    planted = run.ground_truth["container_number"].implode()
    frame = _num(run.containers, "gross_mass_kg", "vgm_kg").filter(
        ~pl.col("container_number").is_in(planted))
    gap = ((frame["vgm_kg"] - frame["gross_mass_kg"]).abs() / frame["gross_mass_kg"])
    assert gap.max() < 0.03


def test_values_have_two_decimals_and_plausible_value_per_kg(run):
    full = run.containers.filter(pl.col("full_empty") == "F")
    assert all(len(v.split(".")[1]) == 2 for v in full["value"])
    per_kg = _num(full, "value", "goods_net_kg").select(pl.col("value") / pl.col("goods_net_kg"))
    assert 0.05 < per_kg.to_series().median() < 50


def test_eta_is_utc_within_the_window_and_port_of_call_is_discharge(run):
    frame = run.containers
    start = datetime(2026, 11, 23, tzinfo=UTC)
    for eta in frame["eta"].unique():
        moment = datetime.strptime(eta, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert start <= moment < start + timedelta(days=7)
    assert (frame["port_of_call"] == frame["port_of_discharge"]).all()
    assert set(frame["port_of_call"]) == {"GEPTI", "PKKHI", "AZBAK"}


def test_shippers_repeat_and_one_off_consignees_exist(run):
    bills = run.containers.unique("bl_number")
    shippers = bills.group_by("shipper_name").len()
    consignees = bills.group_by("consignee_name").len()
    assert shippers["len"].max() > 5
    assert consignees["len"].max() > 5
    assert (consignees["len"] == 1).sum() > 0.3 * consignees.height
    assert bills["freight_terms"].is_in(["PREPAID", "COLLECT"]).all()


def test_some_consignees_carry_cyrillic_legal_forms(run):
    names = run.containers["consignee_name"]
    assert names.str.contains("ООО|ТОО|ОсОО").any()


def test_ground_truth_rows_point_at_real_containers_with_the_declared_hs(run):
    truth = run.ground_truth
    assert set(truth["kind"]) == set(KIND_NAMES)
    lines = run.containers.join(truth, on="container_number", how="inner")
    assert lines.height == truth.height
    assert (lines["hs_code"] == lines["declared_hs"]).all()
    assert (lines["bl_number"] == lines["bl_number_right"]).all()
    assert (lines["full_empty"] == "F").all()
    assert 0.004 * SMALL <= truth.height <= 0.012 * SMALL


def test_planted_cases_are_spread_and_keep_signals_partial(run):
    truth = run.ground_truth
    cocaine = truth.filter(pl.col("kind") == "cocaine")
    origins = run.containers.filter(
        pl.col("container_number").is_in(cocaine["container_number"].implode()))
    assert set(origins["origin_country"]) <= {"EC", "CO", "PE", "CR"}
    assert truth["concealment"].n_unique() > 3


def test_summary_counts_match_the_files(run):
    counts = run.summary["counts"]
    assert counts["containers"] == run.containers.height
    assert counts["consignments"] == run.containers["bl_number"].n_unique() == len(run.manifests)
    assert counts["voyages"] == run.containers["voyage_id"].n_unique()
    assert counts["illicit"] == run.ground_truth.height
    assert sum(counts["illicit_by_kind"].values()) == counts["illicit"]


def test_ndjson_nests_the_same_data_as_the_csv(run):
    boxes = [box for rec in run.manifests for box in rec["containers"]]
    assert len(boxes) == run.containers.height
    first = run.manifests[0]
    assert list(first) == ["voyage", "bl_number", "place_of_receipt", "port_of_loading",
                           "transshipment_ports", "transshipment_arrival",
                           "transshipment_departure", "port_of_discharge", "final_destination",
                           "freight_terms", "parties", "containers"]
    csv_rows = run.containers.filter(pl.col("bl_number") == first["bl_number"]).to_dicts()
    for box, row in zip(first["containers"], csv_rows, strict=True):
        assert box["container_number"] == row["container_number"]
        assert box["seals"] == row["seals"].split(";")
        assert box["gross_mass_kg"] == int(row["gross_mass_kg"])
        assert box["reefer"] is (row["reefer"] == "1")
        if box["goods"]:
            (goods,) = box["goods"]
            assert goods["hs_code"] == row["hs_code"]
            assert goods["value"] == pytest.approx(float(row["value"]))
            assert isinstance(goods["packages"], int)
    assert first["voyage"]["voyage_id"] == csv_rows[0]["voyage_id"]
    assert first["parties"]["shipper"]["name"] == csv_rows[0]["shipper_name"]
    ts = csv_rows[0]["transshipment_ports"]
    assert first["transshipment_ports"] == (ts.split(";") if ts else [])
    for key in ("transshipment_arrival", "transshipment_departure"):
        assert first[key] == csv_rows[0][key]


def test_other_destination_gets_a_generic_profile(tmp_path):
    summary = generate(tmp_path, containers=300, seed=1, destinations={"TRMER": 1.0})
    frame = pl.read_csv(tmp_path / "containers.csv", infer_schema_length=0)
    assert summary["counts"]["containers"] == 300
    assert set(frame["port_of_call"]) == {"TRMER"}
    assert "TR" not in set(frame["origin_country"].drop_nulls())
