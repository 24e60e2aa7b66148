"""Same arguments, same bytes; chunk boundaries never split a bill of lading."""

from __future__ import annotations

import polars as pl
import pytest

from portcontrol.generator import generate, plan
from portcontrol.generator.writer import FILES

from .conftest import SEED, SMALL, read_run


def _bytes(out) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


def test_same_seed_and_arguments_give_identical_files(run, tmp_path):
    generate(tmp_path, containers=SMALL, seed=SEED)
    assert _bytes(tmp_path) == _bytes(run.out)


@pytest.mark.parametrize("change", [{"seed": SEED + 1}, {"days": 3},
                                    {"destinations": {"GEPTI": 1.0}}])
def test_a_different_argument_gives_different_files(run, tmp_path, change):
    generate(tmp_path, **{"containers": SMALL, "seed": SEED, **change})
    assert (tmp_path / "containers.csv").read_bytes() != (run.out / "containers.csv").read_bytes()


def test_small_chunks_keep_bills_of_lading_whole_and_stay_deterministic(tmp_path, monkeypatch):
    monkeypatch.setattr(plan, "CHUNK_CONTAINERS", 300)
    first, second = tmp_path / "1", tmp_path / "2"
    summary = generate(first, containers=SMALL, seed=SEED)
    generate(second, containers=SMALL, seed=SEED)
    assert _bytes(first) == _bytes(second)
    small = read_run(first, summary)
    assert small.containers.height == SMALL
    _assert_bills_contiguous(small.containers)


def _assert_bills_contiguous(frame) -> None:
    runs = frame.select("bl_number", "voyage_id").with_row_index()
    spans = runs.group_by("bl_number").agg(
        first=pl.col("index").min(), last=pl.col("index").max(), rows=pl.len(),
        voyages=pl.col("voyage_id").n_unique())
    for row in spans.iter_rows(named=True):
        assert row["last"] - row["first"] + 1 == row["rows"], row["bl_number"]
        assert row["voyages"] == 1, row["bl_number"]


def test_bills_of_lading_are_contiguous_within_one_voyage(run):
    _assert_bills_contiguous(run.containers)
    sizes = run.containers.group_by("bl_number").len()["len"]
    assert sizes.min() >= 1 and sizes.max() <= 5
    assert (sizes <= 2).mean() > 0.7  # most bills carry one or two boxes
