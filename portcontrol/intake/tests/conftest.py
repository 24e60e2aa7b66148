"""Fixtures for the intake tests: the hand-written samples, and a small generator run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parent / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """containers.csv and manifests.ndjson from the generator (skipped if it is absent)."""
    generator = pytest.importorskip("portcontrol.generator")
    out = tmp_path_factory.mktemp("generated")
    generator.generate(out, containers=3000, seed=11)
    return out


@pytest.fixture(scope="session")
def generated_records(generated: Path) -> list[dict[str, Any]]:
    with open(generated / "manifests.ndjson", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]
