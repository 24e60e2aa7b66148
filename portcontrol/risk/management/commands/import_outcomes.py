"""`portcontrol import_outcomes FILE --unit CODE [--report OUT.csv] [--json]`: record a unit's
past inspection outcomes (the file's columns: risk.outcome_files)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portcontrol.core.errors import InvalidValue
from portcontrol.risk.actions_outcomes import do_import_outcomes
from portcontrol.risk.management.inputs import unit_and_file


class Command(BaseCommand):
    help = ("Record past inspection outcomes for a unit from a CSV file with the columns "
            "container_number, result (found / nothing) and optionally voyage_id, "
            "inspected_on, kind. Bad rows are reported, valid rows kept; importing the same "
            "file again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--unit", required=True, help="Unit code, such as pcu-baku.")
        parser.add_argument("--report", type=Path, default=None,
                            help="Write every rejected row as CSV: line, field, message.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **opts):
        unit = unit_and_file(opts["unit"], opts["path"])
        try:
            report = do_import_outcomes(path=opts["path"], unit=unit, acting_user="cli")
        except InvalidValue as exc:
            raise CommandError(f"{opts['path']}: {exc.message}") from None
        if opts["report"]:
            with open(opts["report"], "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["line", "field", "message"])
                writer.writerows((p.line, p.field, p.message) for p in report.problems)
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        for problem in report.problems:
            self.stderr.write(str(problem))
        ignored = (f"; columns not read: {', '.join(report.ignored_columns)}"
                   if report.ignored_columns else "")
        self.stdout.write(
            f"import_outcomes: {unit.code} {report.rows} rows: {report.new} new, "
            f"{report.updated} updated, {report.unchanged} unchanged, {report.rejected} "
            f"rejected; {report.finds} finds recorded{ignored}")
