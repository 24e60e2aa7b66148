"""`portcontrol score`: assess the containers of one or every unit for a range of arrival days."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portcontrol.accounts.models import Unit
from portcontrol.risk.pipeline import score_unit


class Command(BaseCommand):
    help = "Score containers (features, rules, risk, channel within capacity, reasons)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", default="", help="Unit code (default: every unit with "
                            "ports).")
        parser.add_argument("--since", type=date.fromisoformat, default=None)
        parser.add_argument("--until", type=date.fromisoformat, default=None)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **opts):
        today = timezone.localdate()
        since = opts["since"] or today - timedelta(days=1)
        until = opts["until"] or today + timedelta(days=14)
        if until < since:
            raise CommandError("--until is before --since.")
        units = Unit.objects.exclude(ports="")
        if opts["unit"]:
            units = units.filter(code=opts["unit"])
            if not units.exists():
                raise CommandError(f"No unit {opts['unit']!r} with ports.")
        for unit in units:
            run = score_unit(unit, since=since, until=until, seed=opts["seed"])
            run.refresh_from_db()
            self.stdout.write(f"score: {unit.code} {run.containers} containers "
                              f"{run.counts} ({since} .. {until})")
