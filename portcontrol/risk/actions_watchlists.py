"""Watchlists from the upload page: read the bytes defensively (encoding, format, line length),
report every rejected row with its line and reason, keep the valid ones, and store them through
`store_watchlist` (audited). Deleting a list is audited too.

A file that is not UTF-8, is UTF-16, has a line too long to be a watchlist row, a NUL
character, or no valid row at all is refused with a message, and the unit's current list stays
as it was. The command line (`portcontrol import_watchlist`, do_import_watchlist) reads its file
through the same checks: a file an operator chose is no safer than an upload.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portcontrol.accounts.models import Role, Unit, User
from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.audit.log import record as audit
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.engine.watchlist import LoadIssue, LoadResult, WatchlistInputError
from portcontrol.engine.watchlist.ftm import parse_ftm_lines
from portcontrol.engine.watchlist.loaders import is_ftm, parse_watchlist_csv

from .models import Watchlist
from .watchlists import store_watchlist

# A CSV row id,name,kind,country,aliases with fifty long aliases stays under 10,000 characters;
# a FollowTheMoney entity line can be much longer (many properties), but not a megabyte.
MAX_LINE_CHARS = {"csv": 10_000, "ftm": 1_000_000}
# The report a page shows; the count of rejected rows is always complete.
MAX_REPORTED_ISSUES = 200


@dataclass
class ImportReport:
    """What an upload did: rows accepted and rejected (line, field, reason), and the list."""

    name: str
    source_file: str
    format: str  # "csv" or "ftm"
    accepted: int
    rejected: int
    skipped: int  # FtM entities that name no party (sanctions, relations), left out on purpose
    issues: list[dict[str, Any]] = field(default_factory=list)
    watchlist_id: int | None = None  # None: nothing was stored
    replaced: int | None = None  # entries the list had before, None when it is new

    @property
    def stored(self) -> bool:
        return self.watchlist_id is not None

    @property
    def issues_not_shown(self) -> int:
        return self.rejected - len(self.issues)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def can_manage_watchlists(user: User) -> bool:
    return user.has_role(Role.ANALYST, Role.SUPERVISOR)


def _require(user: User, unit: Unit) -> None:
    if not can_manage_watchlists(user) or unit.pk not in visible_unit_ids(user):
        raise PermissionDenied(
            _("Your role does not allow changing the watchlists of this unit."))


def decode_upload(data: bytes) -> str:
    """The bytes as text; UTF-8 (with or without BOM) is the one encoding accepted."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidValue(_("The file is UTF-16 text. Save it as UTF-8 and upload it again."),
                           field="file", code="encoding")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidValue(_(
            "The file is not UTF-8 text: line %(line)s has a byte UTF-8 does not allow "
            "(at byte %(offset)s). Save it as UTF-8 and upload it again.") % {
                "line": data.count(b"\n", 0, exc.start) + 1, "offset": exc.start},
            field="file", code="encoding") from None


LINE_ENDS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _line_problem(body: str, fmt: str) -> str | None:
    """Why a line cannot be a watchlist row whatever its columns say, or None."""
    limit = MAX_LINE_CHARS[fmt]
    if len(body) > limit:
        return _("the line is %(length)s characters long; a watchlist line may have at most "
                 "%(limit)s") % {"length": len(body), "limit": limit}
    # The databases store no NUL character; FtM can also write one as an escape.
    if "\x00" in body or (fmt == "ftm" and "\\u0000" in body):
        return _("the line contains a NUL character")
    if fmt == "ftm" and "\\ud" in body.lower() and not _encodable(body):
        return _("the line has a broken Unicode escape (half of a surrogate pair)")
    return None


def _encodable(line: str) -> bool:
    try:
        json.dumps(json.loads(line), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except ValueError:
        return True  # not JSON: the reader reports it
    return True


def _blank_bad_lines(text: str, fmt: str, source: str) -> tuple[str, list[LoadIssue]]:
    """Replace every line that cannot be a row (see `_line_problem`) by an empty line, so the
    numbering of the others does not change, and report it; the readers skip empty lines."""
    # Split the way each reader counts lines: the csv module on \n, \r and \r\n; FtM by
    # str.splitlines.
    lines = text.splitlines(keepends=True) if fmt == "ftm" else \
        io.StringIO(text, newline="").readlines()
    if lines and "\x00" in lines[0]:
        raise InvalidValue(_("The file contains NUL characters: it is a binary file or UTF-16 "
                             "text. Save it as UTF-8 text and upload it again."),
                           field="file", code="encoding")
    issues = []
    for n, line in enumerate(lines):
        body = line.rstrip(LINE_ENDS)
        problem = _line_problem(body, fmt)
        if problem:
            issues.append(LoadIssue(source, n + 1, "row", problem))
            lines[n] = line[len(body):]
    return ("".join(lines), issues) if issues else (text, [])


def read_upload(filename: str, data: bytes) -> tuple[LoadResult, str]:
    """Entries and rejected rows of an uploaded watchlist, and its format ("csv" or "ftm")."""
    text = decode_upload(data)
    source = Path(filename).name or "upload"
    fmt = "ftm" if is_ftm(Path(source), text) else "csv"
    offset = 0
    if fmt == "ftm":
        # The FtM reader numbers lines after leading blank lines; count them back in.
        stripped = text.lstrip()
        offset = len((text[:len(text) - len(stripped)] + "x").splitlines()) - 1
        text = stripped
    text, bad_lines = _blank_bad_lines(text, fmt, source)
    try:
        if fmt == "ftm":
            loaded = LoadResult()
            loaded.skipped = parse_ftm_lines(text, source, loaded.entries, loaded.issues)
        else:
            loaded = parse_watchlist_csv(text, source)
    except WatchlistInputError as exc:
        raise InvalidValue(_("The file cannot be used: %(reason)s") % {"reason": exc},
                           field="file", code="format") from None
    issues = sorted(bad_lines + loaded.issues, key=lambda i: i.line)
    loaded.issues = [dataclasses.replace(i, line=i.line + offset) for i in issues]
    return loaded, fmt


def _shorten(message: str, limit: int = 300) -> str:
    # A reason quotes the bad value, which may be most of a 10,000-character line.
    return message if len(message) <= limit else message[:limit - 1] + "…"


def _list_name(name: str) -> str:
    """The name as stored: spaces collapsed, at most 120 characters; an empty one refused."""
    name = " ".join(name.split())[:120]
    if not name:
        raise InvalidValue(_("Give the list a name."), field="name")
    return name


def do_upload_watchlist(*, acting_user: User, unit: Unit, name: str, filename: str,
                        data: bytes) -> ImportReport:
    """Create the unit's list `name`, or replace its entries, with the file's valid rows.

    A file without a single valid row stores nothing, so a wrong file never empties a list;
    the report then says why each row was refused."""
    _require(acting_user, unit)
    name = _list_name(name)
    loaded, fmt = read_upload(filename, data)
    report = ImportReport(
        name=name, source_file=Path(filename).name[:200], format=fmt,
        accepted=len(loaded.entries), rejected=len(loaded.issues), skipped=loaded.skipped,
        issues=[{"line": i.line, "field": i.field, "message": _shorten(i.message)}
                for i in loaded.issues[:MAX_REPORTED_ISSUES]])
    if not loaded.entries:
        return report
    watchlist, before = store_watchlist(loaded=loaded, unit=unit, name=name,
                                        source_file=report.source_file,
                                        acting_user=acting_user)
    report.watchlist_id, report.replaced = watchlist.pk, before
    return report


def do_import_watchlist(*, path: Path, unit: Unit, name: str, acting_user: Any,
                        ) -> tuple[Watchlist | None, list[str]]:
    """The command line's import (the operator's choice of unit: no role check): replace the
    unit's list `name` with the file's valid rows, read as an upload is read. Returns the list,
    or None when the file has no valid row (nothing is stored then), and one message per
    rejected row."""
    name = _list_name(name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidValue(f"{path}: {exc.strerror}", field="file") from None
    loaded, _fmt = read_upload(path.name, data)
    issues = [str(i) for i in loaded.issues]
    if not loaded.entries:
        return None, issues
    watchlist, _before = store_watchlist(loaded=loaded, unit=unit, name=name,
                                         source_file=path.name[:200], acting_user=acting_user)
    return watchlist, issues


def do_delete_watchlist(*, acting_user: User, watchlist: Watchlist) -> None:
    """Delete a list and its entries; its containers are no longer screened against it."""
    _require(acting_user, watchlist.unit)
    with transaction.atomic():
        pk, unit_id = watchlist.pk, watchlist.unit_id
        before = {"name": watchlist.name, "entries": watchlist.entries_count,
                  "file": watchlist.source_file}
        watchlist.delete()
        audit(actor=acting_user, action="watchlist.delete", object_type="watchlist",
              object_id=pk, unit_id=unit_id, before=before, after=None)
