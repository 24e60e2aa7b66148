"""`portcontrol generate`: write a synthetic week of manifests (see portcontrol.generator)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portcontrol.generator import DEFAULT_DESTINATIONS, GeneratorError, generate
from portcontrol.generator import parse_destinations as parse_destination_text

DEFAULT_SEED = 2026


class Command(BaseCommand):
    help = ("Generate synthetic container manifests: containers.csv, manifests.ndjson, "
            "ground_truth.csv and summary.json. The same arguments give identical files.")

    def add_arguments(self, parser):
        parser.add_argument("--containers", type=int, required=True,
                            help="Number of container lines to generate (e.g. 12000).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument("--out", type=Path, required=True, help="Output directory.")
        parser.add_argument("--start", default=None,
                            help="First day of arrivals, YYYY-MM-DD (default: a fixed date, "
                                 "so output does not depend on today).")
        parser.add_argument("--days", type=int, default=7, help="Days of arrivals (default 7).")
        default = ",".join(f"{k}={v:g}" for k, v in DEFAULT_DESTINATIONS.items())
        parser.add_argument("--destinations", default=None,
                            help=f"Ports of call and their shares (default {default}).")

    def handle(self, *args, **opts):
        start = _parse_start(opts["start"])
        try:
            destinations = (parse_destination_text(opts["destinations"])
                            if opts["destinations"] else None)
            began = time.monotonic()
            summary = generate(opts["out"], containers=opts["containers"], seed=opts["seed"],
                               start=start, days=opts["days"], destinations=destinations,
                               progress=self._progress(opts["containers"]))
        except GeneratorError as exc:
            raise CommandError(exc.message) from None
        counts = summary["counts"]
        self.stdout.write(
            f"generated {counts['containers']:,} containers, {counts['consignments']:,} "
            f"consignments, {counts['voyages']:,} voyages, {counts['illicit']:,} illicit in "
            f"{time.monotonic() - began:.1f} s -> {summary['out_dir']}")

    def _progress(self, total: int):
        """Report on stderr after each chunk, but only for runs long enough to need it."""
        if total < 100_000:
            return None
        began = time.monotonic()

        def report(done: int, total: int) -> None:
            self.stderr.write(f"generate: {done:,}/{total:,} containers "
                              f"({100 * done / total:.0f}%, {time.monotonic() - began:.0f} s)",
                              style_func=lambda text: text)
        return report


def _parse_start(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--start {text!r} is not a date in the form YYYY-MM-DD.") from None
