"""`portcontrol model train|score|evaluate|train_unit`: the learned risk model on the command
line. train, score and evaluate live in portcontrol.engine.model.cli, which needs no
database; train_unit trains a draft model version on a unit's own inspection history
(risk.learning), which a supervisor then approves in the workbench."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from portcontrol.accounts.models import Unit, User
from portcontrol.core.errors import PortControlError
from portcontrol.engine.model import cli
from portcontrol.risk.learning import DEFAULT_DAYS, do_train_model_version
from portcontrol.risk.management.pure_cli import PureCliCommand

TRAIN_UNIT = "train_unit"


def build_parser() -> argparse.ArgumentParser:
    """The engine's parser with one more subcommand."""
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    unit = commands.add_parser(TRAIN_UNIT, help="Train a draft model version on a unit's own "
                               "inspection history (stored in the database).")
    unit.add_argument("--unit", required=True, metavar="CODE", help="Unit code, e.g. pcu-poti.")
    unit.add_argument("--days", type=int, default=DEFAULT_DAYS,
                      help=f"Days of history up to --until (default {DEFAULT_DAYS}).")
    unit.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="Last arrival day of the history (default today).")
    unit.add_argument("--by", metavar="USERNAME",
                      help="Record this analyst or supervisor as the trainer (four eyes: "
                      "they cannot approve the version).")
    return parser


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in and args_in[0] in ("-h", "--help"):
        build_parser().print_help()
        return 0
    if not args_in or args_in[0] != TRAIN_UNIT:
        return cli.main(args_in)
    try:
        args = build_parser().parse_args(args_in)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except cli.UsageError as exc:
        return _fail(str(exc), 2)
    try:
        return _train_unit(args)
    except PortControlError as exc:
        return _fail(f"{cli.PROG} {TRAIN_UNIT}: error: {exc.message}", 1)


def _fail(line: str, status: int) -> int:
    print(line, file=sys.stderr)
    return status


def _train_unit(args: argparse.Namespace) -> int:
    unit = Unit.objects.filter(code=args.unit).first()
    if unit is None:
        return _fail(f"{cli.PROG} {TRAIN_UNIT}: error: no unit with code {args.unit!r}", 1)
    user = None
    if args.by:
        user = User.objects.filter(username=args.by).first()
        if user is None:
            return _fail(f"{cli.PROG} {TRAIN_UNIT}: error: no user {args.by!r}", 1)
    version = do_train_model_version(acting_user=user, unit=unit, days=args.days,
                                     until=args.until)
    held = version.metrics
    print(f"model version {version.label} of {unit.code}: learned from {version.rows:,} "
          f"inspected containers ({version.positives:,} with a find) that arrived from "
          f"{version.training_from} to before {version.holdout_from}; on the "
          f"{version.holdout_rows:,} held out from {version.holdout_from} to "
          f"{version.training_until}: precision {held['precision_at']['5']:.3f}, recall "
          f"{held['recall_at']['5']:.3f} at 5 % inspected; saved as a draft (id {version.pk})")
    return 0


class Command(PureCliCommand):
    help = ("Train the risk model on a labelled history table, score declarations with it, "
            "or measure its precision and recall at 1, 2, 5 and 10 % inspected; or train a "
            "draft model version on a unit's own history (train_unit).")
    main = staticmethod(main)
    build_parser = staticmethod(build_parser)
