"""``manage.py totp_code EMAIL``: print the current code of an account's TOTP device, for the demo
and local development only. It runs only with ``DEBUG`` on (``make run``'s development settings)
and has no override: in production codes come from the staff member's authenticator app, and a
command that prints them would be a way around the second factor for anyone with a shell."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from apps.accounts import selectors
from apps.accounts.mfa.selectors import totp_device_get


class Command(BaseCommand):
    help = "Development only (DEBUG on): print the current authenticator code of an account's TOTP device."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The account's email address.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "totp_code runs only in development (DEBUG on). In production the code comes from the "
                "authenticator app."
            )
        email = options["email"].strip()
        user = selectors.user_get_by_identifier(identifier=email) if email else None
        if user is None or user.email.lower() != email.lower():
            raise CommandError(f"No account has the email {email}.")
        device = totp_device_get(user=user, confirmed=True)
        if device is None:
            raise CommandError(f"{user.email} has no authenticator app set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        # A code is accepted once: once this step's code is used, the next step's (within tolerance).
        totp.drift = device.drift + max(0, min(device.last_t + 1 - totp.t(), device.tolerance))
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        left = device.step - int(totp.time - device.t0) % device.step
        self.stderr.write(f"Code for {user.email}; the current one changes in {left} s.")
