"""`portcontrol demo`: the demo organisation and a generated week of manifests."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from portcontrol.accounts.demo import DEMO_PASSWORD, ensure_demo_organisation
from portcontrol.manifests.loading import do_load_records, read_ndjson
from portcontrol.manifests.models import Container


class Command(BaseCommand):
    help = "Create the demo units and users and load a generated week of manifests (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--containers", type=int, default=12000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--out", type=Path, default=None,
                            help="Where to write the generated files (default var/demo).")

    def handle(self, *args, **opts):
        from portcontrol.generator import generate

        start = time.monotonic()
        users = ensure_demo_organisation()
        out = opts["out"] or Path(settings.VAR_DIR) / "demo"
        if Container.objects.exists():
            self.stdout.write("demo: manifests already loaded; nothing generated.")
        else:
            days = 7
            summary = generate(out, containers=opts["containers"], seed=opts["seed"],
                               start=date.today(), days=days)
            result = do_load_records(read_ndjson(out / "manifests.ndjson"), acting_user=None,
                                     source="demo:manifests.ndjson")
            self.stdout.write(
                f"demo: generated {summary.get('containers')} containers; loaded "
                f"{result.consignments} consignments, {result.containers} containers, "
                f"{result.rejected} rejected, {len(result.warnings)} warnings")
        self.stdout.write("Demo logins (password: %s):" % DEMO_PASSWORD)
        for user in users:
            roles = ", ".join(sorted(user.role_set))
            self.stdout.write(f"  {user.username:<18} {user.unit.name if user.unit else '-':<24}"
                              f" {roles}")
        self.stdout.write(f"demo: ready in {time.monotonic() - start:.1f} s")
