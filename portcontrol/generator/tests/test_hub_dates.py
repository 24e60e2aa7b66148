"""Arrival at and departure from the last transshipment hub: present exactly when the route has
a hub, in order, before the ETA date, shared by a call's boxes from one hub, and long for
planted cases that carry the long_dwell signal (rip-on/rip-off always)."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import polars as pl
import pytest

from portcontrol.generator import CSV_COLUMNS, KIND_NAMES, generate, illicit
from portcontrol.generator.consign import DWELL_P, SAIL_DAYS
from portcontrol.generator.illicit import LONG_DWELL_DAYS, RIP_ON_RIP_OFF, make_case

from .conftest import SEED, SMALL, Run, read_run

DATES = ("transshipment_arrival", "transshipment_departure")
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
MAX_CLEAN_DWELL = len(DWELL_P)

# (id, generate() arguments): the three demo units, one unit alone, a generic profile, a run
# whose dates cross a year boundary, and a Caspian-only run where hubs are rare.
RUNS = [
    ("default", {"containers": SMALL, "seed": SEED}),
    ("karachi", {"containers": 1500, "seed": 3, "destinations": {"PKKHI": 1.0}}),
    ("poti-new-year", {"containers": 1500, "seed": 4, "destinations": {"GEPTI": 1.0},
                       "start": date(2027, 1, 2), "days": 2}),
    ("generic-mersin", {"containers": 1500, "seed": 6, "destinations": {"TRMER": 1.0}}),
    ("baku", {"containers": 400, "seed": 5, "destinations": {"AZBAK": 1.0}}),
]


def bills(run: Run) -> pl.DataFrame:
    """One row per bill of lading with its hub dates, dwell and sailing days as numbers."""
    frame = run.containers
    planted = run.ground_truth["bl_number"].implode()
    return (frame.unique("bl_number", keep="first", maintain_order=True).with_columns(
        hub=pl.col("transshipment_ports").is_not_null(),
        eta_date=pl.col("eta").str.slice(0, 10).str.to_date(),
        arrival=pl.col("transshipment_arrival").str.to_date("%Y-%m-%d"),
        departure=pl.col("transshipment_departure").str.to_date("%Y-%m-%d"),
        planted=pl.col("bl_number").is_in(planted),
        last_hub=pl.col("transshipment_ports").str.split(";").list.last(),
    ).with_columns(
        dwell=(pl.col("departure") - pl.col("arrival")).dt.total_days(),
        sail=(pl.col("eta_date") - pl.col("departure")).dt.total_days(),
    ))


@pytest.fixture(scope="module", params=RUNS, ids=[r[0] for r in RUNS])
def any_run(request, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp(f"hub-{request.param[0]}")
    return read_run(out, generate(out, **request.param[1]))


def test_the_two_columns_follow_transshipment_ports():
    at = CSV_COLUMNS.index("transshipment_ports")
    assert CSV_COLUMNS[at + 1:at + 3] == DATES


def test_dates_are_present_exactly_when_the_route_has_a_hub(any_run):
    frame = any_run.containers
    for column in DATES:
        present = frame[column].is_not_null()
        assert (present == frame["transshipment_ports"].is_not_null()).all(), column
        assert frame[column].drop_nulls().str.contains(ISO_DATE).all(), column
    for record in any_run.manifests:
        for key in DATES:
            assert (record[key] is not None) is bool(record["transshipment_ports"]), key


def test_most_routes_of_the_ocean_units_have_a_hub_and_so_dates(run):
    frame = bills(run)
    assert 0.4 < frame["hub"].mean() < 0.95
    assert frame.filter("hub")["departure"].null_count() == 0


def test_every_box_of_a_bill_has_the_bill_dates(any_run):
    spread = any_run.containers.group_by("bl_number").agg(
        pl.col(c).n_unique() for c in DATES)
    assert spread.select(pl.max_horizontal(*DATES).max()).item() in (1, None)


def test_arrival_is_not_after_departure_and_both_precede_the_eta_date(any_run):
    routed = bills(any_run).filter("hub")
    assert (routed["arrival"] <= routed["departure"]).all()
    assert (routed["departure"] < routed["eta_date"]).all()
    assert (routed["arrival"] < routed["eta_date"]).all()
    lo, hi = SAIL_DAYS
    assert routed["sail"].is_between(lo, hi).all()
    assert routed["dwell"].is_between(1, LONG_DWELL_DAYS[1]).all()


def test_clean_boxes_dwell_at_most_nine_days(any_run):
    clean = bills(any_run).filter(pl.col("hub") & ~pl.col("planted"))
    assert clean["dwell"].is_between(1, MAX_CLEAN_DWELL).all()


def test_boxes_of_one_call_left_one_hub_on_one_day(any_run):
    per_leg = bills(any_run).filter("hub").group_by("voyage_id", "last_hub").agg(
        pl.col("departure").n_unique())
    assert (per_leg["departure"] == 1).all()


def test_ndjson_carries_the_same_dates_as_the_csv(any_run):
    by_bill = {bl: dates for bl, *dates in bills(any_run).select("bl_number", *DATES).rows()}
    for record in any_run.manifests:
        assert [record[key] for key in DATES] == by_bill[record["bl_number"]]


def test_ordinary_dwell_is_short_and_skewed(run):
    dwell = bills(run).filter(pl.col("hub") & ~pl.col("planted"))["dwell"]
    assert dwell.is_between(1, 5).mean() > 0.85
    assert dwell.mode().to_list() == [2]
    assert dwell.max() > 5  # missed connections exist
    assert dwell.mean() < 4


@pytest.fixture(scope="module")
def larger(tmp_path_factory) -> Run:
    """Enough planted cases (about 200) to compare their dwell with the clean traffic."""
    out = tmp_path_factory.mktemp("hub-larger")
    return read_run(out, generate(out, containers=30_000, seed=SEED))


def test_planted_cases_dwell_longer_than_clean_traffic_on_average(larger):
    routed = bills(larger).filter("hub")
    clean = routed.filter(~pl.col("planted"))["dwell"].mean()
    planted = routed.filter("planted")["dwell"].mean()
    assert planted > 1.8 * clean, (planted, clean)
    long_share = routed.filter("planted")["dwell"].ge(LONG_DWELL_DAYS[0]).mean()
    assert 0.2 < long_share < 0.7


def test_rip_on_rip_off_cases_with_a_hub_always_dwell_long(larger):
    truth = larger.ground_truth.filter(pl.col("concealment") == RIP_ON_RIP_OFF)
    rip = bills(larger).filter(pl.col("bl_number").is_in(truth["bl_number"].implode()))
    routed = rip.filter("hub")
    assert routed.height >= 5
    assert routed["dwell"].is_between(*LONG_DWELL_DAYS).all()


def test_cocaine_dwells_longest_of_the_kinds(larger):
    dwell = larger.ground_truth.join(bills(larger).filter("hub"), on="bl_number").group_by(
        "kind").agg(pl.col("dwell").mean()).sort("dwell", descending=True)
    assert dwell["kind"][0] == "cocaine"


@pytest.mark.parametrize("kind", illicit.KINDS, ids=lambda k: k.name)
def test_make_case_draws_long_dwell_with_the_kind_probability(kind):
    rng, side = np.random.default_rng(1), np.random.default_rng(2)
    cases = [make_case(rng, side, kind.name, "GEPTI", "TRAMB") for _ in range(3000)]
    rip = [c for c in cases if c.concealment == RIP_ON_RIP_OFF]
    other = [c for c in cases if c.concealment != RIP_ON_RIP_OFF]
    assert all("long_dwell" in c.signals for c in rip)
    share = np.mean(["long_dwell" in c.signals for c in other])
    assert share == pytest.approx(kind.long_dwell, abs=0.035)
    for case in other:  # paperwork signals keep their rules: at least one, never all
        paperwork = case.signals - {"long_dwell"}
        assert paperwork and len(paperwork) < len(kind.signals)
    assert all(c.signals <= set(illicit.SIGNALS) for c in cases)


def test_cocaine_has_the_highest_long_dwell_probability():
    by_kind = {k.name: k.long_dwell for k in illicit.KINDS}
    assert set(by_kind) == set(KIND_NAMES)
    assert max(by_kind, key=by_kind.get) == "cocaine"
    assert all(0 < p < 1 for p in by_kind.values())


def _with_long_dwell(monkeypatch, probability: float) -> None:
    table = {name: dataclasses.replace(kind, long_dwell=probability)
             for name, kind in illicit.BY_NAME.items()}
    monkeypatch.setattr(illicit, "BY_NAME", table)


def test_long_dwell_changes_only_the_dwell_and_adds_no_hub(tmp_path, monkeypatch):
    runs = {}
    for probability in (0.0, 1.0):
        _with_long_dwell(monkeypatch, probability)
        out = tmp_path / str(probability)
        runs[probability] = read_run(out, generate(out, containers=SMALL, seed=SEED))
    never, always = runs[0.0], runs[1.0]
    assert never.containers.drop("transshipment_arrival").equals(
        always.containers.drop("transshipment_arrival"))
    assert (never.out / "ground_truth.csv").read_bytes() == (
        always.out / "ground_truth.csv").read_bytes()
    planted = bills(always).filter("planted")
    assert planted.filter("hub")["dwell"].is_between(*LONG_DWELL_DAYS).all()
    assert planted.filter(~pl.col("hub"))["arrival"].null_count() == planted.filter(
        ~pl.col("hub")).height
    rip = never.ground_truth.filter(pl.col("concealment") == RIP_ON_RIP_OFF)["bl_number"]
    short = bills(never).filter(pl.col("planted") & pl.col("hub")
                                & ~pl.col("bl_number").is_in(rip.implode()))
    assert short["dwell"].max() <= MAX_CLEAN_DWELL
