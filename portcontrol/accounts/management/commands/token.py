from django.core.management.base import BaseCommand, CommandError

from portcontrol.accounts.actions import do_issue_api_token
from portcontrol.accounts.models import User


class Command(BaseCommand):
    help = "Issue an API token for a user (printed once; only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="A label for the token.")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"No user {opts['username']!r}.")
        _, clear = do_issue_api_token(user=user, name=opts["name"], acting_user=user)
        self.stdout.write(clear)
