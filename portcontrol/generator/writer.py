"""Output files: appended chunk by chunk, so memory stays flat however large the run."""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import Self

import polars as pl

from .frames import CSV_COLUMNS, GROUND_TRUTH_COLUMNS

CONTAINERS_CSV = "containers.csv"
MANIFESTS_NDJSON = "manifests.ndjson"
GROUND_TRUTH_CSV = "ground_truth.csv"
SUMMARY_JSON = "summary.json"
FILES = (CONTAINERS_CSV, MANIFESTS_NDJSON, GROUND_TRUTH_CSV, SUMMARY_JSON)


class Writer:
    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self._csv = open(out_dir / CONTAINERS_CSV, "wb")  # noqa: SIM115 - closed in close()
        self._ndjson = open(out_dir / MANIFESTS_NDJSON, "wb")  # noqa: SIM115
        self._header = True
        self.ground_truth: list[tuple[str, ...]] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._csv.close()
        self._ndjson.close()

    def write_chunk(self, containers: pl.DataFrame, manifests: pl.DataFrame) -> None:
        containers.select(CSV_COLUMNS).write_csv(self._csv, include_header=self._header,
                                                 float_precision=2, null_value="")
        self._header = False
        manifests.write_ndjson(self._ndjson)

    def write_ground_truth(self) -> None:
        frame = pl.DataFrame(self.ground_truth,
                             schema={c: pl.Utf8 for c in GROUND_TRUTH_COLUMNS}, orient="row")
        frame.write_csv(self.out_dir / GROUND_TRUTH_CSV)

    def write_summary(self, summary: dict) -> None:
        text = json.dumps(summary, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        (self.out_dir / SUMMARY_JSON).write_text(text, encoding="utf-8")
