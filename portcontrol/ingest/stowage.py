"""Compare a stowage plan (BAPLIE) with what the manifests declare for the same voyage."""

from __future__ import annotations

from typing import Any

from portcontrol.intake import compare_stowage, containers_on_board
from portcontrol.intake.findings import WARNING, Finding
from portcontrol.manifests.models import Container, Voyage

from .models import IntakeJob, StowageDiscrepancy


def _voyage_for(plan: dict[str, Any], unit_ids: set[int]) -> Voyage | None:
    v = plan["voyage"]
    voyages = Voyage.objects.filter(unit_id__in=unit_ids)
    if v.get("voyage_id"):
        found = voyages.filter(voyage_ref=v["voyage_id"]).first() or \
            voyages.filter(voyage_ref__endswith=v["voyage_id"]).first()
        if found:
            return found
    if v.get("vessel_imo"):
        return voyages.filter(vessel_imo=v["vessel_imo"]).order_by("-created_at").first()
    return None


def check_stowage(plan: dict[str, Any], job: IntakeJob, unit_ids: set[int],
                  source: str) -> list[Finding]:
    """Store the discrepancies between the plan and the voyage's manifests; return warnings."""
    voyage = _voyage_for(plan, unit_ids)
    ref = plan["voyage"].get("voyage_id") or plan["voyage"].get("vessel_name", "")
    if voyage is None:
        return [Finding(source, "", ref, "voyage", "no_manifest",
                        f"No manifest is loaded for voyage {ref}; the stowage plan cannot be "
                        "compared yet.", WARNING)]
    declared = Container.objects.filter(voyage=voyage).values_list("number", flat=True)
    result = compare_stowage(containers_on_board(plan), declared)
    rows = [StowageDiscrepancy(unit_id=voyage.unit_id, job=job, voyage=voyage, voyage_ref=ref,
                               container_number=n[:11], kind=kind)
            for kind, numbers in ((StowageDiscrepancy.Kind.NOT_MANIFESTED, result[0]),
                                  (StowageDiscrepancy.Kind.NOT_ON_BOARD, result[1]))
            for n in numbers]
    StowageDiscrepancy.objects.bulk_create(rows)
    return [Finding(source, "", ref, "containers", r.kind,
                    f"Container {r.container_number}: {r.get_kind_display()}.", WARNING)
            for r in rows]
