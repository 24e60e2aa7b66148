"""What intake reports: findings about records, and the one error that stops a file.

A finding is about one record (a bill of lading) or about the file as a whole; an error
rejects the record it is about, a warning is kept with it. IntakeError is raised only when
the file cannot be read at all, or is not in the format it was said to be in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in the input.

    source: the file (or upload) name; location: "line 12" (CSV, XLSX) or "segment 345"
    (EDIFACT) or "record 7" (JSON); record_key: the bill of lading, or "" for the file;
    field: the canonical field path, e.g. "containers[0].container_number";
    message: English (what str() and the reports give); message_ru: the same in Russian, for
    officers who read Russian ("" when there is none).
    """

    source: str
    location: str
    record_key: str
    field: str
    code: str
    message: str
    severity: Severity = ERROR
    message_ru: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def located(self, source: str, location: str) -> Finding:
        return dataclasses.replace(self, source=source, location=location)

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.source, self.location, self.record_key) if p)
        what = f"{self.field}: " if self.field else ""
        return f"{self.severity} [{where}] {what}{self.message}"


class IntakeError(Exception):
    """The file cannot be read at all, or is not in the format it was said to be in.

    Records already yielded before the error stay valid; nothing after it is read.
    `message` is English (str() gives it, with where); `message_ru` the same in Russian.
    """

    def __init__(self, message: str, *, source: str = "", location: str = "",
                 message_ru: str = ""):
        where = ", ".join(p for p in (source, location) if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.source = source
        self.location = location
        self.message_ru = message_ru


def has_error(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


class Outcome:
    """One input record: the clean record (None when rejected) and its findings.

    It unpacks like the pair `record, findings = outcome`; `raw` keeps the record as read
    (canonical shape, not yet validated) only when it was rejected, for quarantine, and
    `raw_text` the text of an input that could not even be read as a record. `message_date`
    is when the sender made the message (EDIFACT DTM+137, else the UNB date), so that a
    later amendment can be told from an earlier one; None when the format has no such date.
    """

    __slots__ = ("findings", "message_date", "raw", "raw_text", "record")

    def __init__(self, record: dict[str, Any] | None, findings: list[Finding],
                 raw: dict[str, Any] | None = None, *, raw_text: str = "",
                 message_date: datetime | None = None):
        self.record = record
        self.findings = findings
        self.raw = raw
        self.raw_text = raw_text
        self.message_date = message_date

    @property
    def accepted(self) -> bool:
        return self.record is not None

    def __iter__(self) -> Iterator[Any]:
        yield self.record
        yield self.findings

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> Any:
        return (self.record, self.findings)[index]

    def __repr__(self) -> str:
        state = "accepted" if self.accepted else "rejected"
        return f"<Outcome {state} findings={len(self.findings)}>"
