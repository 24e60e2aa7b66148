"""`portcontrol watchlist screen|check|evaluate`: watchlist screening on the command line.

A thin shell: the work and the argument parsing live in portcontrol.engine.watchlist.cli (pure,
no database), so the subcommands and their one-line errors behave the same here as there.
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand

from portcontrol.engine.watchlist.cli import build_parser, main


class Command(BaseCommand):
    help = ("Screen a CSV of names against a watchlist (CSV or FollowTheMoney JSON), check a "
            "watchlist file, or measure precision and recall on the labelled evaluation set.")

    def run_from_argv(self, argv: list[str]) -> None:
        # The subcommands have their own parser; Django's would refuse their options.
        raise SystemExit(main(argv[2:]))

    def print_help(self, prog_name: str, subcommand: str) -> None:
        build_parser().print_help(self.stdout)

    def handle(self, *args: str, **options: object) -> None:
        # call_command("watchlist", "screen", "--watchlist", ...) arrives here.
        status = main(list(args))
        if status:
            raise SystemExit(status)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):  # type: ignore[no-untyped-def]
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("args", nargs=argparse.REMAINDER)
        return parser
