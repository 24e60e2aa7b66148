"""Model versions as stored bytes, and the learned model's part in scoring a unit.

The engine writes a model as a directory of four checksummed files (engine/model/artifact.py).
A ModelVersion keeps that directory packed into one zip archive in the database, with the
archive's SHA-256 beside it (docs/decisions/0003-model-versions.md). Loading checks, in this
order: the archive's checksum, the archive's member names, the engine's own checksums and
feature consistency, and the feature list recorded on the version; any failure is a
ModelError with one sentence naming what is wrong.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from portcontrol.core.kept import MISSING, Kept
from portcontrol.engine import model as engine_model
from portcontrol.engine.model import Model, ModelError
from portcontrol.engine.model.artifact import BOOSTER, HISTORY, MANIFEST, STATE
from portcontrol.engine.rules import Rule as EngineRule
from portcontrol.engine.scoring import (MODEL_FACTORS, MODEL_PROBABILITY, ScoringConfig,
                                        combine, explained_rows, sources)

if TYPE_CHECKING:
    from .models import ModelVersion

log = logging.getLogger(__name__)

ARTIFACT_FILES = (BOOSTER, STATE, HISTORY, MANIFEST)
# The model's columns: the container lines' declaration fields, read as text (the engine
# decides their kinds from the values). Identifiers that never repeat (container and B/L
# numbers), free text (addresses, goods descriptions) and outcomes are left out.
ID, DATE, LABEL = "container_id", "arrival_date", "found"
MODEL_COLUMNS = (
    "hs_code", "hs4", "packages", "package_type", "value", "currency", "origin_country",
    "vessel_imo", "vessel_flag", "carrier", "place_of_receipt", "port_of_loading",
    "transshipment_ports", "port_of_call", "final_destination", "shipper_name",
    "shipper_country", "consignee_name", "consignee_country", "notify_name", "notify_country",
    "freight_terms", "size_type", "gross_mass_kg", "vgm_kg", "full_empty", "reefer",
    "seals_changed", "goods_gross_kg", "goods_net_kg", "hub_dwell_days",
)
TOP_FACTORS = 3
_MODELS: Kept[Model] = Kept(4)  # unpacked artifacts, by checksum


def model_table(lines: pl.DataFrame, *, label: bool = False) -> pl.DataFrame:
    """Container lines (risk.frames) as the engine model's text table: id, date, inputs and,
    for training, the 0/1 label (something found on inspection)."""
    derived = {"hs4": pl.col("hs_code").str.slice(0, 4)}
    columns = [pl.col(ID).cast(pl.String), pl.col(DATE).cast(pl.String)]
    for name in MODEL_COLUMNS:
        expr = derived.get(name, pl.col(name))
        columns.append(expr.cast(pl.String).str.strip_chars().replace("", None).alias(name))
    if label:
        columns.append(pl.col("seizure").cast(pl.Int8).cast(pl.String).alias(LABEL))
    return lines.select(columns)


def library_errors() -> tuple[type[Exception], ...]:
    """Errors LightGBM and polars raise on data that passed the engine's own checks."""
    # Imported here, after portcontrol.engine.model, which sets LightGBM's OpenMP wait
    # policy before the library is first loaded.
    import lightgbm

    return (pl.exceptions.PolarsError, lightgbm.basic.LightGBMError)


def sha256(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def pack(model: Model) -> bytes:
    """The engine's artifact directory as one zip archive (fixed timestamps, so the same
    model packs to the same bytes)."""
    with tempfile.TemporaryDirectory(prefix="portcontrol-model-") as tmp:
        engine_model.save(model, tmp)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in ARTIFACT_FILES:
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, (Path(tmp) / name).read_bytes())
    return buffer.getvalue()


def unpack(blob: bytes) -> Model:
    """Read a packed artifact through the engine's verifying loader."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ModelError("the stored model artifact is corrupt (not a model archive)") from None
    if names != set(ARTIFACT_FILES):
        raise ModelError("the stored model artifact is corrupt (it holds "
                         f"{', '.join(sorted(names)) or 'no files'})")
    with tempfile.TemporaryDirectory(prefix="portcontrol-model-") as tmp, archive:
        for name in ARTIFACT_FILES:  # known names only: nothing is written outside tmp
            try:
                (Path(tmp) / name).write_bytes(archive.read(name))
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                raise ModelError("the stored model artifact is corrupt "
                                 f"({name} cannot be read)") from None
        return engine_model.load(tmp)


def load_version(version: ModelVersion) -> Model:
    """The version's model, verified; ModelError says why it cannot be used."""
    blob = bytes(version.artifact or b"")
    digest = sha256(blob)
    if digest != version.artifact_sha256:
        raise ModelError(f"the artifact of model version {version.label} is corrupt or was "
                         "changed (checksum mismatch)")
    kept = _MODELS.get(digest)
    model = unpack(blob) if kept is MISSING else kept
    if model.state.names != list(version.features):
        raise ModelError(f"feature mismatch: model version {version.label} records "
                         f"{len(version.features)} features but its artifact computes "
                         f"{len(model.state.names)} different ones")
    missing = [c for c in model.state.input_columns if c not in (ID, DATE, *MODEL_COLUMNS)]
    if missing:
        raise ModelError(f"feature mismatch: model version {version.label} needs column(s) "
                         f"this installation no longer provides: {', '.join(missing)}")
    return _MODELS.put(digest, model)


def probabilities(model: Model, table: pl.DataFrame) -> np.ndarray:
    return np.asarray(engine_model.score(model, table), dtype=np.float64)


def factor_texts(model: Model, table: pl.DataFrame, rows: Sequence[int]) -> list[str | None]:
    """For each of `rows`: the strongest input columns that raised its score (SHAP)."""
    if not rows:
        return []
    explained = engine_model.explain(model, table[list(rows)], top=TOP_FACTORS)
    out: list[str | None] = []
    for factors in explained:
        raising = [f.text() for f in factors if f.contribution > 0]
        out.append("; ".join(raising) if raising else None)
    return out


FactorTexts = Callable[[Sequence[int]], list[str | None]]


def add_model_columns(featured: pl.DataFrame, table: pl.DataFrame, model: Model,
                      rules: Sequence[EngineRule], config: ScoringConfig) -> pl.DataFrame:
    """`model_probability` for every row and `model_factors` (SHAP) for the rows whose risk
    will be explained: the same top share engine.scoring.score explains. `table` is the
    lines' model_table, row for row."""
    out = featured.with_columns(pl.Series(MODEL_PROBABILITY, probabilities(model, table)))
    terms = sources(out.schema, list(rules), config)
    risk = out.select(combine([s.term for s in terms]).alias("_risk"))["_risk"].to_numpy()
    k = explained_rows(out.height, config)
    top = np.argsort(-risk, kind="stable")[:k]
    texts: list[str | None] = [None] * out.height
    for row, text in zip(top.tolist(), factor_texts(model, table, top.tolist()), strict=True):
        texts[row] = text
    return out.with_columns(pl.Series(MODEL_FACTORS, texts, dtype=pl.String))


def with_active_model(unit_id: int, featured: pl.DataFrame, lines: pl.DataFrame,
                      rules: Sequence[EngineRule], config: ScoringConfig
                      ) -> tuple[pl.DataFrame, dict[str, Any], FactorTexts | None]:
    """Add the unit's active model to a scoring frame. A version that cannot be used is
    logged and recorded in the returned params; scoring then goes on without the model.
    The third item gives the model's factor texts for more rows (positions in `lines`), for
    selected containers beyond the explained share; None without a model."""
    from .models import ModelVersion

    version = ModelVersion.objects.filter(unit_id=unit_id,
                                          status=ModelVersion.Status.ACTIVE).first()
    if version is None:
        return featured, {"model_version": None}, None
    params: dict[str, Any] = {"model_version": version.pk, "model_label": version.label}
    try:
        model = load_version(version)
        table = model_table(lines)
        out = add_model_columns(featured, table, model, rules, config)
    except (ModelError, ValueError, *library_errors()) as exc:
        reason = exc.message if isinstance(exc, ModelError) else str(exc).splitlines()[0]
        log.error("model version %s (id %s) of unit %s not used in scoring: %s",
                  version.label, version.pk, unit_id, reason)
        return featured, {**params, "model_used": False, "model_error": reason}, None
    return out, {**params, "model_used": True}, \
        lambda rows: factor_texts(model, table, list(rows))
