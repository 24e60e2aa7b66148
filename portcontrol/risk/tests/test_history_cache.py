"""A process keeps the unit's history summary between scoring runs, and makes it again when
what it was made from changed: new lines in the period, a new outcome, a corrected one."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from portcontrol.manifests.loading import do_load_records
from portcontrol.manifests.models import Container
from portcontrol.risk import pipeline
from portcontrol.risk.models import Outcome
from portcontrol.testing.records import container_number, record

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)  # the sample records' arrival day


def _arrive(bl: str, serial: str, eta: str, consignee: str = "Caspian Fresh LLC") -> None:
    rec = copy.deepcopy(record(bl=bl, port="AZBAK", container=container_number(serial),
                               voyage=f"V-{bl}", consignee=consignee))
    rec["voyage"]["eta"] = eta
    result = do_load_records([rec], acting_user=None, source="history-cache-test")
    assert result.rejected == 0, result.errors


@pytest.fixture
def reads(monkeypatch):
    """How many times scoring read the history's lines."""
    calls = []
    original = pipeline.lines_for_units

    def counting(unit_ids, *, since=None, until=None, **kwargs):
        if until is not None and until < TODAY:
            calls.append((since, until))
        return original(unit_ids, since=since, until=until, **kwargs)
    monkeypatch.setattr(pipeline, "lines_for_units", counting)
    return calls


@pytest.fixture
def baku(org):
    _arrive("PAST1", "MSCU900001", "2026-10-20T06:00:00Z")
    _arrive("NOW1", "MSCU900002", "2026-11-24T06:00:00Z")
    return org["baku.analyst"].unit


def test_a_second_run_reuses_the_history(baku, reads):
    first = pipeline.history_for(baku, TODAY)
    pipeline.score_unit(baku, since=TODAY, until=TODAY)
    pipeline.score_unit(baku, since=TODAY, until=TODAY)
    assert len(reads) == 1
    assert pipeline.history_for(baku, TODAY) is first
    # another first day is another history
    pipeline.history_for(baku, date(2026, 11, 20))
    assert len(reads) == 2


def test_new_lines_in_the_period_make_it_again(baku, reads):
    before = pipeline.history_for(baku, TODAY)
    _arrive("NOW2", "MSCU900003", "2026-11-24T09:00:00Z")  # today: not the history's
    assert pipeline.history_for(baku, TODAY) is before and len(reads) == 1
    _arrive("PAST2", "MSCU900004", "2026-10-21T06:00:00Z", consignee="Baku Late Import LLC")
    after = pipeline.history_for(baku, TODAY)
    assert len(reads) == 2 and after is not before
    keys = after.table("parties")["party_key"].to_list()
    assert any("BAKU LATE IMPORT" in k for k in keys)


def test_an_outcome_and_its_correction_make_it_again(baku, reads):
    pipeline.history_for(baku, TODAY)
    box = Container.objects.get(number=container_number("MSCU900001"))
    outcome = Outcome.objects.create(container=box, unit=baku, inspected=True, seizure=False)
    pipeline.history_for(baku, TODAY)
    assert len(reads) == 2
    outcome.seizure = True
    outcome.save()
    seized = pipeline.history_for(baku, TODAY)
    assert len(reads) == 3
    assert seized.table("parties")["seizures"].sum() > 0
