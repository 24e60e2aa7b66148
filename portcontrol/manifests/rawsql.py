"""Bulk writes that bypass model instances, for intake at hundreds of thousands of rows.

PostgreSQL gets COPY, SQLite executemany; both with ids allocated up front so the rows of one
batch can reference each other (consignment → container → goods) without a round trip per row.
Values go through each field's own get_db_prep_save, so what lands is exactly what the ORM
would have written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
import polars as pl
from django.db import connection, models

T = TypeVar("T")


class RawWriter:
    """Use inside transaction.atomic(); one instance per transaction.

    On PostgreSQL, `insert_frame(..., later=True)` hands the COPY to a thread of this writer
    (on the same connection, so in the same transaction) and returns at once: the caller
    builds its next frame while the server writes this one. Until `wait()` has returned, the
    connection belongs to that thread; any query this thread sends through Django waits for
    the queued COPYs first (an execute wrapper), and the caller calls `finish()` before its
    transaction ends (commit and rollback bypass the wrapper)."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self._next_id: dict[str, int] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._queued: list[Future[None]] = []
        self._wrapper: Any = None
        if self.vendor == "postgresql" and connection.in_atomic_block:
            # A bulk write's look-ups are index probes that take milliseconds; with the
            # statistics of the tables before the load, the planner priced some above
            # jit_above_cost and compiled them first, for 30-40 ms each.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")

    def allocate_ids(self, model: type[models.Model], n: int) -> list[int]:
        if n == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                # One block of n ids from the sequence. The table lock (it lets readers
                # through, holds other writers of this table until commit) makes sure no
                # other session takes a value between nextval and setval.
                cur.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
                cur.execute("SELECT setval(seq, nextval(seq) + %s - 1) FROM "
                            "(SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) s",
                            [n, table])
                last = cur.fetchone()[0]
                return list(range(last - n + 1, last + 1))
            if table not in self._next_id:
                # The caller already holds SQLite's write lock (it wrote the audit head first),
                # so no other writer can take the same ids between this read and the insert.
                cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
                self._next_id[table] = cur.fetchone()[0] + 1
        start = self._next_id[table]
        self._next_id[table] = start + n
        return list(range(start, start + n))

    def insert(self, model: type[models.Model], columns: Sequence[str],
               rows: Iterable[Sequence[Any]]) -> int:
        fields = [model._meta.get_field(c) for c in columns]
        prep = [_preparer(f, self.vendor) for f in fields]
        names = [f.column for f in fields]
        table = model._meta.db_table
        prepared = [[p(v) if p else v for p, v in zip(prep, row, strict=True)] for row in rows]
        if not prepared:
            return 0
        self.wait()
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cols = ", ".join(f'"{n}"' for n in names)
                with cur.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                cols = ", ".join(f'"{n}"' for n in names)
                marks = ", ".join(["%s"] * len(names))
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',  # noqa: S608
                                prepared)
        return len(prepared)


    def insert_frame(self, model: type[models.Model], frame: pl.DataFrame, *,
                     later: bool = False) -> int:
        """Insert a polars frame whose columns are field names and whose values are already
        what the database stores: JSON as text, datetimes as the backend's text, booleans,
        numbers and strings as they are (null is NULL). PostgreSQL gets the whole frame as
        one CSV COPY, written by polars (with `later`, queued: see the class); SQLite gets
        executemany over the frame's rows, at once."""
        if frame.height == 0:
            return 0
        fields = [model._meta.get_field(c) for c in frame.columns]
        cols = ", ".join(f'"{f.column}"' for f in fields)
        table = model._meta.db_table
        if self.vendor == "postgresql":
            sql = f'COPY "{table}" ({cols}) FROM STDIN WITH (FORMAT csv)'
            if later:
                self._queue(sql, frame)
            else:
                self.wait()
                _copy_frame(connection.connection, sql, frame)
            return frame.height
        marks = ", ".join(["%s"] * len(fields))
        with connection.cursor() as cur:
            cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',  # noqa: S608
                            frame.iter_rows())
        return frame.height

    def _queue(self, sql: str, frame: pl.DataFrame) -> None:
        self._start()
        self._remember(self._pool.submit(_copy_frame, connection.connection, sql, frame))

    def _start(self) -> None:
        if self.vendor != "postgresql":
            raise RuntimeError("only PostgreSQL connections are handed to the writer's thread")
        if self._pool is None:
            connection.ensure_connection()
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
            self._wrapper = connection.execute_wrapper(self._wait_first)
            self._wrapper.__enter__()

    def _remember(self, future: Future[T]) -> Future[T]:
        # (the connection object was taken by the caller, in the thread Django gave it to)
        self._queued.append(future)
        return future

    def query_later(self, sql: str, params: Sequence[Any]) -> Future[list[tuple[Any, ...]]]:
        """Run a query in the writer's thread (PostgreSQL; see the class) and return its rows
        as a future; the caller must not use the connection until it is done, as for a
        queued COPY (the execute wrapper sees to Django's queries)."""
        self._start()
        return self._remember(self._pool.submit(_fetch, connection.connection, sql, params))

    def _wait_first(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                    context: dict[str, Any]) -> Any:
        self.wait()
        return execute(sql, params, many, context)

    def wait(self) -> None:
        """Return when every queued COPY has been written; raise the first one's error."""
        queued, self._queued = self._queued, []
        error: BaseException | None = None
        for future in queued:  # every one ends before the connection is used again
            try:
                future.result()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                error = error or exc
        if error is not None:
            raise error

    def finish(self) -> None:
        """Let the queued COPYs end and release the thread and the execute wrapper. Call it
        before the transaction ends, whether it fails or not. Their errors are not raised
        here: the way that succeeds calls wait() first, the way that fails has its own."""
        for future in self._queued:
            future.exception()  # waits; the error, if any, was (or will be) someone else's
        self._queued = []
        if self._pool is not None:
            self._pool.shutdown()
            self._wrapper.__exit__(None, None, None)
            self._pool = self._wrapper = None

    @staticmethod
    def db_value(model: type[models.Model], name: str, value: Any) -> Any:
        """A value as the backend stores it (a datetime's text, say), for a literal column
        of insert_frame."""
        value = model._meta.get_field(name).get_db_prep_save(value, connection)
        return str(value) if value is not None and not isinstance(value, (int, float, str)) \
            else value


COPY_ROWS = 100_000


def _fetch(raw: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with raw.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _copy_frame(raw: Any, sql: str, frame: pl.DataFrame) -> None:
    """COPY `frame` as CSV over the psycopg connection `raw`, COPY_ROWS rows at a time."""
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for start in range(0, frame.height, COPY_ROWS):
            copy.write(frame.slice(start, COPY_ROWS).write_csv(include_header=False)
                       .encode("utf-8"))


def _preparer(field: models.Field, vendor: str) -> Callable[[Any], Any] | None:
    """A converter for values the driver cannot take as they are, or None.

    Decimals pass as they are (psycopg takes them; Django registers str() as their SQLite
    adapter). JSON is dumped once per value. Dates and datetimes repeat (a batch shares its
    receipt time, a day's containers their arrival day), so the field's own conversion is
    remembered per value.
    """
    if isinstance(field, models.JSONField):
        if vendor == "postgresql":
            from psycopg.types.json import Jsonb
            return lambda v: None if v is None else Jsonb(v)
        return lambda v: None if v is None else orjson.dumps(v).decode()
    if isinstance(field, models.DateField):  # and DateTimeField, its subclass
        memo: dict[Any, Any] = {}

        def datetime_value(v: Any) -> Any:
            if v is None:
                return None
            if v not in memo:
                memo[v] = field.get_db_prep_save(v, connection)
            return memo[v]
        return datetime_value
    return None


def select_in(sql: str, values: Sequence[Any], chunk: int = 900,
              fixed: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run `sql` (with an `IN ({marks})` for the list) over `values` in chunks; `fixed` are
    the parameters that come before the list, the same in every chunk.

    Raw SQL because the ORM resolves each parameter of a long IN list one by one, which costs
    more than the query itself at intake batch sizes. PostgreSQL gets the list as one array
    parameter (`= ANY(%s)`): one statement to parse and plan per ARRAY_CHUNK values rather
    than one per 900 (SQLite has no arrays, and a limit on parameters).
    """
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and "IN ({marks})" in sql:
            query = sql.replace("IN ({marks})", "= ANY(%s)")
            for start in range(0, len(values), ARRAY_CHUNK):
                cur.execute(query, [*fixed, list(values[start:start + ARRAY_CHUNK])])
                out.extend(cur.fetchall())
            return out
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            cur.execute(sql.format(marks=", ".join(["%s"] * len(part))), [*fixed, *part])
            out.extend(cur.fetchall())
    return out


ARRAY_CHUNK = 50_000


def in_chunks(values: Sequence[T], size: int = 10_000) -> list[Sequence[T]]:
    """`values` (ids, numbers) in lists short enough for one ORM `__in` each: SQLite refuses
    a statement with more parameters than it was built for (32,766 by default), and a wide
    scoring window of a busy port holds more containers than that."""
    return [values[i:i + size] for i in range(0, len(values), size)]


def select_probing(columns: str, table: str, column: str, values: Sequence[Any], *,
                   where: str = "", params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """`SELECT columns FROM table t WHERE t.column IN values [AND where]` (`columns` and
    `where` name the table's columns as t.x; `params` are where's), as one probe of the
    column's index per value on both backends.

    PostgreSQL plans `IN (...)` and `= ANY(...)` with the statistics it has, and during a
    large load those describe the table as it was before. It took a batch's hundred-odd
    voyages for most of the container table and scanned all of it, batch after batch
    (30-90 ms per query at a million lines, growing with the table), and read all of a
    unit's parties to find 400 keys (20 ms at 90,000 parties). The lateral probes of
    probe_query keep to the index. SQLite's planner probes by itself."""
    if not values:
        return []
    if connection.vendor != "postgresql":
        return select_in(f'SELECT {columns} FROM "{table}" t '  # noqa: S608
                         f'WHERE {where + " AND " if where else ""}t."{column}" IN ({{marks}})',
                         list(values), fixed=params)
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        for start in range(0, len(values), ARRAY_CHUNK):
            cur.execute(*probe_query(columns, table, column, values[start:start + ARRAY_CHUNK],
                                     where=where, params=params))
            out.extend(cur.fetchall())
    return out


def probe_query(columns: str, table: str, column: str, values: Sequence[Any], *,
                where: str = "", params: Sequence[Any] = ()) -> tuple[str, list[Any]]:
    """PostgreSQL: the statement and parameters of select_probing for all of `values` at
    once. Integers go as one bigint array; texts (which must hold no comma: hex keys,
    container numbers) as one comma-separated text, which the driver passes as it is where
    it would quote an array's items one by one, at more cost than the look-up. OFFSET 0
    keeps the subquery a probe per value rather than a join the planner may choose."""
    text = isinstance(values[0], str)
    keys = "unnest(string_to_array(%s, ','))" if text else "unnest(%s::bigint[])"
    sql = (f"SELECT {columns} FROM {keys} AS k(v) CROSS JOIN LATERAL "  # noqa: S608
           f'(SELECT * FROM "{table}" t WHERE t."{column}" = k.v'
           f'{" AND " + where if where else ""} OFFSET 0) t')
    return sql, [",".join(values) if text else list(values), *params]


def select_pairs(columns: str, table: str, keys: tuple[str, str],
                 pairs: Sequence[tuple[int, str]], chunk: int = 450) -> list[tuple[Any, ...]]:
    """`SELECT columns FROM table t` for the rows whose (keys[0], keys[1]) is one of `pairs`
    (an integer and a text, such as a voyage and a B/L number); `columns` name t's columns
    as t.x.

    One index probe per pair, whatever the table's size. Asking for everything on a batch's
    voyages instead fetched every bill already stored for them, batch after batch, and
    SQLite scans the whole table for `(a, b) IN (VALUES ...)`; a join with the pairs as a
    table is probed on both backends (PostgreSQL: two arrays unnested, in one statement).
    """
    a, b = keys
    out: list[tuple[Any, ...]] = []
    if not pairs:
        return out
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for start in range(0, len(pairs), ARRAY_CHUNK):
                part = pairs[start:start + ARRAY_CHUNK]
                cur.execute(f"SELECT {columns} FROM unnest(%s::bigint[], %s::text[]) "  # noqa: S608
                            f'AS k(a, b) JOIN "{table}" t ON t."{a}" = k.a AND t."{b}" = k.b',
                            [[p[0] for p in part], [p[1] for p in part]])
                out.extend(cur.fetchall())
            return out
        for start in range(0, len(pairs), chunk):
            part = pairs[start:start + chunk]
            marks = ", ".join(["(%s, %s)"] * len(part))
            cur.execute(f"SELECT {columns} FROM (VALUES {marks}) AS k "  # noqa: S608
                        f'JOIN "{table}" t ON t."{a}" = k.column1 AND t."{b}" = k.column2',
                        [v for p in part for v in p])
            out.extend(cur.fetchall())
    return out


def refresh_statistics(tables_of: Sequence[type[models.Model]]) -> None:
    """Fresh planner statistics for the tables of `tables_of`, after a load that changed them
    much.

    Scoring reads the new lines right after an intake job. With the statistics of the tables
    before the load, PostgreSQL planned nested loops for a join of hundreds of thousands of
    rows (autovacuum analyses them, but later), and SQLite, which has none until ANALYZE runs,
    walked every goods item of the installation to find a few days' arrivals: three times
    slower. SQLite samples (analysis_limit), so the cost does not grow with the database."""
    tables = [m._meta.db_table for m in tables_of]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE " + ", ".join(f'"{t}"' for t in tables))
        elif connection.vendor == "sqlite":
            cur.execute("PRAGMA analysis_limit = 1000")
            for table in tables:
                cur.execute(f'ANALYZE "{table}"')


def db_datetime(value: Any) -> datetime | None:
    """A datetime read by raw SQL, aware (UTC): PostgreSQL gives an aware datetime, SQLite a
    naive one in UTC (Django's connection converts declared datetime columns) or text."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
