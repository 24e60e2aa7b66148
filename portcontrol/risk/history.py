"""What a process keeps of a unit's past, a calendar week at a time, and reads again only
where it changed: the History (the engine's summary of the year before the first day
scored) for scoring runs, and the lines of the last days for backtests.

The days are cut into calendar weeks (Monday to Sunday; the first and last clipped to the
period), and what is kept of a week is kept under a stamp of what it was made from: how
many containers arrived in that week, the last id of their places on the bills and the
latest receipt of the bills (a new or amended bill adds places), and how many of the
containers have an outcome and how many a find. A run reads only the weeks whose stamp is
new: the next day, the two clipped weeks at the ends of the year; after an outcome is
recorded, its week. The year's History is made of the weeks' parts (engine.features.
History.from_parts: exactly the History of all their lines) and kept too, until a stamp or
the day changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import polars as pl
from django.db.models import Count, IntegerField, Max, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from portcontrol.accounts.models import Unit
from portcontrol.core.kept import MISSING, Kept
from portcontrol.engine.features import History, HistoryPart
from portcontrol.manifests.models import ConsignmentContainer

from .frames import arriving, lines_for_units, no_lines

HISTORY_DAYS = 365
KEPT_UNITS = 8  # as many as watchlist indexes: one per unit the task worker scores
Week = tuple[date, date]  # first and last day, both inclusive
Stamp = tuple[Any, ...]

_HISTORIES: Kept[History] = Kept(KEPT_UNITS)
_PARTS: Kept[HistoryPart] = Kept(KEPT_UNITS * (HISTORY_DAYS // 7 + 2))
# Weeks of lines kept for backtests: 90 days (the usual backtest) of two units. A week of a
# busy port's lines is tens of megabytes; a longer backtest reads the rest each time.
_LINES: Kept[pl.DataFrame] = Kept(2 * 14)
T = TypeVar("T")


def history_for(unit: Unit, before: date) -> History:
    """The summary of the unit's year before `before`: the days from `before` - 365 to the
    day before `before`."""
    since, until = before - timedelta(days=HISTORY_DAYS), before - timedelta(days=1)
    weeks = weeks_of(since, until)
    stamps = _stamps(unit, since, until)
    whole = (unit.pk, before, tuple(stamps.get(first) for first, _ in weeks))
    kept = _HISTORIES.get(whole)
    if kept is not MISSING:
        return kept  # type: ignore[return-value]
    parts = _weekly(unit, weeks, stamps, _PARTS, _part, HistoryPart)
    return _HISTORIES.put(whole, History.from_parts(parts))


def lines_kept(unit: Unit, since: date, until: date) -> pl.DataFrame:
    """The unit's container lines arriving from `since` to `until`, as
    frames.lines_for_units reads them, kept by the process a week at a time under the weeks'
    stamps: an analyst backtests draft after draft over the same days, and reading those
    days was nearly all of each backtest. Only weeks that changed are read again."""
    weeks = weeks_of(since, until)
    frames = _weekly(unit, weeks, _stamps(unit, since, until), _LINES, _same, no_lines)
    return pl.concat(frames).sort("container_id") if frames else no_lines()


def _part(lines: pl.DataFrame) -> HistoryPart:
    labels = lines.filter(pl.col("seizure")).select("container_number", "voyage_id", "seizure")
    return HistoryPart.from_frame(lines, labels=labels if labels.height else None)


def _same(lines: pl.DataFrame) -> pl.DataFrame:
    return lines


def _weekly(unit: Unit, weeks: list[Week], stamps: dict[date, Stamp], kept: Kept[T],
            make: Callable[[pl.DataFrame], T], nothing: Callable[[], T]) -> list[T]:
    """Per week, in order, what `make` makes of its lines, kept under the week's stamp. Weeks
    kept are not read, nor weeks without containers (`nothing()`); the others are read in
    runs of consecutive weeks, one read each."""
    made: dict[date, T] = {}
    missing: list[Week] = []
    for week in weeks:
        stamp = stamps.get(week[0])
        got = nothing() if stamp is None else kept.get((unit.pk, *week, stamp))
        if got is MISSING:
            missing.append(week)
        else:
            made[week[0]] = got  # type: ignore[assignment]
    for run in _runs(missing):
        first, last = run[0][0], run[-1][1]
        lines = lines_for_units([unit.pk], since=first, until=last)
        # a voyage's lines are placed on its arrival day; one calling twice may have it outside
        day = pl.col("arrival_date").clip(first, last)
        for week in run:
            key = (unit.pk, *week, stamps.get(week[0]))
            made[week[0]] = kept.put(key, make(lines.filter(day.is_between(*week))))
    return [made[first] for first, _ in weeks]


def weeks_of(since: date, until: date) -> list[Week]:
    """The calendar weeks from `since` to `until`, the first and last clipped to them."""
    weeks, first = [], since
    while first <= until:
        last = min(first + timedelta(days=6 - first.weekday()), until)
        weeks.append((first, last))
        first = last + timedelta(days=1)
    return weeks


def _stamps(unit: Unit, since: date, until: date) -> dict[date, Stamp]:
    """Each week's stamp, by the week's first day in the year (weeks without containers
    have none). One query over the containers' places on their bills, grouped by port call
    (a year has some thousands of calls): empties have no goods lines, and a bill's goods
    never change without its places (an amendment replaces both, with new ids)."""
    found = Cast("container__outcome__seizure", IntegerField())
    rows = (ConsignmentContainer.objects.filter(arriving(since, until),
                                                consignment__unit_id=unit.pk)
            .values_list("consignment__voyage__port_calls__eta").order_by()
            .annotate(boxes=Count("id"), last=Max("id"),
                      received=Max("consignment__received_at"),
                      outcomes=Count("container__outcome"), finds=Sum(found)))
    weeks: dict[date, list[Any]] = defaultdict(lambda: [0, 0, None, 0, 0])
    for eta, *values in rows:
        stamp = weeks[max(_monday(_day(eta)), since)]
        for i in (0, 3, 4):  # counts add up
            stamp[i] += values[i] or 0
        for i in (1, 2):  # the latest id and receipt
            stamp[i] = max((v for v in (stamp[i], values[i]) if v is not None), default=None)
    return {first: tuple(stamp) for first, stamp in weeks.items()}


def _day(eta: datetime) -> date:
    """The port call's day in the current time zone, as arriving() counts it."""
    return timezone.localtime(eta).date()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _runs(weeks: list[Week]) -> list[list[Week]]:
    """Weeks that follow each other, together: one read each."""
    runs: list[list[Week]] = []
    for week in weeks:
        if runs and runs[-1][-1][1] + timedelta(days=1) == week[0]:
            runs[-1].append(week)
        else:
            runs.append([week])
    return runs


def forget() -> None:
    """Drop what the process keeps (tests start from nothing)."""
    _HISTORIES.clear()
    _PARTS.clear()
    _LINES.clear()
