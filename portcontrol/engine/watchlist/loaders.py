"""Read watchlists (CSV or FollowTheMoney JSON lines) and lists of names to screen (CSV).

A bad row is reported as a LoadIssue naming its line and field, and the valid rows still load;
only a file that cannot be used at all (unreadable, not UTF-8, missing columns) raises
WatchlistInputError.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .entries import Report, build_entry
from .ftm import parse_ftm_lines
from .identifiers import validate_container, validate_imo
from .model import (
    KIND_ALIASES,
    LoadIssue,
    Party,
    WatchlistEntry,
    WatchlistInputError,
)

_COUNTRY = re.compile(r"^[A-Z]{2}$")
WATCHLIST_COLUMNS = ("id", "name", "kind", "country", "aliases")
NAMES_COLUMNS = ("id", "name", "country")
FTM_SUFFIXES = (".json", ".jsonl", ".ndjson", ".ftm")


@dataclass
class LoadResult:
    entries: list[WatchlistEntry] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    skipped: int = 0  # rows of other kinds (FtM sanctions, relations...) left out on purpose


def read_text(path: Path) -> str:
    """The file as text; UTF-8 (with or without BOM) is the one encoding accepted."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WatchlistInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WatchlistInputError(
            f"{path} is not UTF-8 text (bad byte at offset {exc.start}); "
            "save it as UTF-8 CSV") from None


def is_ftm(path: Path, text: str) -> bool:
    """FtM by extension, else by content: JSON starts with { or [, CSV never does."""
    if path.suffix.lower() in FTM_SUFFIXES:
        return True
    if path.suffix.lower() == ".csv":
        return False
    return text.lstrip()[:1] in ("{", "[")


def read_watchlist(path: Path) -> LoadResult:
    """Read a watchlist file in either format."""
    text = read_text(path)
    if is_ftm(path, text):
        result = LoadResult()
        result.skipped = parse_ftm_lines(text, path.name, result.entries, result.issues)
        return result
    return parse_watchlist_csv(text, path.name)


Row = dict[str, str]


def _rows(text: str, source: str, required: tuple[str, ...]) -> Iterator[tuple[int, Row, bool]]:
    """(line number, row, has_extra_values) for each non-blank record; checks the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise WatchlistInputError(f"{source} is empty; expected a header {','.join(required)}") \
            from None
    except csv.Error as exc:
        raise WatchlistInputError(f"{source} line 1: not readable as CSV ({exc})") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise WatchlistInputError(
            f"{source} line 1: missing column(s) {', '.join(missing)}; "
            f"expected {','.join(required)}")
    line = reader.line_num
    while True:
        start = line + 1  # a quoted value may span lines: report where the record starts
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise WatchlistInputError(f"{source} line {start}: not readable as CSV ({exc})") \
                from None
        line = reader.line_num
        if any(v.strip() for v in values):
            row = dict(zip(header, (v.strip() for v in values), strict=False))
            yield start, row, len(values) > len(header)


EXTRA_VALUES = "more values than header columns (an unquoted comma?)"


def parse_countries(value: str) -> tuple[list[str], str | None]:
    """ISO 3166 alpha-2 codes separated by ';' — or the reason they are not."""
    raw = [c.strip() for c in value.split(";") if c.strip()]
    bad = [c for c in raw if not _COUNTRY.match(c.upper())]
    if bad:
        return [], f"{bad[0]!r} is not a two-letter ISO 3166 country code"
    return sorted({c.upper() for c in raw}), None


def parse_watchlist_csv(text: str, source: str) -> LoadResult:
    """Columns id,name,kind,country,aliases (aliases separated by ';')."""
    result = LoadResult()
    first_line: dict[str, int] = {}
    for line, row, extra in _rows(text, source, WATCHLIST_COLUMNS[:3]):

        def report(column: str, message: str, line: int = line) -> None:
            result.issues.append(LoadIssue(source, line, column, message))

        if extra:
            report("row", EXTRA_VALUES)
            continue
        entry = _watchlist_row(row, report, first_line)
        if entry is not None:
            first_line[entry.id] = line
            result.entries.append(entry)
    return result


def _watchlist_row(row: Row, report: Report, first_line: dict[str, int]) -> WatchlistEntry | None:
    entry_id, name = row.get("id", ""), row.get("name", "")
    kind = KIND_ALIASES.get(row.get("kind", "").lower().replace(" ", ""))
    countries, country_error = parse_countries(row.get("country", ""))
    aliases = [a.strip() for a in row.get("aliases", "").split(";") if a.strip()]
    if not entry_id:
        report("id", "is empty")
    elif entry_id in first_line:
        report("id", f"{entry_id!r} is already used on line {first_line[entry_id]}")
    elif not name:
        report("name", "is empty")
    elif kind is None:
        report("kind", f"unknown kind {row.get('kind', '')!r}; "
                       "use company, person, vessel, container or address")
    elif country_error:
        report("country", country_error)
    else:
        return build_entry(entry_id, kind, [name, *aliases], countries, report)
    return None


def read_names(path: Path) -> tuple[list[Party], list[LoadIssue]]:
    """The parties to screen: columns id,name,country (optional imo, container)."""
    return parse_names_csv(read_text(path), path.name)


def parse_names_csv(text: str, source: str) -> tuple[list[Party], list[LoadIssue]]:
    parties: list[Party] = []
    issues: list[LoadIssue] = []
    for line, row, extra in _rows(text, source, ("id", "name")):
        problem = EXTRA_VALUES if extra else None
        party, column, message = (None, "row", problem) if problem else _party(row)
        if party is None:
            issues.append(LoadIssue(source, line, column, message or ""))
        else:
            parties.append(party)
    return parties, issues


def _party(row: Row) -> tuple[Party | None, str, str]:
    """The party of one names row, or (None, field, message)."""
    countries, country_error = parse_countries(row.get("country", ""))
    imo, container = row.get("imo") or None, row.get("container") or None
    if not row.get("id"):
        return None, "id", "is empty"
    if not (row.get("name") or imo or container):
        return None, "name", "is empty"
    if country_error or len(countries) > 1:
        return None, "country", country_error or "give one country per name"
    for column, value, check in (("imo", imo, validate_imo),
                                 ("container", container, validate_container)):
        try:
            if value:
                check(value)
        except ValueError as exc:
            return None, column, str(exc)
    imo = validate_imo(imo) if imo else None
    container = validate_container(container) if container else None
    return Party(id=row["id"], name=row.get("name", ""),
                 country=countries[0] if countries else None,
                 imo_number=imo, container_number=container), "", ""
