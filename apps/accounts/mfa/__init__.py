"""Two-factor authentication (django-otp): TOTP devices, hashed one-time recovery codes, the
session's verification and its freshness for step-up, and the staff enforcement on the admin.

Interface: ``services`` (writes, and the checks that count failures) and ``selectors`` (reads).
Kept free of imports so that ``apps.accounts.models`` can load ``mfa.models`` at start-up."""
