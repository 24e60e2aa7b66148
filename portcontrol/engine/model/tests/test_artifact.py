"""Loading refuses a corrupt, edited or mismatched artifact, and scoring refuses data that
does not fit the model, each with a message a person can act on."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from portcontrol.engine.model import ModelError, load, score
from portcontrol.engine.model.artifact import BOOSTER, HISTORY, MANIFEST, STATE, _canonical

from .synth import DATE


def _rewrite_manifest(folder: Path, change: Callable[[dict], None], *, reseal: bool) -> None:
    """Edit the manifest; with reseal, recompute its checksum as a careful forger would."""
    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest)
    if reseal:
        body = {k: v for k, v in manifest.items() if k != "checksum"}
        manifest["checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
    (folder / MANIFEST).write_text(json.dumps(manifest))


def _replace_file(folder: Path, name: str, data: bytes) -> None:
    """Swap a file's bytes and reseal every checksum: only the content checks can object."""
    (folder / name).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    _rewrite_manifest(folder, lambda m: m["files"].__setitem__(name, digest), reseal=True)


def _truncate(folder: Path, name: str) -> None:
    data = (folder / name).read_bytes()
    (folder / name).write_bytes(data[: len(data) // 2])


def _flip_byte(folder: Path, name: str) -> None:
    data = bytearray((folder / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / name).write_bytes(bytes(data))


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda manifest: manifest.__setitem__(key, value)


CORRUPTIONS = [
    ("truncated booster", lambda d: _truncate(d, BOOSTER), "corrupt or was changed"),
    ("flipped byte in history", lambda d: _flip_byte(d, HISTORY), "corrupt or was changed"),
    ("edited feature state", lambda d: _flip_byte(d, STATE), "corrupt or was changed"),
    ("calibration edited", lambda d: _rewrite_manifest(
        d, lambda m: m["calibration"].__setitem__("a", 5.0), reseal=False),
     "manifest .* is corrupt or was changed"),
    ("manifest not JSON", lambda d: (d / MANIFEST).write_text("{not json"), "not JSON"),
    ("manifest missing", lambda d: (d / MANIFEST).unlink(), "not a PortControl model"),
    ("state file missing", lambda d: (d / STATE).unlink(), "model file missing"),
    ("newer format", lambda d: _rewrite_manifest(d, _set("format_version", 99), reseal=True),
     "unsupported model format"),
    ("manifest without file list", lambda d: _rewrite_manifest(
        d, lambda m: m.pop("files"), reseal=True), "incomplete"),
    ("feature list edited", lambda d: _rewrite_manifest(
        d, lambda m: m["features"].reverse(), reseal=True), "feature mismatch inside"),
    ("booster not a model", lambda d: _replace_file(d, BOOSTER, b"tree\nnonsense\n"),
     "cannot be read"),
    ("history not Parquet", lambda d: _replace_file(d, HISTORY, b"PAR1 nothing"),
     "cannot be read"),
]


@pytest.mark.parametrize("damage, message", [pytest.param(d, m, id=name)
                                             for name, d, m in CORRUPTIONS])
def test_damaged_artifact_is_refused(model_dir, tmp_path, damage, message):
    copy = tmp_path / "copy"
    shutil.copytree(model_dir, copy)
    load(copy)  # intact before the damage
    damage(copy)
    with pytest.raises(ModelError, match=message):
        load(copy)


def test_missing_model_is_refused(tmp_path):
    with pytest.raises(ModelError, match="model not found"):
        load(tmp_path / "nowhere")


def test_save_is_byte_for_byte_reproducible(model, model_dir, tmp_path):
    from portcontrol.engine.model import save

    again = save(model, tmp_path / "again")
    for name in (BOOSTER, STATE, HISTORY, MANIFEST):
        assert (again / name).read_bytes() == (model_dir / name).read_bytes(), name


MISMATCHES = [
    ("importer column absent", lambda df: df.drop("trader"), "lacks column.*'trader'"),
    ("date column absent", lambda df: df.drop(DATE), f"lacks column.*'{DATE}'"),
    ("numbers replaced by text", lambda df: df.with_columns(pl.lit("heavy").alias("kilos")),
     "'kilos' was numeric in training"),
    ("date not a date", lambda df: df.with_columns(pl.lit("soon").alias(DATE)),
     "no recognisable dates"),
]


@pytest.mark.parametrize("change, message", [pytest.param(c, m, id=name)
                                             for name, c, m in MISMATCHES])
def test_data_that_does_not_fit_is_refused(model, later, change, message):
    with pytest.raises(ModelError, match=message):
        score(model, change(later))
