"""`portcontrol model train|score|evaluate`: the learned risk model on the command line
(the work lives in portcontrol.engine.model.cli, which needs no database)."""

from portcontrol.engine.model.cli import build_parser, main
from portcontrol.risk.management.pure_cli import PureCliCommand


class Command(PureCliCommand):
    help = ("Train the risk model on a labelled history table, score declarations with it, "
            "or measure its precision and recall at 1, 2, 5 and 10 % inspected.")
    main = staticmethod(main)
    build_parser = staticmethod(build_parser)
