"""The custom user: email is the login; staff roles are Django groups (see ``roles.py``)."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
REFERRAL_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERRAL_CODE_LENGTH = 8

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{5,30}$", _("Enter a phone number: digits, spaces, dashes, optional leading +.")
)
username_validator = RegexValidator(r"^[\w.+-]{3,150}$", _("3 to 150 letters, digits and . + - _ only."))


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")


class KycStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", _("Not submitted")
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class UserManager(BaseUserManager):
    """Only what ``createsuperuser`` and Django's auth need; every other write is a service."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **fields):
        from apps.accounts.services import user_create

        return user_create(email=email, password=password, **fields)

    def create_superuser(self, email, password=None, **fields):
        from apps.accounts.services import user_create

        fields.update(is_staff=True, is_superuser=True)
        return user_create(email=email, password=password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), max_length=254)
    username = models.CharField(_("username"), max_length=150, null=True, blank=True, validators=[username_validator])
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[phone_validator])
    country = models.CharField(_("country"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    referral_code = models.CharField(_("referral code"), max_length=REFERRAL_CODE_LENGTH, editable=False)
    referred_by = models.ForeignKey(
        "self",
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        editable=False,
    )
    is_email_verified = models.BooleanField(_("email verified"), default=False)
    kyc_status = models.CharField(
        _("KYC status"), max_length=16, choices=KycStatus.choices, default=KycStatus.NOT_SUBMITTED, db_index=True
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Staff sign in to the admin; investors never can.")
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Deactivate instead of deleting: the audit trail stays whole.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["-date_joined", "-id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(Upper("referral_code"), name="accounts_user_referral_code_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(referral_code__regex=r"^[A-Z2-9]{8}$"),
                name="accounts_user_referral_code_format",
            ),
            models.CheckConstraint(
                condition=~models.Q(referred_by=models.F("id")), name="accounts_user_not_self_referred"
            ),
        ]
        # The KYC status follows the user's current KYC submission: no permission sets it by hand.
        permissions = [
            ("deactivate_user", "Can deactivate and reactivate users"),
            ("unlock_user", "Can unlock an account locked out after failed sign-ins"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_kyc_verified(self) -> bool:
        return self.kyc_status == KycStatus.APPROVED

    @property
    def role(self) -> str:
        """The original API's coarse role: ``admin`` for staff, ``customer`` otherwise."""
        return "admin" if self.is_staff else "customer"


class UserEvent(models.Model):
    """Audit trail of account changes, written in the same transaction as the change."""

    class Kind(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        EMAIL_VERIFIED = "email_verified", _("Email verified")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        PROFILE_UPDATED = "profile_updated", _("Profile updated")
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        KYC_STATUS_SET = "kyc_status_set", _("KYC status set")
        ROLES_CHANGED = "roles_changed", _("Roles changed")
        UNLOCKED = "unlocked", _("Unlocked after failed sign-ins")
        VERIFICATION_SENT = "verification_sent", _("Verification email sent again")
        MFA_ENROLLED = "mfa_enrolled", _("Two-factor authentication set up")
        MFA_RECOVERY_CODES_GENERATED = "mfa_recovery_codes_generated", _("Two-factor recovery codes generated")
        MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", _("Two-factor recovery code used")
        MFA_RESET = "mfa_reset", _("Two-factor authentication reset")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_event_user_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id}"


STAFF_NOTE_MAX_LENGTH = 4000


class StaffNote(models.Model):
    """An internal note about a user by a staff member, shown on the user's 360 page and never to
    the user. Append-only: written by ``services.staff_note_add``, never edited or deleted (the
    model has no change or delete permission; corrections are a further note)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="staff_notes")
    author = models.ForeignKey(User, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"), max_length=STAFF_NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")
        ordering = ["-created_at", "-id"]
        default_permissions = ("add", "view")
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="accounts_staffnote_user_time")]
        constraints = [models.CheckConstraint(condition=~models.Q(body=""), name="accounts_staffnote_body_required")]

    def __str__(self) -> str:
        return f"Note #{self.pk} on user {self.user_id}"


from apps.accounts.mfa.models import RecoveryCode  # noqa: E402,F401  (two-factor recovery codes)
