from django.core.management.base import BaseCommand, CommandError

from apps.wallet.ledger_check import ledger_check


class Command(BaseCommand):
    help = "Check the ledger invariants (I1, I3, I4, I11). Exits 1 with a report when one is broken."

    def add_arguments(self, parser):
        parser.add_argument("--deep", action="store_true", help="Also re-add every running balance (slow).")

    def handle(self, *args, deep: bool = False, **options):
        report = ledger_check(deep=deep)
        summary = f"{report.accounts} accounts, {report.entries} entries, {report.postings} postings"
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Ledger OK: {summary}."))
            return
        self.stderr.write(self.style.ERROR(f"Ledger BROKEN: {summary}; {len(report.problems)} problem(s):"))
        for problem in report.problems:
            self.stderr.write(f"  - {problem}")
        raise CommandError("ledger check failed", returncode=1)
