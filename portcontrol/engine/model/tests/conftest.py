"""One small model trained per test session: training is the slow part."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from portcontrol.engine.model import Model, TrainOptions, save, train

from .synth import DATE, ID, LABEL, later_history, make_history

FAST = TrainOptions(max_rounds=300, early_stopping=50)


@pytest.fixture(scope="session")
def history() -> pl.DataFrame:
    return make_history()


@pytest.fixture(scope="session")
def later() -> pl.DataFrame:
    return later_history()


@pytest.fixture(scope="session")
def model(history: pl.DataFrame) -> Model:
    return train(history, label=LABEL, id=ID, date=DATE, options=FAST)


@pytest.fixture(scope="session")
def model_dir(model: Model, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save(model, tmp_path_factory.mktemp("model") / "m")
