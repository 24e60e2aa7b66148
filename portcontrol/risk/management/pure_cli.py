"""A management command that hands its arguments to a pure command-line module.

The engine's command-line tools (model, watchlist) parse their own subcommands and print their
own one-line errors without Django; this shell only routes `portcontrol NAME ...` to them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from django.core.management.base import BaseCommand


class PureCliCommand(BaseCommand):
    main: Callable[[list[str]], int]
    build_parser: Callable[[], argparse.ArgumentParser]

    def run_from_argv(self, argv: list[str]) -> None:
        # The subcommands have their own parser; Django's would refuse their options.
        raise SystemExit(type(self).main(argv[2:]))

    def print_help(self, prog_name: str, subcommand: str) -> None:
        type(self).build_parser().print_help(self.stdout)

    def handle(self, *args: str, **options: object) -> None:
        # call_command(NAME, "subcommand", "--option", ...) arrives here.
        status = type(self).main(list(args))
        if status:
            raise SystemExit(status)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):  # type: ignore[no-untyped-def]
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("args", nargs=argparse.REMAINDER)
        return parser
