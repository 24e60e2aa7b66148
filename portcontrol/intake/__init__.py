"""Manifest intake: format readers that turn bytes into canonical records or IntakeErrors.

    from portcontrol.intake import read

    intake = read("cuscar.edi")                # format detected from the content
    for record, findings in intake:            # one item per bill of lading in the input
        ...                                    # record is None when an error rejected it
    intake.summary                             # seen / accepted / rejected / warnings
    intake.findings                            # about the file itself (envelope, columns)

Formats: UN/EDIFACT CUSCAR (message profiles in profiles/) and BAPLIE (stowage, one record
per vessel message, "kind": "stowage"), CSV and XLSX (column mappings in mappings/), JSON and
NDJSON in the canonical schema. No Django here: the manifests app stores what this yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .baplie import (
    boxes_on_board,
    compare_stowage,
    containers_by_voyage,
    containers_on_board,
    mass_differences,
    read_baplie,
    type_differences,
)
from .csv_reader import read_csv, read_csv_frames
from .cuscar import read_cuscar
from .detect import FORMATS, check_named, detect_format
from .findings import ERROR, WARNING, Finding, IntakeError, Outcome
from .json_reader import read_json
from .mapping import Mapping, available_mappings, load_mapping
from .profiles import available_profiles, load_profile
from .validate import Reference, validate_record
from .xlsx_reader import read_xlsx

__all__ = [
    "ERROR",
    "FORMATS",
    "WARNING",
    "Finding",
    "Intake",
    "IntakeError",
    "Mapping",
    "Outcome",
    "Reference",
    "Summary",
    "available_mappings",
    "available_profiles",
    "boxes_on_board",
    "compare_stowage",
    "containers_by_voyage",
    "containers_on_board",
    "detect_format",
    "load_mapping",
    "load_profile",
    "mass_differences",
    "read",
    "read_baplie",
    "read_csv",
    "read_csv_frames",
    "read_cuscar",
    "read_json",
    "read_xlsx",
    "type_differences",
    "validate_record",
]


@dataclass
class Summary:
    """Running counts; accepted + rejected == seen == records in the input."""

    seen: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    errors: int = 0
    file_findings: list[Finding] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.seen += 1
        if outcome.record is None:
            self.rejected += 1
        else:
            self.accepted += 1
        for finding in outcome.findings:
            if finding.severity == ERROR:
                self.errors += 1
            else:
                self.warnings += 1

    def as_dict(self) -> dict[str, Any]:
        return {"seen": self.seen, "accepted": self.accepted, "rejected": self.rejected,
                "warnings": self.warnings, "errors": self.errors,
                "file_findings": [f.as_dict() for f in self.file_findings]}

    def line(self) -> str:
        return (f"{self.seen} records: {self.accepted} accepted, {self.rejected} rejected; "
                f"{self.errors} errors, {self.warnings} warnings, "
                f"{len(self.file_findings)} about the file")


class Intake:
    """One pass over one file. Iterate for Outcomes (record, findings)."""

    def __init__(self, path: str | Path, format: str = "auto", mapping: Any = None,
                 profile: Any = None, *, source: str | None = None,
                 ref: Reference | None = None, engine: str = "fast"):
        if format not in FORMATS:
            raise IntakeError(f"Unknown format {format!r}; use one of {', '.join(FORMATS)}.",
                              message_ru=f"Неизвестный формат {format!r}; допустимые: "
                                         f"{', '.join(FORMATS)}.")
        self.path = Path(path)
        self.source = source or self.path.name
        self.format = detect_format(self.path) if format == "auto" else format
        if format != "auto":
            check_named(self.path, format)
        self.kind = "stowage" if self.format == "baplie" else "manifest"
        self.findings: list[Finding] = []
        self.summary = Summary(file_findings=self.findings)
        self._items = self._open(mapping, profile, ref, engine)

    def _open(self, mapping: Any, profile: Any, ref: Reference | None,
              engine: str) -> Iterator[Outcome]:
        common: dict[str, Any] = {"source": self.source, "file_findings": self.findings}
        if self.format == "cuscar":
            return read_cuscar(self.path, profile, ref=ref, engine=engine, **common)
        if self.format == "baplie":
            return read_baplie(self.path, engine=engine, **common)
        if self.format == "json":
            return read_json(self.path, ref=ref, **common)
        reader = read_xlsx if self.format == "xlsx" else read_csv
        return reader(self.path, mapping, ref=ref, **common)

    def __iter__(self) -> Iterator[Outcome]:
        for outcome in self._items:
            self.summary.add(outcome)
            yield outcome


def read(path: str | Path, format: str = "auto", mapping: Any = None, profile: Any = None,
         **options: Any) -> Intake:
    """Read a manifest file; see Intake. `mapping` is for CSV/XLSX, `profile` for CUSCAR;
    options: source (name for findings), ref (Reference), engine ("fast" or "pydifact")."""
    return Intake(path, format, mapping, profile, **options)
