"""Load canonical manifest records (the API's JSON schema, the generator's NDJSON).

Each record is validated by the pure intake package (portcontrol.intake.validate), given the
unit that receives its port of call, and stored in batches by manifests.store. Accepted plus
rejected always equals the records given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portcontrol.accounts.models import Unit
from portcontrol.intake.findings import ERROR, Finding
from portcontrol.intake.validate import record_key, validate_record

from .store import Item, StoreCounts, store_batch

BATCH = 5000


@dataclass
class LoadResult:
    records: int = 0
    rejected: int = 0
    counts: StoreCounts = field(default_factory=StoreCounts)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    rejected_records: list[tuple[Any, list[Finding]]] = field(default_factory=list)

    @property
    def consignments(self) -> int:
        return self.counts.consignments_new

    @property
    def containers(self) -> int:
        return self.counts.containers_accepted

    @property
    def duplicates(self) -> int:
        return self.counts.consignments_unchanged


def units_by_port() -> dict[str, int]:
    table: dict[str, int] = {}
    for unit in Unit.objects.filter(is_active=True).order_by("pk"):
        for code in unit.port_list:
            table.setdefault(code, unit.pk)
    return table


def read_ndjson(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


class Router:
    """Give each clean record its unit: the one that receives its port of call.

    `allowed` limits the units a submitter may write into (their scope); None means any
    unit (an operator's command line). A record for another unit's port is rejected, so a
    user can never add manifests to another country's data.
    """

    def __init__(self, fallback_unit_id: int | None = None,
                 allowed: frozenset[int] | None = None):
        self.ports = units_by_port()
        self.allowed = allowed
        self.fallback = fallback_unit_id if allowed is None or fallback_unit_id in allowed \
            else None

    def unit_for(self, clean: dict[str, Any], source: str, location: str
                 ) -> tuple[int | None, Finding | None]:
        port = clean["voyage"]["port_of_call"]
        unit = self.ports.get(port, self.fallback)
        if unit is not None and self.allowed is not None and unit not in self.allowed:
            return None, Finding(source, location, record_key(clean), "voyage.port_of_call",
                                 "not_your_port",
                                 f"Port {port} is served by a unit whose manifests you may "
                                 "not load.", ERROR,
                                 f"Порт {port} обслуживает подразделение, манифесты которого "
                                 "вам загружать нельзя.")
        if unit is None:
            return None, Finding(source, location, record_key(clean), "voyage.port_of_call",
                                 "no_unit", f"No unit receives manifests for port {port}.",
                                 ERROR, f"Манифесты для порта {port} не принимает ни одно "
                                        "подразделение.")
        return unit, None

    @property
    def unit_ids(self) -> set[int]:
        units = set(self.ports.values())
        return units if self.allowed is None else units & set(self.allowed)


def do_load_records(records: Iterable[dict[str, Any]], *, acting_user: Any, source: str,
                    fallback_unit_id: int | None = None) -> LoadResult:
    """Validate and store records; rejected ones are returned with their findings."""
    result = LoadResult()
    router = Router(fallback_unit_id)
    batch: list[Item] = []
    for index, rec in enumerate(records, start=1):
        result.records += 1
        location = f"record {index}"
        clean, findings = validate_record(rec, source=source, location=location)
        unit = None
        if clean is not None:
            unit, problem = router.unit_for(clean, source, location)
            if problem:
                findings = [*findings, problem]
        if clean is None or unit is None:
            result.rejected += 1
            result.errors.extend(f for f in findings if f.is_error)
            result.rejected_records.append((rec, findings))
            continue
        result.warnings.extend(findings)
        batch.append(Item(unit, clean, [kept_warning(f) for f in findings]))
        if len(batch) >= BATCH:
            result.counts.add(store_batch(batch, acting_user=acting_user, source=source))
            batch = []
    result.counts.add(store_batch(batch, acting_user=acting_user, source=source))
    return result


def kept_warning(finding: Finding) -> dict[str, str]:
    """A warning as the bill of lading keeps it (shown on its page, in the reader's
    language)."""
    return {"field": finding.field, "code": finding.code, "message": finding.message,
            "message_ru": finding.message_ru}
