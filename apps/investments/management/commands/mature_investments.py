from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ApplicationError
from apps.investments.management.commands._dates import parse_date
from apps.investments.services.maturity import mature_investments


class Command(BaseCommand):
    help = "Close every position maturing on or before --through (default today), paying what it owes."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--date", help="business date (YYYY-MM-DD); the same as --through")
        group.add_argument("--through", help="business date (YYYY-MM-DD)")

    def handle(self, *args, date=None, through=None, **options):
        day = parse_date(date, option="--date") or parse_date(through, option="--through")
        try:
            run = mature_investments(through=day, trigger="command")
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{run.business_date}: {run.created} position(s) matured, {run.total_amount} paid")
