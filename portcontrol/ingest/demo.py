"""The demo's stowage plan: one voyage arriving at a unit's port, as the terminal would send
its BAPLIE, with one declared box left behind, one much heavier than declared and two boxes
on board that no manifest declares (plus boxes for other ports, which are not the unit's
business)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from portcontrol.accounts.models import Unit
from portcontrol.core.containers import check_digit
from portcontrol.intake.edifact_writer import write_baplie
from portcontrol.manifests.models import Container, PortCall

from .actions import do_create_job
from .models import StowagePlan
from .runner import run_job

OTHER_PORTS = ("TRIST", "GEPTI", "RUAST")


def demo_stowage(out_dir: Path, unit: Unit, today: date, seed: int = 0) -> str:
    """Load a stowage plan for the unit's next arrival with containers; says what it did."""
    if StowagePlan.objects.filter(unit=unit).exists():
        return "stowage plan already loaded"
    call = (PortCall.objects.filter(voyage__unit=unit, locode__in=unit.port_list,
                                    eta__date__gte=today)
            .select_related("voyage").order_by("eta", "id").first())
    if call is None:
        return "no arrival to come"
    voyage = call.voyage
    declared = dict(sorted(
        (number, float(vgm or gross or 0) or 20000.0) for number, vgm, gross in
        Container.objects.filter(voyage=voyage).values_list("number", "vgm_kg",
                                                            "gross_mass_kg")))
    rng = random.Random(seed)

    def invented() -> str:
        first = "DEMU" + f"{rng.randrange(10**6):06d}"
        return first + check_digit(first)

    numbers = list(declared)
    # the first declared box left behind, the second 2.4 t heavier than declared
    boxes = [(n, call.locode, declared[n] + (2400 if i == 0 else 0))
             for i, n in enumerate(numbers[1:])]
    boxes += [(invented(), call.locode, 21000.0) for _ in range(2)]
    boxes += [(invented(), rng.choice(OTHER_PORTS), 18000.0) for _ in range(12)]
    slots = [{"position": f"{10 + i // 40:02d}{i % 40:02d}082", "container_number": n,
              "port_of_loading": "", "port_of_discharge": port, "gross_mass_kg": mass}
             for i, (n, port, mass) in enumerate(boxes)]
    path = out_dir / f"baplie-{voyage.voyage_ref}.edi"
    write_baplie({"voyage_id": voyage.voyage_ref, "carrier": voyage.carrier,
                  "vessel_imo": voyage.vessel_imo, "vessel_name": voyage.vessel_name,
                  "next_port": call.locode}, slots, path)
    job = do_create_job(files=[{"name": path.name, "path": str(path.resolve()),
                                "size": path.stat().st_size}],
                        door="cli", acting_user=None, unit_id=unit.pk, fmt="baplie")
    result = run_job(job)
    return f"stowage plan of {voyage.voyage_ref}: {result.warnings} discrepancies"
