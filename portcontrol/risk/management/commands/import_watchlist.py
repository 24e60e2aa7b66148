"""`portcontrol import_watchlist FILE --unit CODE --name NAME`: store a watchlist for scoring."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portcontrol.core.errors import InvalidValue
from portcontrol.risk.actions_watchlists import do_import_watchlist
from portcontrol.risk.management.inputs import unit_and_file


class Command(BaseCommand):
    help = ("Import a watchlist (CSV id,name,kind,country,aliases or FollowTheMoney JSON) for a "
            "unit; it replaces the unit's list of the same name. Bad rows are reported, valid "
            "rows kept.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--unit", required=True)
        parser.add_argument("--name", required=True)

    def handle(self, *args, **opts):
        unit = unit_and_file(opts["unit"], opts["path"])
        try:
            watchlist, issues = do_import_watchlist(path=opts["path"], unit=unit,
                                                    name=opts["name"], acting_user="cli")
        except InvalidValue as exc:
            raise CommandError(exc.message) from None
        for issue in issues:
            self.stderr.write(issue)
        if watchlist is None:
            raise CommandError(f"{opts['path']}: no valid row ({len(issues)} rejected); the "
                               f"list {opts['name']!r} of {unit.code} was left as it was.")
        self.stdout.write(f"import_watchlist: {watchlist.entries_count} entries in "
                          f"{watchlist.name!r} for {unit.code}; {len(issues)} rows rejected")
