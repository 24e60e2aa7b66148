"""FollowTheMoney entities (the OpenSanctions format): one JSON object per line.

    {"id": "...", "schema": "Company", "properties": {"name": [...], "alias": [...],
     "country": ["kz"], ...}}

Entities of schemas that name a party (Person, Company, Organization, LegalEntity, PublicBody),
a vessel or an address become entries; relations and records about them (Sanction, Ownership,
Identification...) are counted as skipped, since they carry no name to screen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .entries import build_entry
from .model import Kind, LoadIssue, WatchlistEntry, WatchlistInputError

SCHEMA_KINDS: dict[str, Kind] = {
    "Person": Kind.PERSON,
    "Company": Kind.COMPANY,
    "Organization": Kind.COMPANY,
    "LegalEntity": Kind.COMPANY,
    "PublicBody": Kind.COMPANY,
    "Vessel": Kind.VESSEL,
    "Address": Kind.ADDRESS,
}
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
ADDRESS_PROPS = ("full",)
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "flag")
_ALPHA2 = re.compile(r"^[a-z]{2}$")


def parse_ftm_lines(text: str, source: str, entries: list[WatchlistEntry],
                    issues: list[LoadIssue]) -> int:
    """Append the entries and issues found in `text`; return how many entities were skipped."""
    stripped = text.lstrip()
    skipped = 0
    seen: set[str] = set()
    for line, obj in _objects(stripped, source, issues):

        def report(column: str, message: str, line: int = line) -> None:
            issues.append(LoadIssue(source, line, column, message))

        parsed = _entity(obj, report)
        if parsed is None:
            continue
        if isinstance(parsed, str):  # "skip": a schema that names no party
            skipped += 1
            continue
        entity_id, kind, names, countries, imos = parsed
        if entity_id in seen:
            report("id", f"{entity_id!r} appears twice")
            continue
        entry = build_entry(entity_id, kind, names, countries, report, imo_numbers=imos)
        if entry is not None:
            seen.add(entity_id)
            entries.append(entry)
    return skipped


def _objects(text: str, source: str, issues: list[LoadIssue]) -> list[tuple[int, Any]]:
    """(line, decoded JSON object) pairs of a JSON-lines file."""
    if text.startswith("["):
        raise WatchlistInputError(
            f"{source}: FtM files have one JSON object per line; this is a JSON array")
    out: list[tuple[int, Any]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            out.append((n, json.loads(raw)))
        except json.JSONDecodeError as exc:
            issues.append(LoadIssue(source, n, "json", f"not valid JSON: {exc.msg}"))
    return out


Parsed = tuple[str, Kind, list[str], list[str], list[str]]


def _entity(obj: Any, report: Callable[[str, str], None]) -> Parsed | str | None:
    """(id, kind, names, countries, imo numbers), "skip" for other schemas, None if bad."""
    if not isinstance(obj, dict):
        report("json", "expected a JSON object")
        return None
    entity_id, schema, props = obj.get("id"), obj.get("schema"), obj.get("properties")
    if not isinstance(entity_id, str) or not entity_id.strip():
        report("id", "is missing or not a string")
        return None
    if not isinstance(schema, str) or not schema:
        report("schema", "is missing or not a string")
        return None
    if schema not in SCHEMA_KINDS:
        return "skip"
    if not isinstance(props, dict):
        report("properties", "is missing or not an object")
        return None
    values: dict[str, list[str]] = {}
    for prop in (*NAME_PROPS, *ADDRESS_PROPS, *COUNTRY_PROPS, "imoNumber"):
        raw = props.get(prop, [])
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            report(f"properties.{prop}", "must be a list of strings")
            return None
        values[prop] = [v.strip() for v in raw if v.strip()]
    kind = SCHEMA_KINDS[schema]
    names = [n for p in NAME_PROPS for n in values[p]]
    if kind is Kind.ADDRESS:
        names = values["full"] + names
    if not names and not values["imoNumber"]:
        report("properties.name", "has no name to screen")
        return None
    # FtM also has territory codes like "suhh" (Soviet Union) or "ge-ab"; those cannot agree with
    # a manifest's ISO country, so they are left out rather than rejected.
    countries = sorted({c.upper() for p in COUNTRY_PROPS for c in values[p]
                        if _ALPHA2.match(c.lower())})
    return entity_id.strip(), kind, names, countries, values["imoNumber"]
