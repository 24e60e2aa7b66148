"""Possible clones: the same container number on another voyage arriving within
CLONE_WINDOW. Both ways in (store.store_batch for records, columnar.store_lines for frames)
flag the containers they wrote with this one check."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection

from .models import Container, PortCall
from .rawsql import db_datetime, select_in

CLONE_WINDOW = timedelta(days=14)


def flag_clones(container_ids: list[int]) -> int:
    """Flag containers among `container_ids` and their twins: the same number on another
    voyage arriving within CLONE_WINDOW. One self-join on the number index."""
    if not container_ids:
        return 0
    table, calls = Container._meta.db_table, PortCall._meta.db_table
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
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL jit = off")  # compiling the probe costs more than it saves
        for lo, hi in runs:
            cur.execute(pairs_sql + "WHERE b.id BETWEEN %s AND %s", [lo, hi])
            pairs += cur.fetchall()
    pairs += select_in(pairs_sql + "WHERE b.id IN ({marks})", scattered)
    if not pairs:
        return 0
    voyages = sorted({v for _, v, _, _ in pairs} | {v for _, _, _, v in pairs})
    etas: dict[int, list[datetime]] = defaultdict(list)
    for vid, eta in select_in(f"SELECT voyage_id, eta FROM {calls} "  # noqa: S608
                              "WHERE eta IS NOT NULL AND voyage_id IN ({marks})", voyages):
        etas[vid].append(db_datetime(eta))
    wanted = set(container_ids)
    to_flag: set[int] = set()
    for a, va, b, vb in pairs:
        if a not in wanted:
            continue
        if any(abs(x - y) <= CLONE_WINDOW for x in etas.get(va, ()) for y in etas.get(vb, ())):
            to_flag.update((a, b))
    if not to_flag:
        return 0
    return Container.objects.filter(pk__in=to_flag, clone_suspect=False).update(
        clone_suspect=True)


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
