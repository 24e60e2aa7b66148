"""A process keeps the unit's history between scoring runs, a part per calendar week, and
reads again only the weeks whose lines or outcomes changed, and the ends of the year when
the day moves on. What it makes is always the History of the whole year's lines."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from itertools import pairwise

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from portcontrol.engine.features import History
from portcontrol.manifests.loading import do_load_records
from portcontrol.manifests.models import Container
from portcontrol.risk import history as risk_history
from portcontrol.risk import pipeline
from portcontrol.risk.frames import lines_for_units
from portcontrol.risk.history import history_for, lines_kept, weeks_of
from portcontrol.risk.models import Outcome
from portcontrol.testing.records import container_number, record

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)  # a Tuesday, the sample records' arrival day
WEEK_OF_OCT_20 = (date(2026, 10, 19), date(2026, 10, 25))


def _arrive(bl: str, serial: str, eta: str, consignee: str = "Caspian Fresh LLC") -> None:
    rec = copy.deepcopy(record(bl=bl, port="AZBAK", container=container_number(serial),
                               voyage=f"V-{bl}", consignee=consignee))
    rec["voyage"]["eta"] = eta
    result = do_load_records([rec], acting_user=None, source="history-cache-test")
    assert result.rejected == 0, result.errors


@pytest.fixture
def reads(monkeypatch):
    """The day ranges the history read lines for."""
    calls = []
    original = risk_history.lines_for_units

    def counting(unit_ids, *, since=None, until=None, **kwargs):
        calls.append((since, until))
        return original(unit_ids, since=since, until=until, **kwargs)
    monkeypatch.setattr(risk_history, "lines_for_units", counting)
    return calls


@pytest.fixture
def baku(org):
    _arrive("PAST1", "MSCU900001", "2026-10-20T06:00:00Z")
    _arrive("PAST2", "MSCU900005", "2026-11-02T06:00:00Z", consignee="Absheron Foods LLC")
    _arrive("NOW1", "MSCU900002", "2026-11-24T06:00:00Z")
    return org["baku.analyst"].unit


def _whole_year(unit, before: date) -> History:
    """The History of the year's lines read at once, as it was made before weeks were kept."""
    past = lines_for_units([unit.pk], since=before - timedelta(days=365),
                           until=before - timedelta(days=1))
    labels = past.filter(pl.col("seizure")).select("container_number", "voyage_id", "seizure")
    return History.from_frame(past, labels=labels if labels.height else None)


def _same(made: History, expected: History) -> None:
    assert made.as_of == expected.as_of
    for name, table in expected.tables.items():
        assert_frame_equal(made.table(name), table, check_exact=False, rel_tol=1e-12)


def _shipments(history: History, party: str) -> int:
    parties = history.table("parties")
    return parties.filter(pl.col("party_key") == party)["shipments"].item()


@pytest.mark.parametrize("since, until, expected", [
    (date(2026, 11, 24), date(2026, 11, 24), [(date(2026, 11, 24), date(2026, 11, 24))]),
    (date(2026, 11, 20), date(2026, 11, 24), [(date(2026, 11, 20), date(2026, 11, 22)),
                                              (date(2026, 11, 23), date(2026, 11, 24))]),
    (date(2026, 11, 23), date(2026, 12, 6), [(date(2026, 11, 23), date(2026, 11, 29)),
                                             (date(2026, 11, 30), date(2026, 12, 6))]),
    (date(2026, 11, 25), date(2026, 11, 24), []),
])
def test_weeks_run_monday_to_sunday_clipped_to_the_period(since, until, expected):
    assert weeks_of(since, until) == expected


def test_a_year_has_its_days_in_exactly_one_week():
    weeks = weeks_of(TODAY - timedelta(days=365), TODAY - timedelta(days=1))
    days = sum((last - first).days + 1 for first, last in weeks)
    assert days == 365 and len(weeks) == 53
    assert all(b[0] == a[1] + timedelta(days=1) for a, b in pairwise(weeks))


def test_a_second_run_reuses_the_history(baku, reads):
    first = history_for(baku, TODAY)
    # only the weeks with lines are read, the two following each other at once
    assert reads == [(date(2026, 10, 19), date(2026, 10, 25)),
                     (date(2026, 11, 2), date(2026, 11, 8))]
    pipeline.score_unit(baku, since=TODAY, until=TODAY)
    pipeline.score_unit(baku, since=TODAY, until=TODAY)
    assert history_for(baku, TODAY) is first
    assert [r for r in reads if r[1] < TODAY] == reads[:2]
    _same(first, _whole_year(baku, TODAY))


def test_the_next_days_read_only_the_clipped_last_week(baku, reads):
    history_for(baku, TODAY)
    # tomorrow's year ends today, whose lines are in the last week (Monday 23rd to today)
    for later, last_week in ((TODAY + timedelta(days=1), (date(2026, 11, 23), TODAY)),
                             (TODAY + timedelta(days=6), (date(2026, 11, 23),
                                                          date(2026, 11, 29)))):
        made = history_for(baku, later)
        assert reads[-1] == last_week and len(reads) == 3 + (later > TODAY + timedelta(1))
        _same(made, _whole_year(baku, later))
    # the year moves past a week with lines: that week is read clipped, then not at all
    late = date(2027, 10, 20)  # the year starts on the 20th, a Tuesday
    made = history_for(baku, late)
    assert reads[-1] == (date(2026, 10, 20), date(2026, 10, 25))
    _same(made, _whole_year(baku, late))
    gone = history_for(baku, date(2027, 10, 27))
    assert [_shipments(h, "AZ|CASPIAN FRESH LLC") for h in (made, gone)] == [2, 1]
    _same(gone, _whole_year(baku, date(2027, 10, 27)))


def test_new_lines_in_a_past_week_read_that_week_alone(baku, reads):
    before = history_for(baku, TODAY)
    _arrive("NOW2", "MSCU900003", "2026-11-24T09:00:00Z")  # today: not the history's
    assert history_for(baku, TODAY) is before and len(reads) == 2
    _arrive("PAST3", "MSCU900004", "2026-10-21T06:00:00Z", consignee="Baku Late Import LLC")
    after = history_for(baku, TODAY)
    assert reads[2:] == [WEEK_OF_OCT_20] and after is not before
    keys = after.table("parties")["party_key"].to_list()
    assert any("BAKU LATE IMPORT" in k for k in keys)
    _same(after, _whole_year(baku, TODAY))


def test_an_outcome_and_its_correction_read_their_week_again(baku, reads):
    history_for(baku, TODAY)
    box = Container.objects.get(number=container_number("MSCU900001"))
    outcome = Outcome.objects.create(container=box, unit=baku, inspected=True, seizure=False)
    history_for(baku, TODAY)
    assert reads[2:] == [WEEK_OF_OCT_20]
    outcome.seizure = True
    outcome.save()
    seized = history_for(baku, TODAY)
    assert reads[2:] == [WEEK_OF_OCT_20] * 2
    assert seized.table("parties")["seizures"].sum() > 0
    _same(seized, _whole_year(baku, TODAY))


def test_another_units_lines_change_nothing(baku, org, reads):
    kept = history_for(baku, TODAY)
    rec = copy.deepcopy(record(bl="KHI1", port="PKKHI", container=container_number(
        "MAEU900001"), voyage="V-KHI1"))
    rec["voyage"]["eta"] = "2026-10-21T06:00:00Z"
    assert do_load_records([rec], acting_user=None, source="history-cache-test").rejected == 0
    assert history_for(baku, TODAY) is kept and len(reads) == 2
    assert history_for(org["karachi.analyst"].unit, TODAY).table("parties").height > 0


def test_an_empty_box_in_a_past_week_reads_that_week(baku, reads):
    history_for(baku, TODAY)
    rec = copy.deepcopy(record(bl="EMPTY1", port="AZBAK", container=container_number(
        "MSCU900006"), voyage="V-EMPTY1"))
    rec["voyage"]["eta"] = "2026-10-22T06:00:00Z"
    rec["containers"][0].update(full_empty="E", reefer=False, size_type="45G1", goods=[],
                                gross_mass_kg=3900, vgm_kg=3900)
    assert do_load_records([rec], acting_user=None, source="history-cache-test").rejected == 0
    after = history_for(baku, TODAY)
    assert reads[2:] == [WEEK_OF_OCT_20]  # its week's stamp counts boxes, not only goods
    assert _shipments(after, "AZ|CASPIAN FRESH LLC") == 2
    _same(after, _whole_year(baku, TODAY))


def test_an_amended_bill_reads_its_week_again(baku, reads):
    before = history_for(baku, TODAY)
    assert before.table("origin_hs").filter(pl.col("hs4") == "0901").height == 0
    rec = copy.deepcopy(record(bl="PAST1", port="AZBAK", container=container_number(
        "MSCU900001"), voyage="V-PAST1", hs="090111"))  # coffee, not bananas
    rec["voyage"]["eta"] = "2026-10-20T06:00:00Z"
    result = do_load_records([rec], acting_user=None, source="history-cache-test")
    assert result.counts.consignments_updated == 1
    after = history_for(baku, TODAY)
    assert reads[2:] == [WEEK_OF_OCT_20]
    assert after.table("origin_hs").filter(pl.col("hs4") == "0901")["n"].to_list() == [1]
    _same(after, _whole_year(baku, TODAY))


def test_backtest_lines_are_kept_and_read_again_only_where_they_changed(baku, reads):
    since, until = date(2026, 10, 1), TODAY
    kept = lines_kept(baku, since, until)
    assert_frame_equal(kept, lines_for_units([baku.pk], since=since, until=until))
    count = len(reads)
    assert_frame_equal(lines_kept(baku, since, until), kept)
    assert len(reads) == count  # the same days again: nothing read
    _arrive("PAST3", "MSCU900004", "2026-10-21T06:00:00Z")
    again = lines_kept(baku, since, until)
    assert reads[count:] == [WEEK_OF_OCT_20]
    assert container_number("MSCU900004") in again["container_number"]
    assert_frame_equal(again, lines_for_units([baku.pk], since=since, until=until))


def test_no_lines_kept_for_days_without_containers(baku, reads):
    nothing = lines_kept(baku, date(2026, 1, 1), date(2026, 2, 1))
    assert nothing.height == 0 and nothing.schema == lines_for_units([baku.pk]).schema
    assert reads == []
