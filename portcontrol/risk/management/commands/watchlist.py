"""`portcontrol watchlist screen|check|evaluate`: watchlist screening on the command line
(the work lives in portcontrol.engine.watchlist.cli, which needs no database)."""

from portcontrol.engine.watchlist.cli import build_parser, main
from portcontrol.risk.management.pure_cli import PureCliCommand


class Command(PureCliCommand):
    help = ("Screen a CSV of names against a watchlist (CSV or FollowTheMoney JSON), check a "
            "watchlist file, or measure precision and recall on the labelled evaluation set.")
    main = staticmethod(main)
    build_parser = staticmethod(build_parser)
