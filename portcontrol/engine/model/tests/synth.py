"""Small synthetic declaration histories with a planted signal, for the model tests.

The planted signal: a few importers cheat often, some HS codes are risky, and cheating rows
declare a value per kilogram well below the usual. Column names are deliberately unlike any
real dataset's, so the tests prove the pipeline is generic.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

LABEL, ID, DATE = "found", "ref", "lodged"


def make_history(rows: int = 3000, seed: int = 1, start: date = date(2024, 1, 1),
                 days: int = 240) -> pl.DataFrame:
    """A labelled table as read_table would return it: every column text, oldest first."""
    rng = np.random.default_rng(seed)
    # The same entity universe whatever the seed, so a later file meets known importers.
    universe = np.random.default_rng(0)
    importers = np.array([f"IMP{i:04d}" for i in range(300)])
    cheats = universe.random(300) < 0.1
    codes = np.array([f"{c:06d}" for c in universe.integers(10_000, 999_999, 60)])
    risky_code = universe.random(60) < 0.2
    importer = rng.integers(0, 300, rows)
    code = rng.integers(0, 60, rows)
    mass = np.round(rng.lognormal(5, 1.2, rows), 1)
    logit = -3.2 + 2.8 * cheats[importer] + 1.5 * risky_code[code] + rng.normal(0, 0.5, rows)
    found = rng.random(rows) < 1 / (1 + np.exp(-logit))
    # Cheats under-declare: a lower value per kilogram.
    per_kg = rng.lognormal(3, 0.4, rows) * np.where(found, 0.45, 1.0)
    day = np.sort(rng.integers(0, days, rows))
    return pl.DataFrame({
        ID: [f"R{seed:02d}{i:06d}" for i in range(rows)],
        DATE: [(start + timedelta(days=int(d))).isoformat() for d in day],
        "trader": importers[importer],
        "goods": codes[code],
        "route": rng.choice(["SEA", "AIR", "ROAD", "RAIL"], rows, p=[0.6, 0.2, 0.15, 0.05]),
        "kilos": [f"{m:.1f}" for m in mass],
        "declared_value": [f"{v:.2f}" for v in mass * per_kg],
        "remark": [f"note {i}" for i in rng.permutation(rows)],  # unique per row: no signal
        LABEL: found.astype(int).astype(str),
    })


def later_history(rows: int = 1500, seed: int = 2) -> pl.DataFrame:
    """Declarations from after make_history's period, same entity universe."""
    return make_history(rows, seed=seed, start=date(2024, 9, 1), days=60)


def write_csv(df: pl.DataFrame, path) -> str:
    df.write_csv(path)
    return str(path)
