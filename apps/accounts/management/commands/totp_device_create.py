"""``manage.py totp_device_create EMAIL [--replace]``: give an account a confirmed TOTP device
(RFC 6238: HMAC-SHA-1, 6 digits, 30 s) and print its ``otpauth://`` URI, once, for an authenticator
app or an automation. An account that has one already keeps it unless ``--replace`` (which also
ends its recovery codes and every session verified with the old device)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from apps.accounts import selectors
from apps.accounts.mfa import services
from apps.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a confirmed TOTP device for an account and print its otpauth:// URI (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The account's email address.")
        parser.add_argument(
            "--replace", action="store_true", help="Replace the account's device (its recovery codes end too)."
        )

    def handle(self, *args, **options):
        email = options["email"].strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Not an email address: {email!r}.") from None
        user = selectors.user_get_by_identifier(identifier=email)
        if user is None or user.email.lower() != email.lower():
            raise CommandError(f"No account has the email {email}.")
        if not user.is_active:
            raise CommandError(f"The account {user.email} is deactivated.")
        try:
            device = services.totp_device_create(user=user, confirmed=True, replace=options["replace"])
        except ApplicationError as exc:
            if exc.code == "mfa_device_exists":
                raise CommandError(
                    f"{user.email} already has an authenticator app set up; --replace replaces it."
                ) from None
            raise CommandError(exc.message) from None
        self.stdout.write(device.config_url)
        self.stderr.write(
            f"TOTP device created for {user.email}. The URI above holds its secret and is not shown again: "
            "add it to an authenticator app (or a password manager) now."
        )
