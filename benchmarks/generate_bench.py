"""Benchmark the manifest generator against the bare cost of writing the same CSV.

    python benchmarks/generate_bench.py [--containers 1000000] [--seed 7] [--keep DIR]

Runs portcontrol.generator.generate in this process into a temporary directory and prints
containers, seconds, containers per second, peak RSS and output sizes; then, as a baseline,
times polars writing the same number of rows with the same 41 columns (CSV_COLUMNS) from
constant data, in the same chunk size, and prints the ratio. No assertions: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl

from portcontrol.generator import CSV_COLUMNS, generate
from portcontrol.generator.plan import CHUNK_CONTAINERS
from common import peak_rss_mb  # benchmarks/common.py


def baseline_seconds(sample: dict[str, str], rows: int, out: Path) -> float:
    """Write `rows` copies of one real row, chunk by chunk, as the generator does."""
    chunk = pl.DataFrame({c: [sample[c]] for c in CSV_COLUMNS}).select(
        pl.all().repeat_by(CHUNK_CONTAINERS).explode())
    began = time.perf_counter()
    with open(out, "wb") as fh:
        written, header = 0, True
        while written < rows:
            part = chunk if rows - written >= chunk.height else chunk.head(rows - written)
            part.write_csv(fh, include_header=header)
            header = False
            written += part.height
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None,
                        help="Write here and keep the files (default: a temporary directory).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pc-bench-") as tmp:
        out = args.keep or Path(tmp) / "out"
        began = time.perf_counter()
        summary = generate(out, containers=args.containers, seed=args.seed)
        seconds = time.perf_counter() - began
        rss = peak_rss_mb()
        sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
        with open(out / "containers.csv", encoding="utf-8") as fh:
            sample = pl.read_csv(fh.readline().encode() + fh.readline().encode(),
                                 infer_schema_length=0).row(0, named=True)
        base = baseline_seconds(sample, args.containers, Path(tmp) / "baseline.csv")
    counts = summary["counts"]
    print(f"containers        {counts['containers']:,}")
    print(f"consignments      {counts['consignments']:,}")
    print(f"voyages           {counts['voyages']:,}")
    print(f"illicit           {counts['illicit']:,}")
    print(f"seconds           {seconds:.2f}")
    print(f"containers/s      {counts['containers'] / seconds:,.0f}")
    print(f"peak RSS MB       {rss:.0f}")
    for name, size in sizes.items():
        print(f"{name:<17} {size / 1e6:,.1f} MB")
    print(f"baseline seconds  {base:.2f}  (polars write_csv of {args.containers:,} constant "
          f"rows x {len(CSV_COLUMNS)} columns)")
    print(f"ratio             {seconds / base:.1f}x the bare CSV write")


if __name__ == "__main__":
    main()
