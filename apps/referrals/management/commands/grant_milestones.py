from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ApplicationError
from apps.investments.management.commands._dates import parse_date
from apps.referrals.services.grants import grant_milestones


class Command(BaseCommand):
    help = (
        "Grant referral milestone rewards. With no option: every business date not yet done, in order, "
        "through today. --through DATE: the same, up to DATE. --date DATE: replay exactly DATE (idempotent: "
        "a pair already granted is never granted again)."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--date", help="replay exactly this business date (YYYY-MM-DD)")
        group.add_argument("--through", help="catch up through this business date (YYYY-MM-DD)")

    def handle(self, *args, date=None, through=None, **options):
        try:
            runs = grant_milestones(
                only=parse_date(date, option="--date"),
                through=parse_date(through, option="--through"),
                trigger="command",
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if not runs:
            self.stdout.write("Nothing to grant: every business date is done.")
        for run in runs:
            self.stdout.write(f"{run.business_date}: {run.created} award(s), {run.total_amount} paid")
