"""Possible clones: the same container number on another voyage arriving within
CLONE_WINDOW. Both ways in flag the containers they write with this one check: the record
path (store.store_batch) once its rows are written (flag_clones), the bulk path
(columnar.store_lines) before it writes them (twins_before_write), so that its probes of
the number index do not each meet the batch's own row.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Future
from datetime import datetime, timedelta

import polars as pl
from django.db import connection

from .models import Container, PortCall
from .rawsql import RawWriter, db_datetime, probe_query, select_in, select_probing

CLONE_WINDOW = timedelta(days=14)


def flag_clones(container_ids: list[int]) -> int:
    """Flag containers among `container_ids` and their twins: the same number on another
    voyage arriving within CLONE_WINDOW. One self-join on the number index."""
    if not container_ids:
        return 0
    table = Container._meta.db_table
    pairs_sql = f"SELECT b.id, b.voyage_id, c.id, c.voyage_id FROM {table} b "  # noqa: S608
    if connection.vendor == "postgresql":
        # A probe of the number index per container of the batch. Left to itself the
        # planner, whose statistics lag behind a bulk load, merge-joins the batch with the
        # whole number index: a cost that grows with the table, batch after batch.
        # OFFSET 0 keeps the subquery a per-row probe.
        pairs_sql += (f"CROSS JOIN LATERAL (SELECT x.id, x.voyage_id FROM {table} x "
                      "WHERE x.number = b.number AND x.voyage_id <> b.voyage_id OFFSET 0) c ")
    else:  # SQLite's planner probes the index by itself
        pairs_sql += f"JOIN {table} c ON c.number = b.number AND c.voyage_id <> b.voyage_id "
    runs, scattered = _runs(sorted(set(container_ids)))
    pairs: list[tuple[int, int, int, int]] = []
    # (no JIT: the caller's RawWriter turned it off for the transaction)
    with connection.cursor() as cur:
        for lo, hi in runs:
            cur.execute(pairs_sql + "WHERE b.id BETWEEN %s AND %s", [lo, hi])
            pairs += cur.fetchall()
    pairs += select_in(pairs_sql + "WHERE b.id IN ({marks})", scattered)
    return flag_stored(_within_window(pairs, set(container_ids)))


def flag_stored(ids: set[int]) -> int:
    """Flag the stored containers `ids`; returns how many were not flagged before."""
    if not ids:
        return 0
    return Container.objects.filter(pk__in=ids, clone_suspect=False).update(clone_suspect=True)


def twins_before_write(boxes: pl.DataFrame, stored: list[tuple[int, int, str]]) -> set[int]:
    """The ids to flag, as flag_clones would once the rows are written, for the containers of
    a batch about to be written: `boxes` holds `id`, `voyage_id` and `number` for each,
    whether it is written next or already stored (a second bill for a box on its voyage);
    `stored` is what look_up_numbers found for their numbers. The ids returned are the
    batch's and their stored twins'.

    Looking the numbers up before the write probes the number index where it mostly finds
    nothing (after the write, every probe met at least the batch's own row and read it);
    twins within the batch are paired here."""
    if boxes.height == 0:
        return set()
    stored = pl.DataFrame(stored, orient="row", schema={
        "id": pl.Int64, "voyage_id": pl.Int64, "number": pl.String})
    rows = pl.concat([boxes.select(pl.col("id").cast(pl.Int64),
                                   pl.col("voyage_id").cast(pl.Int64), "number"), stored]
                     ).unique("id", keep="first", maintain_order=True)
    rows = rows.filter(pl.col("voyage_id").n_unique().over("number") > 1)
    if rows.height == 0:
        return set()
    ours = set(boxes.get_column("id").to_list())
    pairs: list[tuple[int, int, int, int]] = []
    for _number, group in rows.group_by("number", maintain_order=True):
        twins = list(group.select("id", "voyage_id").iter_rows())
        pairs += [(a, va, b, vb) for a, va in twins if a in ours
                  for b, vb in twins if vb != va]
    return _within_window(pairs, ours)


def look_up_numbers(numbers: list[str], writer: RawWriter
                    ) -> Future[list[tuple[int, int, str]]]:
    """(id, voyage_id, number) of the stored containers whose number is one of `numbers`
    (clean numbers: no comma), for twins_before_write. On PostgreSQL the look-up runs in
    the writer's thread (RawWriter.query_later) while the caller builds its frames."""
    look_up = ("t.id, t.voyage_id, t.number", Container._meta.db_table, "number", numbers)
    if connection.vendor != "postgresql" or not numbers:
        done: Future[list[tuple[int, int, str]]] = Future()
        done.set_result(select_probing(*look_up))
        return done
    return writer.query_later(*probe_query(*look_up))


def _within_window(pairs: list[tuple[int, int, int, int]], wanted: set[int]) -> set[int]:
    """Of the pairs (id, voyage, twin id, twin voyage) whose first id is `wanted`, the ids of
    both containers where their voyages arrive within CLONE_WINDOW of each other."""
    if not pairs:
        return set()
    calls = PortCall._meta.db_table
    voyages = sorted({v for _, v, _, _ in pairs} | {v for _, _, _, v in pairs})
    etas: dict[int, list[datetime]] = defaultdict(list)
    for vid, eta in select_in(f"SELECT voyage_id, eta FROM {calls} "  # noqa: S608
                              "WHERE eta IS NOT NULL AND voyage_id IN ({marks})", voyages):
        etas[vid].append(db_datetime(eta))
    to_flag: set[int] = set()
    for a, va, b, vb in pairs:
        if a not in wanted:
            continue
        if any(abs(x - y) <= CLONE_WINDOW for x in etas.get(va, ()) for y in etas.get(vb, ())):
            to_flag.update((a, b))
    return to_flag


def _runs(ids: list[int], shortest: int = 64) -> tuple[list[tuple[int, int]], list[int]]:
    """Sorted ids as (first, last) runs of consecutive ids, and the ids of short runs."""
    runs: list[tuple[int, int]] = []
    scattered: list[int] = []
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[i - 1] + 1:
            if i - start >= shortest:
                runs.append((ids[start], ids[i - 1]))
            else:
                scattered += ids[start:i]
            start = i
    return runs, scattered
