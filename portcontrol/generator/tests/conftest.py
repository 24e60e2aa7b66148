"""One small run shared by the generator tests (about 2,000 containers, a second or less)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from portcontrol.generator import generate

SMALL = 2_000
SEED = 7


@dataclass
class Run:
    out: Path
    summary: dict
    containers: pl.DataFrame
    manifests: list[dict]
    ground_truth: pl.DataFrame


def read_run(out: Path, summary: dict) -> Run:
    text = {"infer_schema_length": 0}  # every column as text: codes keep their leading zeros
    containers = pl.read_csv(out / "containers.csv", **text)
    with open(out / "manifests.ndjson", encoding="utf-8") as fh:
        manifests = [json.loads(line) for line in fh]
    truth = pl.read_csv(out / "ground_truth.csv", **text)
    return Run(out, summary, containers, manifests, truth)


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("gen") / "a"
    return read_run(out, generate(out, containers=SMALL, seed=SEED))
