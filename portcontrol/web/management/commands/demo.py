"""`portcontrol demo`: the demo organisation, four weeks of manifests (three past, one to
come), approved rules, the past three weeks scored and inspected as the units would have done
it, watchlists and a model learned from those outcomes, a stowage plan of an arriving vessel,
and today's targets. Idempotent."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from portcontrol.accounts.demo import DEMO_PASSWORD, ensure_demo_organisation
from portcontrol.accounts.models import Unit, User
from portcontrol.ingest.demo import demo_stowage
from portcontrol.manifests.loading import do_load_records, read_ndjson
from portcontrol.manifests.models import Container
from portcontrol.risk.demo import (backtest_active_rules, demo_model, demo_rules,
                                   demo_watchlist, score_all, simulate_past)

PAST_DAYS, FUTURE_DAYS = 21, 7


class Command(BaseCommand):
    help = "Create the demo units and users, manifests, outcomes, rules and targets."

    def add_arguments(self, parser):
        parser.add_argument("--containers", type=int, default=16000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--out", type=Path, default=None,
                            help="Where to write the generated files (default var/demo).")

    def handle(self, *args, **opts):
        from portcontrol.generator import generate

        start = time.monotonic()
        users = ensure_demo_organisation()
        out = opts["out"] or Path(settings.VAR_DIR) / "demo"
        today = timezone.localdate()
        by_name = {u.username: u for u in users}
        baku = Unit.objects.get(code="pcu-baku")
        if Container.objects.exists():
            self.stdout.write("demo: manifests already loaded; nothing generated.")
        else:
            summary = generate(out, containers=opts["containers"], seed=opts["seed"],
                               start=today - timedelta(days=PAST_DAYS),
                               days=PAST_DAYS + FUTURE_DAYS)
            result = do_load_records(read_ndjson(out / "manifests.ndjson"), acting_user=None,
                                     source="demo:manifests.ndjson")
            self.stdout.write(
                f"demo: generated {summary.get('containers')} containers; loaded "
                f"{result.consignments} consignments, {result.containers} containers, "
                f"{result.rejected} rejected")
            demo_rules(by_name["baku.analyst"], by_name["baku.supervisor"], baku)
            past = simulate_past(out / "ground_truth.csv", before=today, seed=opts["seed"],
                                 since=today - timedelta(days=PAST_DAYS))
            backtest_active_rules(by_name["baku.analyst"], baku)
            self.stdout.write(
                f"demo: past {PAST_DAYS} days scored and selected; {past['inspections']} "
                f"inspections ({past['random_picks']} of them random picks), "
                f"{past['finds']} finds")
        demo_rules(by_name["baku.analyst"], by_name["baku.supervisor"], baku)
        out.mkdir(parents=True, exist_ok=True)
        listed = {unit.code: demo_watchlist(out, unit, acting_user=None)
                  for unit in Unit.objects.exclude(ports="")}
        self.stdout.write(f"demo: watchlists of past seizures' consignees {listed}")
        self.stdout.write(f"demo: pcu-baku {demo_stowage(out, baku, today, opts['seed'])}")
        karachi = Unit.objects.get(code="pcu-karachi")
        self.stdout.write("demo: pcu-karachi " + demo_model(
            by_name["karachi.analyst"], by_name["karachi.supervisor"], karachi))
        scored = score_all(today)
        self.stdout.write(f"demo: scored {scored}")
        self.stdout.write("Demo logins (password: %s):" % DEMO_PASSWORD)
        for user in User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"):
            roles = ", ".join(sorted(user.role_set))
            self.stdout.write(f"  {user.username:<18} {user.unit.name if user.unit else '-':<24}"
                              f" {roles}")
        self.stdout.write(f"demo: ready in {time.monotonic() - start:.1f} s")
