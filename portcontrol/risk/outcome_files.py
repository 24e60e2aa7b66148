"""Read a file of past inspection outcomes: the history a unit brings from its spreadsheets.

A unit that starts with PortControl has years of inspections on paper or in spreadsheets; the
learned model, the backtests and the hit-rate report can only use them once they are recorded
against the containers PortControl holds. This module reads such a file (pure: text in, rows
and problems out); risk.actions_outcomes finds each row's container and stores it.

The file is CSV (comma, semicolon or tab) with a header naming its columns, in any order:

    container_number   required: the box inspected (spaces and dashes are ignored)
    result             required: found / nothing (also yes/no, true/false, 1/0, найдено/ничего)
    voyage_id          the voyage it arrived on, as on the manifest
    inspected_on       the day of the inspection, YYYY-MM-DD or DD.MM.YYYY
    kind               what was found (cocaine, precursors, counterfeits ...), at most 40
                       characters; empty when nothing was found

A container that arrived more than once needs voyage_id or inspected_on to say which arrival
was inspected. A bad row is reported with its line, column and reason; the other rows stand.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from portcontrol.core.containers import normalize_container_number
from portcontrol.core.errors import InvalidValue
from portcontrol.core.spreadsheet import FORMULA_STARTS

REQUIRED = ("container_number", "result")
OPTIONAL = ("voyage_id", "inspected_on", "kind")
KIND_MAX = 40  # Outcome.kind
VOYAGE_MAX = 64
FOUND = frozenset({"found", "seized", "seizure", "yes", "y", "true", "1", "найдено", "да"})
NOTHING = frozenset({"nothing", "nothing found", "clear", "no", "n", "false", "0", "ничего",
                     "ничего не найдено", "нет"})
_NUMBER = re.compile(r"^[A-Z]{4}[0-9]{7}$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass(frozen=True)
class OutcomeRow:
    line: int
    container_number: str
    seizure: bool
    kind: str = ""
    voyage_id: str = ""
    inspected_on: date | None = None


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)s, %(field)s: %(message)s") % {
            "line": self.line, "field": self.field, "message": self.message}


@dataclass
class OutcomeFile:
    rows: list[OutcomeRow]
    problems: list[RowProblem]
    ignored_columns: list[str]


def read_outcomes(text: str, *, today: date) -> OutcomeFile:
    """Every row of `text` as an OutcomeRow or a RowProblem (never both, never neither; blank
    lines are neither). A header without the required columns refuses the whole file."""
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise InvalidValue(_("The file is empty: it needs a header line naming the columns "
                             "container_number and result."), field="file", code="empty")
    delimiter = _delimiter(lines[header_at])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(r for r in reader if any(c.strip() for c in r))
    except csv.Error as exc:
        raise InvalidValue(_("The header line cannot be read as CSV: %(error)s")
                           % {"error": exc}, field="file", code="format") from None
    names = [_column(c) for c in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InvalidValue(_(
            "The header names no column %(missing)s (it has: %(found)s). The columns are "
            "container_number and result, and optionally voyage_id, inspected_on and kind.")
            % {"missing": ", ".join(missing), "found": ", ".join(h for h in names if h) or "-"},
            field="file", code="columns")
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise InvalidValue(_("The header names column %(columns)s more than once.")
                           % {"columns": ", ".join(repeated)}, field="file", code="columns")
    at = {name: i for i, name in enumerate(names) if name in REQUIRED + OPTIONAL}
    out = OutcomeFile([], [], [h for h in names if h and h not in at])
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # the csv module cannot go on after a broken quote: the rest is reported as one
            out.problems.append(RowProblem(reader.line_num, "file", _(
                "the line cannot be read as CSV (%(error)s); it and the lines after it were "
                "not read") % {"error": exc}))
            break
        if not any(c.strip() for c in cells):
            continue
        line = reader.line_num
        if len(cells) != len(names):
            out.problems.append(RowProblem(line, "line", _(
                "the line has %(found)s fields; the header has %(expected)s")
                % {"found": len(cells), "expected": len(names)}))
            continue
        row = {name: cells[i].strip() for name, i in at.items()}
        parsed = _row(line, row, today)
        (out.rows if isinstance(parsed, OutcomeRow) else out.problems).append(parsed)
    return out


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _column(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def _row(line: int, row: dict[str, str], today: date) -> OutcomeRow | RowProblem:
    for name, value in row.items():
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            return RowProblem(line, name, _("the value holds a control character"))
    number = normalize_container_number(row["container_number"])
    if not number:
        return RowProblem(line, "container_number", _("the container number is empty"))
    if not _NUMBER.match(number):
        return RowProblem(line, "container_number", _(
            "%(value)r is not a container number (four letters and seven digits, such as "
            "MSCU1234565)") % {"value": row["container_number"][:40]})
    result = row["result"].strip().lower()
    if result in FOUND:
        seizure = True
    elif result in NOTHING:
        seizure = False
    else:
        return RowProblem(line, "result", _(
            "%(value)r is not a result: write found or nothing") % {"value": row["result"][:40]})
    kind = row.get("kind", "")
    if len(kind) > KIND_MAX:
        return RowProblem(line, "kind", _("the kind is %(length)s characters long; at most "
                                          "%(limit)s") % {"length": len(kind), "limit": KIND_MAX})
    if kind[:1] in FORMULA_STARTS:
        return RowProblem(line, "kind", _(
            "the kind starts with %(char)r, which a spreadsheet would run as a formula when "
            "the history is exported") % {"char": kind[0]})
    if kind and not seizure:
        return RowProblem(line, "kind", _(
            "the result says nothing was found, but the kind says %(kind)r") % {"kind": kind})
    voyage = row.get("voyage_id", "")
    if len(voyage) > VOYAGE_MAX:
        return RowProblem(line, "voyage_id", _("the voyage is %(length)s characters long; at "
                                               "most %(limit)s")
                          % {"length": len(voyage), "limit": VOYAGE_MAX})
    day = None
    if row.get("inspected_on"):
        day = _date(row["inspected_on"])
        if day is None:
            return RowProblem(line, "inspected_on", _(
                "%(value)r is not a date: write YYYY-MM-DD or DD.MM.YYYY")
                % {"value": row["inspected_on"][:40]})
        if day > today:
            return RowProblem(line, "inspected_on", _(
                "%(day)s is in the future") % {"day": day.isoformat()})
    return OutcomeRow(line, number, seizure, kind, voyage, day)


def _date(text: str) -> date | None:
    dotted = _DOTTED.match(text)
    try:
        if dotted:
            return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
