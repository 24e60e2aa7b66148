"""History: built from past lines, serialised and restored; input typing and check digits."""

from __future__ import annotations

import json
import random
import string

import polars as pl

from portcontrol.core.containers import is_valid_container_number
from portcontrol.engine import features as F
from portcontrol.engine.features.containers import check_digit_ok

from .helpers import CONFIG, frame, history, line, number, past


def test_summary_tables() -> None:
    h = history()
    assert h.as_of.isoformat() == "2026-10-20"
    parties = h.table("parties")
    assert parties.filter(pl.col("party_key") == "GE|KARTLI BUILD LLC")["shipments"][0] == 40
    assert h.table("origin_hs").row(0) == ("TR", "7005", 40)
    values = h.table("values")
    assert values["level"].to_list() == ["heading", "chapter"]
    assert abs(values["median"][0]) < 0.01  # log of about 1 USD/kg


def test_round_trip_through_json() -> None:
    labels = pl.DataFrame({"container_number": [number(5001)], "seizure": [True]})
    h = history(labels=labels)
    text = json.dumps(h.to_dict())
    back = F.History.from_dict(json.loads(text))
    assert back.as_of == h.as_of
    for name, table in h.tables.items():
        assert back.table(name).equals(table), name
    built = F.build(frame(line(0, value=2000.0)), back, CONFIG)
    assert built["ind_value_low"][0] == 1.0


def test_seized_lines_are_kept_out_of_the_normal_values() -> None:
    cheap = past(10, value=100.0, voyage_id="CHEAP", hs_code="700600")
    # The same boxes travelled before on other voyages: labels name the voyage too.
    labels = pl.DataFrame({"container_number": cheap["container_number"],
                           "voyage_id": ["CHEAP"] * 10, "seizure": [True] * 10})
    h = F.History.from_frame(pl.concat([past(), cheap]), labels=labels, config=CONFIG)
    chapter = h.table("values").filter(pl.col("level") == "chapter")
    assert chapter["n"][0] == 40


def test_empty_history_scores_nothing_from_the_past() -> None:
    built = F.build(frame(line(0, consignee_name="New LLC", value=1.0)), F.History(), CONFIG)
    for column in ("ind_consignee_new", "ind_value_low", "ind_commodity_origin"):
        assert built[column][0] == 0.0


def test_partial_and_oddly_typed_input() -> None:
    rows = pl.DataFrame({"container_number": [number(1)], "hs_code": [30617],
                         "reefer": [1], "eta": ["2026-11-23 03:00"], "value": ["12.5"]})
    built = F.build(rows, history(), CONFIG)
    assert built["hs_code"][0] == "030617" and built["hs4"][0] == "0306"
    assert built["reefer"][0] is True
    assert str(built["arrival_date"][0]) == "2026-11-23"
    assert built["value"][0] == 12.5
    assert built.height == 1


def test_check_digit_agrees_with_stdnum() -> None:
    rng = random.Random(3)
    numbers = ["".join(rng.choice(string.ascii_uppercase) for _ in range(3))
               + rng.choice("UJZX") + "".join(rng.choice(string.digits) for _ in range(7))
               for _ in range(5000)]
    numbers += ["MSCU12345", "", "mscu1234565", "MSCU-234565", "MSCU1234566"]
    ours = check_digit_ok(pl.Series(numbers)).to_list()
    assert ours == [is_valid_container_number(n) for n in numbers]
    assert check_digit_ok(pl.Series([None], dtype=pl.String)).to_list() == [None]


def test_unit_from_the_frame_the_mapping_or_the_port() -> None:
    rows = frame(line(0), line(1, port_of_call="PKKHI"), line(2, port_of_call="AZBAK"))
    rows = rows.with_columns(pl.Series("unit", ["PCU-POTI-2", None, None]))
    config = F.EngineConfig(units={"PKKHI": "PCU-KARACHI"}, min_origin_shipments=10)
    assert F.build(rows, history(), config)["unit"].to_list() == \
        ["PCU-POTI-2", "PCU-KARACHI", "AZBAK"]


def test_empty_batch() -> None:
    from portcontrol.engine.scoring import score
    from portcontrol.engine.selection import Capacity, select
    built = F.build(frame(line(0)).clear(), history(), CONFIG)
    assert built.height == 0
    scored = score(built)
    assert select(scored, {}, default=Capacity(1, 1)).height == 0
