"""`portcontrol init`: create or migrate the database and load reference data. Idempotent."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portcontrol.reference.loading import load_reference_data


class Command(BaseCommand):
    help = ("Create or migrate the database named by DATABASE_URL and load the vendored "
            "reference data. Safe to run at every start.")

    def add_arguments(self, parser):
        parser.add_argument("--force-reference", action="store_true",
                            help="Reload reference data even if it is current.")

    def handle(self, *args, **opts):
        start = time.monotonic()
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            from pathlib import Path
            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        loaded = load_reference_data(force=opts["force_reference"])
        parts = [f"{name} {'current' if n is None else f'{n} rows'}" for name, n in loaded.items()]
        self.stdout.write(f"init: database migrated; reference data: {', '.join(parts)}; "
                          f"{time.monotonic() - start:.1f} s")
