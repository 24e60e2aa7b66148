from django.core.management.base import BaseCommand, CommandError

from portcontrol.audit.log import verify_chain


class Command(BaseCommand):
    help = "Check the hash chain of the audit log; exit 1 if any record was altered or removed."

    def handle(self, *args, **opts):
        count, broken = verify_chain()
        if broken:
            raise CommandError(f"audit log: {count} records, chain broken at ids "
                               f"{', '.join(map(str, broken[:20]))}")
        self.stdout.write(f"audit log: {count} records, chain intact")
