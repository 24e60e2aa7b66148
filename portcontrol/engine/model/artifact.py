"""A trained model and its on-disk form.

An artifact is a directory of four files:
    booster.txt        LightGBM's own text model
    features.json      the feature-engineering state: column roles, ratios, vocabularies,
                       options, and the feature list with the input columns of each feature
    history.parquet    the training history per key value (declarations, illicit finds);
                       Parquet because it grows with the history (millions of values)
    manifest.json      format version, library versions, label/id/date columns, the feature
                       list, calibration, training summary, and the SHA-256 of the three files
                       above; its own "checksum" covers the rest of the manifest.
Loading checks every checksum and that the manifest, the booster and the feature state agree
on the feature list, so a truncated, edited or mixed-up artifact is refused with a message
instead of scoring silently wrong. (Checksums catch corruption and careless edits, not a
determined forger: signing artifacts belongs to the installation, not here.)
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import lightgbm as lgb
import polars as pl

from .errors import ModelError
from .features import FeatureState

FORMAT = "portcontrol-model"
FORMAT_VERSION = 1
BOOSTER, STATE, HISTORY = "booster.txt", "features.json", "history.parquet"
MANIFEST = "manifest.json"
REQUIRED = {"files", "features", "calibration", "label", "id", "training"}


@dataclass
class Model:
    booster: lgb.Booster
    state: FeatureState
    label: str
    id: str | None
    calibration: tuple[float, float]  # Platt (a, b)
    training: dict[str, Any] = field(default_factory=dict)  # summary, for people to read

    @property
    def date(self) -> str | None:
        return self.state.date


def versions() -> dict[str, str]:
    out = {}
    for package in ("portcontrol", "lightgbm", "polars", "numpy"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "unknown"
    return out


def save(model: Model, path: str | Path) -> Path:
    """Write the artifact directory (created if needed; its three files are replaced)."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        blobs = {BOOSTER: model.booster.model_to_string().encode(),
                 STATE: json.dumps(model.state.to_json(), indent=1).encode(),
                 HISTORY: _history_bytes(model)}
        for name, blob in blobs.items():
            (out / name).write_bytes(blob)
        manifest = _manifest(model, {name: _sha256(blob) for name, blob in blobs.items()})
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise ModelError(f"cannot write the model to {out}: {exc.strerror or exc}") from None
    return out


def load(path: str | Path) -> Model:
    """Read and verify an artifact; any inconsistency raises ModelError."""
    where = Path(path)
    if not where.exists():
        raise ModelError(f"model not found: {where}")
    if not (where / MANIFEST).is_file():
        raise ModelError(f"not a PortControl model (no {MANIFEST}): {where}")
    manifest = _read_manifest(where)
    blobs = _verified_files(where, manifest["files"])
    try:
        state = FeatureState.from_json(json.loads(blobs[STATE]), _history_tables(blobs[HISTORY]))
        booster = lgb.Booster(model_str=blobs[BOOSTER].decode())
        calibration = (float(manifest["calibration"]["a"]), float(manifest["calibration"]["b"]))
    except (ValueError, KeyError, TypeError, OSError, lgb.basic.LightGBMError,
            pl.exceptions.PolarsError):
        raise ModelError(f"model in {where} cannot be read (corrupt)") from None
    if not (manifest["features"] == state.names and booster.num_feature() == len(state.names)):
        raise ModelError(f"feature mismatch inside the model {where}: the manifest, the "
                         "booster and the feature state list different features")
    return Model(booster, state, manifest["label"], manifest["id"], calibration,
                 manifest["training"])


def _verified_files(where: Path, digests: dict[str, str]) -> dict[str, bytes]:
    """The three data files, each checked against the SHA-256 the manifest recorded."""
    blobs = {}
    for name in (BOOSTER, STATE, HISTORY):
        if name not in digests:
            raise ModelError(f"model manifest {where / MANIFEST} is incomplete "
                             f"(no checksum for {name})")
        try:
            blobs[name] = (where / name).read_bytes()
        except OSError:
            raise ModelError(f"model file missing: {where / name}") from None
        if _sha256(blobs[name]) != digests[name]:
            raise ModelError(f"model file {where / name} is corrupt or was changed "
                             "(checksum mismatch)")
    return blobs


def _manifest(model: Model, files: dict[str, str]) -> dict[str, Any]:
    body = {"format": FORMAT, "format_version": FORMAT_VERSION, "versions": versions(),
            "label": model.label, "id": model.id, "date": model.date,
            "input_columns": model.state.input_columns, "features": model.state.names,
            "calibration": {"method": "platt", "a": model.calibration[0],
                            "b": model.calibration[1]},
            "training": model.training, "files": files}
    return {**body, "checksum": _sha256(_canonical(body))}


def _history_bytes(model: Model) -> bytes:
    """All key tables in one Parquet file, told apart by a "history" column."""
    empty = pl.DataFrame(schema={"key": pl.String, "n": pl.Int64, "pos": pl.Int64})
    tables = [h.table.with_columns(pl.lit(i, pl.Int32).alias("history"))
              for i, h in enumerate(model.state.histories)]
    buffer = io.BytesIO()
    combined = pl.concat(tables) if tables else empty.with_columns(
        pl.lit(0, pl.Int32).alias("history"))
    combined.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def _history_tables(blob: bytes) -> list[pl.DataFrame]:
    combined = pl.read_parquet(io.BytesIO(blob))
    count = combined["history"].n_unique() if combined.height else 0
    return [combined.filter(pl.col("history") == i).drop("history") for i in range(count)]


def _read_manifest(where: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((where / MANIFEST).read_text())
        body = {k: v for k, v in manifest.items() if k != "checksum"}
        intact = manifest.get("checksum") == _sha256(_canonical(body))
    except (ValueError, OSError, AttributeError):
        raise ModelError(f"model manifest {where / MANIFEST} is corrupt (not JSON)") from None
    if not intact:
        raise ModelError(f"model manifest {where / MANIFEST} is corrupt or was changed "
                         "(checksum mismatch)")
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"unsupported model format in {where}: {manifest.get('format')} "
                         f"version {manifest.get('format_version')} (this PortControl reads "
                         f"{FORMAT} version {FORMAT_VERSION})")
    lacking = sorted(REQUIRED - set(manifest))
    if lacking or not isinstance(manifest["files"], dict):
        raise ModelError(f"model manifest {where / MANIFEST} is incomplete "
                         f"(missing: {', '.join(lacking) or 'files'})")
    return manifest


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
