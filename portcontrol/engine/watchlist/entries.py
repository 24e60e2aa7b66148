"""Build a WatchlistEntry from loaded values, shared by the CSV and FtM readers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .identifiers import validate_container, validate_imo
from .model import Kind, WatchlistEntry

_IMO_ALIAS = re.compile(r"^IMO[\s:#.-]*\d{7}$", re.IGNORECASE)

# report(field, message): how a builder says what is wrong with the row it is building.
Report = Callable[[str, str], None]


def build_entry(entry_id: str, kind: Kind, names: list[str], countries: list[str],
                report: Report, imo_numbers: Iterable[str] = ()) -> WatchlistEntry | None:
    """Split identifiers out of the names of vessels and containers, validating them.

    A vessel alias "IMO 9074729" is its IMO number; a container's name and aliases are its
    ISO 6346 numbers. An invalid number rejects the row: a listed number that can never match
    is worse than a row that is visibly missing.
    """
    imos: set[str] = set()
    containers: set[str] = set()
    kept: list[str] = []
    for n, value in enumerate(names):
        column = "name" if n == 0 else "aliases"
        try:
            if kind is Kind.CONTAINER:
                containers.add(validate_container(value))
            elif kind is Kind.VESSEL and _IMO_ALIAS.match(value):
                imos.add(validate_imo(value))
            else:
                kept.append(value)
        except ValueError as exc:
            report(column, str(exc))
            return None
    for value in imo_numbers:
        try:
            imos.add(validate_imo(value))
        except ValueError as exc:
            report("properties.imoNumber", str(exc))
            return None
    if kind is Kind.CONTAINER:
        kept = sorted(containers)
    return WatchlistEntry(id=entry_id, kind=kind, names=tuple(dict.fromkeys(kept)),
                          countries=tuple(countries), imo_numbers=tuple(sorted(imos)),
                          container_numbers=tuple(sorted(containers)))
