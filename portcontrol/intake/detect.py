"""Which reader a file needs, decided by its content, not its name."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .edifact import sniff
from .findings import IntakeError

FORMATS = ("auto", "cuscar", "baplie", "csv", "xlsx", "json")
HEAD_BYTES = 1 << 16


def head(path: str | Path, size: int = HEAD_BYTES) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError as exc:
        raise IntakeError(f"Cannot read the file: {exc.strerror}.",
                          source=Path(path).name,
                          message_ru=f"Не удаётся прочитать файл: {exc.strerror}.") from None


def edifact_message_type(data: bytes) -> str | None:
    """The message type of the first UNH (CUSCAR, BAPLIE, ...), or None if not EDIFACT;
    "" when the interchange shows no UNH in its first bytes."""
    found = sniff(data)
    if found is None:
        return None
    _, chars, _ = found
    text = data.decode("latin-1")
    d, c = re.escape(chars.data_separator), re.escape(chars.component_separator)
    match = re.search(f"UNH{d}[^{d}]*{d}([A-Z0-9]{{1,6}})(?:{c}|{d}|{re.escape(chars.segment_terminator)})", text)
    return match.group(1) if match else ""


def detect_format(path: str | Path) -> str:
    """cuscar | baplie | xlsx | json | csv."""
    data = head(path)
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    mtype = edifact_message_type(data)
    if mtype is not None:
        return "baplie" if mtype == "BAPLIE" else "cuscar"
    text = data.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if text[:1] in (b"{", b"["):
        return "json"
    return "csv"


def check_named(path: str | Path, named: str) -> None:
    """Refuse a file whose content is plainly another format than the one named (the
    EDIFACT, XLSX and JSON readers refuse by themselves; CSV would read anything)."""
    if named != "csv":
        return
    found = detect_format(path)
    if found != "csv":
        raise IntakeError(f"The file looks like {found.upper()}, not CSV.",
                          source=Path(path).name,
                          message_ru=f"Файл похож на {found.upper()}, а не на CSV.")
