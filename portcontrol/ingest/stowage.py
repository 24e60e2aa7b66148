"""Stowage plans (BAPLIE) against the manifests of the same voyage.

A plan says what is on board; the manifests say what the unit was told about. Four findings
matter to a PCU: a box on board that no manifest declares (the classic undeclared container),
a box declared that is not on board (rolled, short-shipped, or a false manifest), a box
whose mass weighed at the terminal is far from the mass its manifest declares (goods added
or taken out on the way), and a box stowed as another kind of box than declared (another
length, height or type: another box, or a false declaration).

A plan is kept as received (StowagePlan), so that it is compared whenever it can say
something new: when it arrives, with the manifests already loaded; and after each manifest
job, every recent plan whose voyage was not loaded yet, or whose voyage got containers since
the plan was last compared. Plans and manifests arrive in either order.

The discrepancies of a voyage are those of its latest plan against its manifests as they
stand: comparing again replaces them, so a second copy of the same plan changes nothing.

A plan lists every box on the vessel, most of them for other ports. Only the boxes it
discharges at one of the voyage's ports of call (or whose discharge port it leaves empty)
are expected on the unit's manifests (intake.compare_stowage).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from portcontrol.core.containers import normalize_container_number
from portcontrol.intake import (
    boxes_on_board,
    compare_stowage,
    mass_differences,
    type_differences,
)
from portcontrol.intake.findings import WARNING, Finding
from portcontrol.manifests.models import Container, PortCall, Voyage

from .models import IntakeJob, StowageDiscrepancy, StowagePlan

# Plans older than this are not compared again after a manifest job: the vessel has sailed.
RECHECK_DAYS = 30
Kind = StowageDiscrepancy.Kind


def receive_plan(record: dict[str, Any], job: IntakeJob, unit_ids: set[int] | None,
                 ports: dict[str, int], source: str) -> tuple[list[Finding], int | None]:
    """Keep a stowage record of `job` and compare it if its voyage is loaded. Returns the
    findings, warnings (one per discrepancy, or one saying the comparison waits for a
    manifest), and the unit whose voyage it was compared with (None: not compared).

    unit_ids: the units the submitter may load (None: any); ports: unit by port it serves."""
    v = record["voyage"]
    plan = StowagePlan.objects.create(
        unit_id=_unit_of(v.get("next_port", ""), job, unit_ids, ports), job=job,
        source=source[:200], voyage_ref=(v.get("voyage_id") or "")[:40],
        vessel_imo=(v.get("vessel_imo") or "")[:7], vessel_name=(v.get("vessel_name") or "")[:120],
        next_port=(v.get("next_port") or "")[:5],
        containers=[[normalize_container_number(n), port, mass, size_type]
                    for n, port, mass, size_type in boxes_on_board(record)])
    voyage = _voyage_for(plan, unit_ids)
    ref = plan.voyage_ref or plan.vessel_name
    if voyage is None:
        return [Finding(source, "", ref, "voyage", "no_manifest",
                        f"No manifest is loaded for voyage {ref} yet: the stowage plan is kept "
                        "and will be compared when it is.", WARNING,
                        f"Манифест рейса {ref} ещё не загружен: грузовой план сохранён и будет "
                        "сверен, когда манифест поступит.")], None
    rows = compare(plan, voyage)
    return [Finding(source, "", ref, "containers", r.kind, *_texts(r), WARNING)
            for r in rows], voyage.unit_id


def _texts(row: StowageDiscrepancy) -> tuple[str, str]:
    n = row.container_number
    if row.kind == Kind.TYPE_DIFFERS:
        plan, stated = row.plan_size_type, row.declared_size_type
        return ((f"Container {n} is stowed as a {plan} box according to the stowage plan; "
                 f"its manifest declares a {stated}."),
                (f"Контейнер {n} по грузовому плану размещён как {plan}; в манифесте заявлен "
                 f"{stated}."))
    if row.kind == Kind.MASS_DIFFERS:
        plan, stated = f"{row.plan_mass_kg:,.0f}", f"{row.declared_mass_kg:,.0f}"
        return ((f"Container {n} weighs {plan} kg on the stowage plan; its manifest declares "
                f"{stated} kg."),
                (f"Контейнер {n} весит {plan.replace(',', ' ')} кг по грузовому плану; в "
                f"манифесте заявлено {stated.replace(',', ' ')} кг."))
    if row.kind == Kind.NOT_MANIFESTED:
        return ((f"Container {n} is on board according to the stowage plan but on no manifest "
                "of the voyage."),
                (f"Контейнер {n} на борту по грузовому плану, но не заявлен ни в одном "
                "манифесте рейса."))
    return ((f"Container {n} is declared on a manifest but not on board according to the "
            "stowage plan."),
            f"Контейнер {n} заявлен в манифесте, но по грузовому плану его нет на борту.")


def _unit_of(port: str, job: IntakeJob, unit_ids: set[int] | None,
             ports: dict[str, int]) -> int | None:
    """The unit that serves the plan's next port of call, else the job's; one the submitter
    may load in either case (None: matched to a voyage later, which gives the unit)."""
    for unit in (ports.get(port), job.unit_id):
        if unit is not None and (unit_ids is None or unit in unit_ids):
            return unit
    return None


def _voyage_for(plan: StowagePlan, unit_ids: set[int] | None) -> Voyage | None:
    """The loaded voyage the plan describes: by voyage reference (carriers' references may
    carry a prefix the plan leaves out), else the latest voyage of the vessel."""
    voyages = Voyage.objects.all()
    if plan.unit_id is not None:
        voyages = voyages.filter(unit_id=plan.unit_id)
    elif unit_ids is not None:
        voyages = voyages.filter(unit_id__in=unit_ids)
    if plan.voyage_ref:
        found = voyages.filter(voyage_ref=plan.voyage_ref).order_by("-id").first() or \
            voyages.filter(voyage_ref__endswith=plan.voyage_ref).order_by("-id").first()
        if found:
            return found
    if plan.vessel_imo:
        return voyages.filter(vessel_imo=plan.vessel_imo).order_by("-created_at").first()
    return None


def compare(plan: StowagePlan, voyage: Voyage) -> list[StowageDiscrepancy]:
    """Replace the voyage's discrepancies by what `plan` says against its manifests now,
    unless a later plan of the voyage has been compared (then `plan` is superseded: []).

    The plan's voyage and unit are set to the voyage's."""
    with transaction.atomic():
        later = StowagePlan.objects.filter(voyage=voyage, id__gt=plan.id).exists()
        plan.voyage, plan.unit_id, plan.compared_at = voyage, voyage.unit_id, timezone.now()
        plan.save(update_fields=["voyage", "unit", "compared_at"])
        if later:
            return []
        ports = set(PortCall.objects.filter(voyage=voyage).values_list("locode", flat=True))
        boxes = list(Container.objects.filter(voyage=voyage).values_list(
            "number", "vgm_kg", "gross_mass_kg", "size_type"))
        masses = {number: float(vgm or gross) if vgm or gross else None
                  for number, vgm, gross, _type in boxes}
        result = compare_stowage(plan.containers, masses, ports)
        StowageDiscrepancy.objects.filter(voyage=voyage).delete()
        common = {"unit_id": voyage.unit_id, "job_id": plan.job_id, "plan": plan,
                  "voyage": voyage, "voyage_ref": voyage.voyage_ref[:40]}
        rows = [StowageDiscrepancy(**common, container_number=number[:20], kind=kind)
                for kind, numbers in ((Kind.NOT_MANIFESTED, result.on_board_not_manifested),
                                      (Kind.NOT_ON_BOARD, result.manifested_not_on_board))
                for number in numbers]
        rows += [StowageDiscrepancy(**common, container_number=number, kind=Kind.MASS_DIFFERS,
                                    plan_mass_kg=on_plan, declared_mass_kg=stated)
                 for number, on_plan, stated in mass_differences(plan.containers, masses)]
        types = {number: size_type for number, _vgm, _gross, size_type in boxes}
        rows += [StowageDiscrepancy(**common, container_number=number, kind=Kind.TYPE_DIFFERS,
                                    plan_size_type=on_plan, declared_size_type=stated)
                 for number, on_plan, stated in type_differences(plan.containers, types)]
        return StowageDiscrepancy.objects.bulk_create(rows)


def recheck_plans(unit_ids: set[int] | None) -> set[int]:
    """After a manifest job: compare again the recent plans (of `unit_ids`, or any) whose
    voyage was not loaded when they arrived, or has containers loaded since they were last
    compared. Only the latest plan of each voyage counts. Returns the units of the plans
    compared."""
    since = timezone.now() - timedelta(days=RECHECK_DAYS)
    plans = StowagePlan.objects.filter(received_at__gte=since)
    if unit_ids is not None:
        plans = plans.filter(Q(unit_id__in=unit_ids) | Q(unit__isnull=True))
    compared: set[int] = set()
    plans = list(plans.select_related("voyage").order_by("id"))
    # the latest plan of each voyage, whenever it came: only that one is compared again
    latest = dict(StowagePlan.objects.filter(
        voyage_id__in={p.voyage_id for p in plans if p.voyage_id is not None})
        .values("voyage_id").annotate(last=Max("id")).values_list("voyage_id", "last"))
    for plan in plans:
        if plan.voyage_id is None:
            voyage = _voyage_for(plan, unit_ids)
            if voyage is None:
                continue
        else:
            voyage = plan.voyage
            if latest.get(voyage.pk) != plan.pk or not Container.objects.filter(
                    voyage=voyage, created_at__gt=plan.compared_at).exists():
                continue
        compare(plan, voyage)
        compared.add(voyage.unit_id)
    return compared
