"""Features and indicators of the risk engine, over polars frames (no Django).

    history = History.from_frame(past_frame, labels=seizures)
    featured = build(today_frame, history, config, alerts={"MSCU1234565": "PCU Poti"})

`featured` has every input column plus the feature columns and, for each indicator in
INDICATORS, `ind_<id>` (score 0..1) and `ind_<id>_case` (which explanation applies).
"""

from .build import Alerts, build, schema
from .catalog import BY_ID, INDICATORS, registry
from .config import EngineConfig
from .frame import CSV_SCHEMA, read_csv
from .history import History, HistoryPart
from .indicator import Indicator
from .templates import Template

__all__ = ["BY_ID", "CSV_SCHEMA", "INDICATORS", "Alerts", "EngineConfig", "History",
           "HistoryPart", "Indicator", "Template", "build", "read_csv", "registry", "schema"]
