"""RawWriter's queue (docs/decisions/0010): COPYs and look-ups handed to a thread on the same
connection. What must hold: the caller's next query sees what was queued, an error in the
queue reaches the caller, a failed batch leaves nothing, and SQLite writes at once."""

from __future__ import annotations

import polars as pl
import pytest
from django.db import connection, transaction
from django.utils import timezone

from portcontrol.accounts.models import Unit
from portcontrol.manifests.models import Party
from portcontrol.manifests.rawsql import RawWriter

on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'")


def parties(unit: Unit, keys: list[str]) -> pl.DataFrame:
    return pl.DataFrame({
        "unit": [unit.pk] * len(keys), "key": keys, "name": [f"Party {k}" for k in keys],
        "address": [""] * len(keys), "country": ["AZ"] * len(keys),
        "identifier": [""] * len(keys),
        "first_seen": [RawWriter.db_value(Party, "first_seen", timezone.now())] * len(keys)})


@pytest.fixture
def unit(org) -> Unit:
    return Unit.objects.order_by("pk").first()


@on_postgres
@pytest.mark.parametrize("rows", [1, 250_001])  # one COPY chunk, and three
def test_the_next_query_sees_what_was_queued(unit, rows):
    keys = [f"k{i:07d}" for i in range(rows)]
    with transaction.atomic():
        writer = RawWriter()
        try:
            # the COPY queued behind a slow look-up, so that it has not begun when the
            # query below is sent (psycopg's own lock only covers work already begun)
            writer.query_later("SELECT pg_sleep(0.2)", [])
            assert writer.insert_frame(Party, parties(unit, keys), later=True) == rows
            # no wait() here: the execute wrapper makes this query wait for the COPY
            assert Party.objects.filter(unit=unit).count() == rows
        finally:
            writer.finish()


@on_postgres
def test_a_look_up_runs_in_the_writers_thread_after_what_was_queued(unit):
    with transaction.atomic():
        writer = RawWriter()
        try:
            writer.insert_frame(Party, parties(unit, ["a", "b"]), later=True)
            found = writer.query_later(
                f"SELECT key FROM {Party._meta.db_table} WHERE unit_id = %s ORDER BY key",
                [unit.pk])
            assert found.result() == [("a",), ("b",)]
            writer.wait()
        finally:
            writer.finish()


@on_postgres
def test_an_error_in_the_queue_is_raised_to_the_caller_and_nothing_stays(unit):
    import psycopg

    with pytest.raises(psycopg.errors.UniqueViolation, match="party_unique_key"), \
            transaction.atomic():
        writer = RawWriter()
        try:
            writer.insert_frame(Party, parties(unit, ["same"]), later=True)
            writer.insert_frame(Party, parties(unit, ["other", "same"]), later=True)
            writer.wait()
        finally:
            writer.finish()
    assert not Party.objects.filter(unit=unit).exists()


@on_postgres
def test_a_failing_batch_lets_its_queue_end_before_the_rollback(unit):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        writer = RawWriter()
        try:
            writer.insert_frame(Party, parties(unit, [f"k{i}" for i in range(50_000)]),
                                later=True)
            1 / 0  # the caller fails while the COPY may still run
        finally:
            writer.finish()  # waits for it and does not hide the caller's error
    assert not Party.objects.filter(unit=unit).exists()
    # the connection is usable again: nothing of the writer is left on it
    assert not connection.execute_wrappers
    assert Party.objects.count() == 0


@pytest.mark.skipif("connection.vendor == 'postgresql'")
def test_sqlite_writes_at_once_and_has_no_writer_thread(unit):
    with transaction.atomic():
        writer = RawWriter()
        assert writer.insert_frame(Party, parties(unit, ["a"]), later=True) == 1
        assert Party.objects.filter(unit=unit).count() == 1
        with pytest.raises(RuntimeError, match="only PostgreSQL"):
            writer.query_later("SELECT 1", [])
        writer.finish()
