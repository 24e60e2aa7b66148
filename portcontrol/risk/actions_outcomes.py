"""Record a unit's past inspection outcomes from a file (risk.outcome_files reads it).

Each row is matched to one arrival of its container at the unit: the voyage named, or the
arrival in the ARRIVAL_WINDOW_DAYS before the inspection day, or the only one there is. A row
that matches none, or more than one without saying which, is reported and left out; the
valid rows are stored together with one audit record, which keeps what every changed outcome
said before. Importing the same file again changes nothing.

Only the unit's own containers can be matched: a row naming another unit's container reads
as a container that never arrived here, whatever the file says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portcontrol.accounts.models import Role, Unit, User
from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.audit.log import record as audit
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.manifests.models import Container
from portcontrol.manifests.rawsql import in_chunks

from .actions_watchlists import decode_upload
from .frames import port_call_etas
from .models import Outcome
from .outcome_files import OutcomeRow, RowProblem, read_outcomes

ARRIVAL_WINDOW_DAYS = 60  # an inspection this many days after the arrival at most
EARLY_DAYS = 2  # a port call's ETA may be a little later than the ship's real arrival
CHUNK = 500  # values per query, rows per insert
MAX_REPORTED = 200  # problems a page shows; the count is always complete


class Arrival(NamedTuple):
    container_id: int
    voyage: str
    day: date | None


@dataclass
class OutcomeImport:
    """What an import did. rows = new + updated + unchanged + rejected."""

    source_file: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    finds: int = 0  # rows stored (new or updated) that record a find
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {"source_file": self.source_file, "rows": self.rows, "new": self.new,
                "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "finds": self.finds,
                "ignored_columns": self.ignored_columns}


def can_import_outcomes(user: User) -> bool:
    return user.has_role(Role.ANALYST, Role.SUPERVISOR)


def do_upload_outcomes(*, acting_user: User, unit: Unit, filename: str,
                       data: bytes) -> OutcomeImport:
    """The upload page's import: analysts and supervisors of the unit."""
    if not can_import_outcomes(acting_user) or unit.pk not in visible_unit_ids(acting_user):
        raise PermissionDenied(_("Your role does not allow recording the inspection history "
                                 "of this unit."))
    return import_outcomes(decode_upload(data), unit=unit, source=Path(filename).name,
                           acting_user=acting_user)


def do_import_outcomes(*, path: Path, unit: Unit, acting_user: Any) -> OutcomeImport:
    """The command line's import (the operator chose the unit: no role check); the file is
    read as an upload is."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidValue(f"{path}: {exc.strerror}", field="file") from None
    return import_outcomes(decode_upload(data), unit=unit, source=path.name,
                           acting_user=acting_user)


def import_outcomes(text: str, *, unit: Unit, source: str, acting_user: Any) -> OutcomeImport:
    parsed = read_outcomes(text, today=timezone.localdate())
    report = OutcomeImport(source_file=source[:200], ignored_columns=parsed.ignored_columns)
    report.rows = len(parsed.rows) + len(parsed.problems)
    matched, problems = _match(parsed.rows, unit)
    chosen, duplicates = _one_per_container(matched, problems)
    report.unchanged += duplicates
    report.problems = sorted(parsed.problems + problems, key=lambda p: p.line)
    with transaction.atomic():
        existing = {o.container_id: o for ids in in_chunks(sorted(chosen), CHUNK)
                    for o in Outcome.objects.select_for_update().filter(container_id__in=ids)}
        new, changed, before = [], [], {}
        for container_id, row in sorted(chosen.items()):
            old = existing.get(container_id)
            if old is None:
                new.append(Outcome(container_id=container_id, unit=unit, inspected=True,
                                   seizure=row.seizure, kind=row.kind,
                                   inspected_on=row.inspected_on))
                continue
            # a row without a day leaves the day already recorded
            day = row.inspected_on or old.inspected_on
            if (old.inspected, old.seizure, old.kind, old.inspected_on) != (
                    True, row.seizure, row.kind, day):
                before[str(container_id)] = {
                    "inspected": old.inspected, "seizure": old.seizure, "kind": old.kind,
                    "inspected_on": old.inspected_on and old.inspected_on.isoformat()}
                old.inspected, old.seizure, old.kind, old.inspected_on = (
                    True, row.seizure, row.kind, day)
                changed.append(old)
            else:
                report.unchanged += 1
        Outcome.objects.bulk_create(new, batch_size=CHUNK)
        Outcome.objects.bulk_update(changed, ["inspected", "seizure", "kind", "inspected_on"],
                                    batch_size=CHUNK)
        report.new, report.updated = len(new), len(changed)
        report.finds = sum(o.seizure for o in new) + sum(o.seizure for o in changed)
        if new or changed:
            audit(actor=acting_user, action="risk.outcomes_import", object_type="outcomes_file",
                  object_id=report.source_file[:64], unit_id=unit.pk, before=before or None,
                  after=report.as_dict())
    return report


EXPORT_COLUMNS = ("unit", "container_number", "voyage_id", "arrival_date", "inspected_on",
                  "result", "kind", "recorded_at")


def outcome_export_rows(unit_ids: frozenset[int]) -> Iterator[tuple[Any, ...]]:
    """The recorded outcomes of the units, oldest arrival first, in the columns of the import
    file (and a few it does not read: unit, arrival day, when recorded), so that an export
    corrected in a spreadsheet can be imported again."""
    rows = list(Outcome.objects.filter(unit_id__in=unit_ids, inspected=True).values_list(
        "unit__code", "container__number", "container__voyage__voyage_ref",
        "container__voyage_id", "inspected_on", "seizure", "kind", "recorded_at"))
    days = _first_days({r[3] for r in rows})
    for code, number, voyage, voyage_id, inspected_on, seizure, kind, recorded in sorted(
            rows, key=lambda r: (r[0], days.get(r[3]) or date.min, r[1], r[2])):
        day = days.get(voyage_id)
        yield (code, number, voyage, day.isoformat() if day else "",
               inspected_on.isoformat() if inspected_on else "",
               "found" if seizure else "nothing", kind, recorded.isoformat(timespec="seconds"))


def _match(rows: list[OutcomeRow], unit: Unit
           ) -> tuple[list[tuple[OutcomeRow, int]], list[RowProblem]]:
    """Each row with the container it names at this unit, or a problem saying why none."""
    arrivals = _arrivals(unit, sorted({r.container_number for r in rows}))
    matched, problems = [], []
    for row in rows:
        found = _arrival(row, arrivals.get(row.container_number, []), unit)
        if isinstance(found, RowProblem):
            problems.append(found)
        else:
            matched.append((row, found))
    return matched, problems


def _arrival(row: OutcomeRow, arrivals: list[Arrival], unit: Unit) -> int | RowProblem:
    number = row.container_number
    if not arrivals:
        return RowProblem(row.line, "container_number", _(
            "no container %(number)s has arrived at %(unit)s: PortControl holds no manifest "
            "line for it") % {"number": number, "unit": unit.name})
    if row.voyage_id:
        on_voyage = [a for a in arrivals if a.voyage.upper() == row.voyage_id.upper()]
        if not on_voyage:
            return RowProblem(row.line, "voyage_id", _(
                "container %(number)s did not arrive at %(unit)s on voyage %(voyage)s; it "
                "arrived on %(voyages)s") % {"number": number, "unit": unit.name,
                                             "voyage": row.voyage_id,
                                             "voyages": _voyages(arrivals)})
        arrivals = on_voyage
    if row.inspected_on:
        day = row.inspected_on
        window = [a for a in arrivals if a.day is not None and
                  a.day - timedelta(days=EARLY_DAYS) <= day <=
                  a.day + timedelta(days=ARRIVAL_WINDOW_DAYS)]
        if not window:
            return RowProblem(row.line, "inspected_on", _(
                "container %(number)s did not arrive at %(unit)s in the %(days)s days before "
                "%(day)s; it arrived on %(voyages)s") % {
                    "number": number, "unit": unit.name, "days": ARRIVAL_WINDOW_DAYS,
                    "day": day.isoformat(), "voyages": _voyages(arrivals)})
        # the latest arrival before the inspection is the one inspected
        return max(window, key=lambda a: (a.day, a.container_id)).container_id
    if len(arrivals) > 1:
        return RowProblem(row.line, "container_number", _(
            "container %(number)s arrived at %(unit)s %(times)s times (%(voyages)s): give "
            "voyage_id or inspected_on to say which arrival was inspected") % {
                "number": number, "unit": unit.name, "times": len(arrivals),
                "voyages": _voyages(arrivals)})
    return arrivals[0].container_id


def _voyages(arrivals: list[Arrival], shown: int = 5) -> str:
    ordered = sorted(arrivals, key=lambda a: (a.day or date.min, a.voyage))
    texts = [f"{a.voyage} ({a.day.isoformat() if a.day else '?'})" for a in ordered[:shown]]
    more = len(ordered) - shown
    return ", ".join(texts) + (_(" and %(n)s more") % {"n": more} if more > 0 else "")


def _one_per_container(matched: list[tuple[OutcomeRow, int]], problems: list[RowProblem]
                       ) -> tuple[dict[int, OutcomeRow], int]:
    """The first row for each container; a later row saying the same counts as a duplicate,
    one saying otherwise is a problem (which line is right is for a person to decide)."""
    chosen: dict[int, OutcomeRow] = {}
    duplicates = 0
    for row, container_id in matched:
        first = chosen.get(container_id)
        if first is None:
            chosen[container_id] = row
        elif (first.seizure, first.kind) == (row.seizure, row.kind):
            duplicates += 1
        else:
            problems.append(RowProblem(row.line, "result", _(
                "line %(first)s already gives another outcome for this arrival of container "
                "%(number)s") % {"first": first.line, "number": row.container_number}))
    return chosen, duplicates


def _arrivals(unit: Unit, numbers: list[str]) -> dict[str, list[Arrival]]:
    """Every arrival at the unit of each number: container, voyage reference and the day of
    the voyage's port call (the earliest, if it has several)."""
    rows = [r for chunk in in_chunks(numbers, CHUNK)
            for r in Container.objects.filter(unit=unit, number__in=chunk).values_list(
                "id", "number", "voyage_id", "voyage__voyage_ref")]
    days = _first_days({r[2] for r in rows})
    out: dict[str, list[Arrival]] = defaultdict(list)
    for pk, number, voyage_id, ref in rows:
        out[number].append(Arrival(pk, ref, days.get(voyage_id)))
    return out


def _first_days(voyage_ids: set[int]) -> dict[int, date]:
    """Each voyage's day of arrival: its earliest port call, in the current time zone."""
    days: dict[int, date] = {}
    for voyage_id, eta in port_call_etas(sorted(voyage_ids)):
        if eta is None:
            continue
        day = timezone.localdate(eta) if timezone.is_aware(eta) else eta.date()
        days[voyage_id] = min(day, days.get(voyage_id, day))
    return days
