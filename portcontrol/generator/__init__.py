"""Deterministic generator of synthetic container manifests for demos, tests and benchmarks.

Pure Python (numpy, polars); no Django. See api.generate for the entry point and writer.py for
the output files, whose names and columns are a contract other code reads.
"""

from .api import DEFAULT_DESTINATIONS, DEFAULT_START, GeneratorError, generate, parse_destinations
from .frames import CSV_COLUMNS, GROUND_TRUTH_COLUMNS
from .illicit import KIND_NAMES
from .plan import ILLICIT_RATE, MIN_CONTAINERS_ALL_KINDS

__all__ = [
                  "CSV_COLUMNS",
                  "DEFAULT_DESTINATIONS",
                  "DEFAULT_START",
                  "GROUND_TRUTH_COLUMNS",
                  "ILLICIT_RATE",
                  "KIND_NAMES",
                  "MIN_CONTAINERS_ALL_KINDS",
                  "GeneratorError",
                  "generate",
                  "parse_destinations",
]
