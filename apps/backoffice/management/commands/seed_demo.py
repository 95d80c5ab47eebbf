"""Idempotent sample data for a first look: a staff superuser and a second staff member in the
Finance role (so four-eyes approvals can be shown), three investors, a few plans and referral
milestones, an active deposit address, about five weeks of money history made by the real services
and jobs, day by day (``_money_demo``: deposits and withdrawals on their dates, plans bought on past
business dates, returns paid, a plan matured, referral commissions, a ``JobRun`` per job and date),
a withdrawal above the four-eyes threshold waiting for its second approval, two treasury balances
recorded by the Finance member (the coverage panel), a KYC submission waiting for review, and the
messaging center's material (an open ticket with an attachment, a resolved one, a task with a proof
waiting for review, a pinned announcement, canned replies). Each part is skipped when its rows
exist: a second run writes nothing and says so. Prints the logins (``--logins`` prints only them:
``make run`` shows them beside the addresses). A back-office command: it calls every app's services,
so it lives in the top layer (``tests/test_architecture.py``)."""

import io

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts import selectors, services
from apps.accounts.roles import FINANCE
from apps.backoffice.management.commands import _messaging_demo as messaging_demo
from apps.backoffice.management.commands import _money_demo as money_demo
from apps.common.dates import business_date_today

DEMO_STAFF = {"email": "admin@bursar.local", "password": "bursar-admin-2026", "first_name": "Ada", "last_name": "Staff"}
DEMO_FINANCE = {
    "email": "finance@bursar.local",
    "password": "bursar-finance-2026",
    "first_name": "Finn",
    "last_name": "Finance",
}
# Two-factor for the demo staff: fixed, published secrets (hex), so that `make run` can tell how to
# get a code (``manage.py totp_code``, DEBUG only). Given only when DEBUG is on: a demo loaded with
# production settings leaves the staff to set up their own app at their first sign-in.
DEMO_TOTP_KEYS = {
    DEMO_STAFF["email"]: b"bursar-demo-admin-26".hex(),
    DEMO_FINANCE["email"]: b"bursar-demo-financ26".hex(),
}
DEMO_PLANS = (
    {"name": "Starter", "min_amount": "100.00", "max_amount": "4999.99", "daily_rate": "1.0000", "term_days": 30},
    {
        "name": "Professional",
        "min_amount": "5000.00",
        "max_amount": "20000.00",
        "daily_rate": "1.5000",
        "term_days": 60,
    },
    {
        "name": "Horizon",
        "min_amount": "1000.00",
        "max_amount": "100000.00",
        "daily_rate": "0.8000",
        "term_days": 90,
        "payout_schedule": "at_maturity",
    },
)
DEMO_MILESTONES = (
    {"name": "Bronze", "required_referrals": 5, "reward_amount": "100.00", "icon": "bronze"},
    {"name": "Silver", "required_referrals": 10, "reward_amount": "250.00", "icon": "silver"},
    {"name": "Gold", "required_referrals": 25, "reward_amount": "750.00", "icon": "gold"},
)
DEMO_RISK = "Returns are not guaranteed. You may lose part or all of the amount you invest."
DEMO_CANNED_REPLIES = (
    {
        "title": "Deposit received",
        "body_en": "Hello {first_name}, we received your deposit and credited it to your balance. "
        "Thank you for choosing {platform_name}.",
        "body_ar": "مرحبًا {first_name}، استلمنا إيداعك وأضفناه إلى رصيدك. شكرًا لاختيارك {platform_name}.",
    },
    {
        "title": "Closing the ticket",
        "body_en": "Hello {first_name}, we are closing ticket {ticket_number}. Reply here if you need anything else.",
        "body_ar": "مرحبًا {first_name}، سنغلق التذكرة {ticket_number}. ردّ هنا إذا احتجت إلى أي شيء آخر.",
    },
)
DEMO_INVESTOR = {
    "email": "investor@bursar.local",
    "password": "bursar-investor-2026",
    "first_name": "Ivy",
    "last_name": "Investor",
}
DEMO_REFERRED = {
    "email": "referred@bursar.local",
    "password": "bursar-investor-2026",
    "first_name": "Omar",
    "last_name": "Referred",
}
DEMO_APPLICANT = {
    "email": "applicant@bursar.local",
    "password": "bursar-investor-2026",
    "first_name": "Noor",
    "last_name": "Applicant",
}


class Command(BaseCommand):
    help = "Load idempotent demo data (staff, investors, a month of history) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins (load nothing).")

    def handle(self, *args, **options):
        if options["logins"]:
            self._logins_print()
            return
        before = _row_counts()
        with transaction.atomic():
            staff = self._ensure(DEMO_STAFF, is_superuser=True)
            finance = self._finance_ensure(actor=staff)
            investor = self._ensure(DEMO_INVESTOR)
            referred = self._ensure(DEMO_REFERRED, referred_by=investor)
            applicant = self._ensure(DEMO_APPLICANT, referred_by=staff)
            self._plans(staff)
            self._milestones(staff)
            self._staff_devices(staff, finance)
            money_demo.deposit_address_ensure()
        # Each of the following is its own transaction (files stored, money services, jobs).
        self._kyc_submission(applicant)
        self._money(dict(staff=staff, finance=finance, investor=investor, referred=referred, applicant=applicant))
        self._messaging(staff=staff, investor=investor)
        added = _rows_added(before, _row_counts())
        if added:
            self._ledger_check()
            self.stdout.write(self.style.SUCCESS(f"Demo data ready: {added} rows added."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already loaded: nothing changed."))
        self._logins_print()

    def _logins_print(self) -> None:
        self.stdout.write("  Demo logins (email / password):")
        self.stdout.write(f"    staff (superuser): {DEMO_STAFF['email']} / {DEMO_STAFF['password']}")
        self.stdout.write(
            f"    staff (Finance, the second approver): {DEMO_FINANCE['email']} / {DEMO_FINANCE['password']}"
        )
        self.stdout.write(f"    investor: {DEMO_INVESTOR['email']} / {DEMO_INVESTOR['password']}")
        self.stdout.write(f"    investor referred by them: {DEMO_REFERRED['email']} / {DEMO_REFERRED['password']}")
        self.stdout.write(f"    investor with KYC to review: {DEMO_APPLICANT['email']} / {DEMO_APPLICANT['password']}")
        self.stdout.write("  Staff also type an authenticator code (two-factor); the demo staff's, in development:")
        self.stdout.write(f"    python manage.py totp_code {DEMO_STAFF['email']}  (or {DEMO_FINANCE['email']})")

    def _ledger_check(self) -> None:
        """Check the ledger the seed just wrote, recorded as a ``ledger_check`` run (the daily close
        shows it after yesterday's close); a broken ledger stops the command with the problems."""
        from workers.staff_jobs import ledger_check_recorded

        ledger_check_recorded(trigger=money_demo.TRIGGER, actor=None)

    def _finance_ensure(self, *, actor):
        """A second staff member in the Finance role: a withdrawal above the four-eyes threshold
        approved first by one staff member needs another's final approval."""
        from django.contrib.auth.models import Group

        finance = self._ensure(DEMO_FINANCE, is_staff=True)
        if not finance.groups.filter(name=FINANCE).exists():
            services.user_roles_set(
                user=finance, actor=actor, is_staff=True, is_superuser=False, groups=[Group.objects.get(name=FINANCE)]
            )
        return finance

    def _money(self, people: dict) -> None:
        today = business_date_today()
        investor = people["investor"]
        money_demo.kyc_approved_ensure(
            staff=people["staff"],
            investor=investor,
            card=lambda text: _demo_card(text, (30, 64, 120), f"{investor.full_name}\nN0004321"),
        )
        money_demo.history_ensure(people=people, today=today)
        money_demo.four_eyes_withdrawal_ensure(staff=people["staff"], investor=investor)
        money_demo.treasury_balances_ensure(finance=people["finance"], today=today)

    def _kyc_submission(self, user) -> None:
        from apps.kyc.models import Submission
        from apps.kyc.services import kyc_submission_create

        if Submission.objects.filter(user=user).exists():
            return
        kyc_submission_create(
            user=user,
            full_name="Noor Applicant",
            date_of_birth="1991-03-14",
            country="Jordan",
            id_type="passport",
            id_number="N0001234",
            id_front_image=_demo_card("DEMO PASSPORT", (30, 64, 120)),
            selfie_image=_demo_card("DEMO SELFIE", (120, 80, 40)),
        )

    def _messaging(self, *, staff, investor) -> None:
        """Each part once: skipped when its rows exist (the services write them, as staff would)."""
        from apps.messaging.models import Announcement, CannedReply, Task, Thread

        if not CannedReply.objects.exists():
            for reply in DEMO_CANNED_REPLIES:
                messaging_demo.canned_reply_save(staff=staff, **reply)
        if not Thread.objects.filter(investor=investor, kind="support").exists():
            receipt = _demo_card("DEMO RECEIPT", (20, 110, 90), detail="500.00 USDT\nIvy Investor")
            messaging_demo.tickets_create(staff=staff, investor=investor, receipt=receipt)
        if not Task.objects.exists():
            messaging_demo.task_with_proof_create(staff=staff, investor=investor)
        if not Announcement.objects.exists():
            messaging_demo.announcement_publish(staff=staff)

    def _plans(self, staff) -> None:
        from apps.investments.models import Plan
        from apps.investments.services.plans import plan_create

        for order, plan in enumerate(DEMO_PLANS):
            if not Plan.objects.filter(name=plan["name"]).exists():
                plan_create(actor=staff, display_order=order, risk_disclosure=DEMO_RISK, **plan)

    def _milestones(self, staff) -> None:
        from apps.referrals.models import Milestone
        from apps.referrals.services.milestones import milestone_create

        for order, milestone in enumerate(DEMO_MILESTONES):
            if not Milestone.objects.filter(name=milestone["name"]).exists():
                milestone_create(actor=staff, display_order=order, **milestone)

    def _staff_devices(self, *staff) -> None:
        """The demo staff's TOTP devices with their published secrets (DEBUG only; once)."""
        from django.conf import settings

        from apps.accounts.mfa import selectors as mfa_selectors
        from apps.accounts.mfa import services as mfa_services

        if not settings.DEBUG:
            return
        for member in staff:
            if not mfa_selectors.mfa_enrolled(user=member):
                mfa_services.totp_device_create(user=member, confirmed=True, key=DEMO_TOTP_KEYS[member.email])

    def _ensure(self, data: dict, **extra):
        user = selectors.user_get_by_identifier(identifier=data["email"])
        if user is not None:
            return user
        return services.user_create(is_email_verified=True, **data, **extra)


def _row_counts() -> dict[str, int]:
    """Rows per table (many-to-many tables too): what a run added, whatever wrote it."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models(include_auto_created=True)}


def _rows_added(before: dict[str, int], after: dict[str, int]) -> int:
    return sum(max(after[label] - before.get(label, 0), 0) for label in after)


def _demo_card(text: str, color: tuple[int, int, int], detail: str = "Noor Applicant\nN0001234") -> SimpleUploadedFile:
    """A plain picture standing in for a document photo (the demo has no real documents)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, 616, 376), outline=(255, 255, 255), width=4)
    draw.text((48, 48), f"{text}\n{detail}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")
