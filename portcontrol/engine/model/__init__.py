"""The learned risk model: LightGBM on an installation's own inspection history.

Pure Python over polars and numpy, no Django. The same pipeline trains on any historical
declaration table with a 0/1 "illicit found" column:

    df = read_table("history.csv")
    model = train(df, label="Fraud", id="Declaration ID", date="Date")
    save(model, "model/")
    scores = score(load("model/"), read_table("today.csv"))

See docs/model.md for the features, the artifact format and the command line.
"""

import os

# LightGBM's OpenMP threads busy-wait between steps by default; on a server shared with web
# and task workers that spinning slowed training tenfold in measurement. Passive waiting
# costs nothing when the cores are free. (Must be set before LightGBM is first imported.)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .artifact import Model, load, save
from .errors import ModelError
from .features import FeatureOptions
from .metrics import PERCENTS, at_percents
from .scoring import (
    Factor,
    contributions,
    explain,
    explain_texts,
    raw_scores,
    score,
    scores_frame,
)
from .table import parse_label, read_table
from .training import TrainOptions, train

__all__ = ["PERCENTS", "Factor", "FeatureOptions", "Model", "ModelError", "TrainOptions",
           "at_percents", "contributions", "explain", "explain_texts", "load", "parse_label",
           "raw_scores", "read_table", "save", "score", "scores_frame", "train"]
