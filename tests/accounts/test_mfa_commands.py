"""``totp_device_create`` (a confirmed device, its otpauth:// URI printed once, refusals that change
nothing), ``totp_code`` (development only) and the demo staff's devices from ``seed_demo``."""

import re
from base64 import b32decode
from io import StringIO
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.mfa import services
from apps.accounts.models import User, UserEvent
from apps.backoffice.management.commands.seed_demo import DEMO_TOTP_KEYS
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.mfa import totp_code

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_totp_device_create_prints_a_standard_otpauth_uri_once(api_client):
    staff = StaffFactory(email="ops@bursar.example")
    out, err = run("totp_device_create", "OPS@bursar.example")
    uri = out.strip()
    assert out.count("otpauth://") == 1 and "not shown again" in err
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, unquote(parts.path)) == ("otpauth", "totp", "/Bursar:ops@bursar.example")
    query = parse_qs(parts.query)
    assert {name: values for name, values in query.items() if name != "secret"} == {
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
        "issuer": ["Bursar"],
    }
    secret = query["secret"][0]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)  # 20 bytes, base32
    device = TOTPDevice.objects.get(user=staff)
    assert (device.confirmed, b32decode(secret).hex()) == (True, device.key)
    assert list(UserEvent.objects.filter(user=staff).values_list("kind", flat=True)) == [UserEvent.Kind.MFA_ENROLLED]
    # The code an authenticator computes from the URI alone (RFC 6238 here, not django-otp) signs in.
    otp = totp_code(b32decode(secret).hex())
    response = api_client.post(
        "/api/auth/login/", {"email": staff.email, "password": DEFAULT_PASSWORD, "otp": otp}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Not an email address: 'not-an-email'."),
        ("", "Not an email address: ''."),
        ("nobody@bursar.example", "No account has the email nobody@bursar.example."),
    ],
)
def test_totp_device_create_refuses_a_bad_or_unknown_email(email, message, unchanged_db):
    StaffFactory()
    with unchanged_db(), pytest.raises(CommandError) as refused:
        run("totp_device_create", email)
    assert str(refused.value) == message


def test_totp_device_create_refuses_a_username_that_is_not_the_email(unchanged_db):
    UserFactory(username="ivy")
    with unchanged_db(), pytest.raises(CommandError):
        run("totp_device_create", "ivy")


def test_totp_device_create_keeps_an_existing_device_unless_replace(unchanged_db):
    staff = StaffFactory()
    first = services.totp_device_create(user=staff, confirmed=True)
    with unchanged_db(), pytest.raises(CommandError) as refused:
        run("totp_device_create", staff.email)
    assert str(refused.value) == f"{staff.email} already has an authenticator app set up; --replace replaces it."
    out, _err = run("totp_device_create", staff.email, "--replace")
    device = TOTPDevice.objects.get(user=staff)
    assert device.pk != first.pk and device.key != first.key and device.config_url == out.strip()


def test_totp_device_create_refuses_a_deactivated_account(unchanged_db):
    former = StaffFactory(is_active=False)
    with unchanged_db(), pytest.raises(CommandError) as refused:
        run("totp_device_create", former.email)
    assert str(refused.value) == f"The account {former.email} is deactivated."


def test_totp_code_runs_only_in_development(settings, unchanged_db):
    settings.DEBUG = False
    staff = StaffFactory()
    services.totp_device_create(user=staff, confirmed=True)
    with unchanged_db(), pytest.raises(CommandError) as refused:
        run("totp_code", staff.email)
    assert str(refused.value).startswith("totp_code runs only in development (DEBUG on).")


def test_totp_code_prints_the_code_the_device_accepts(settings):
    settings.DEBUG = True
    staff = StaffFactory()
    device = services.totp_device_create(user=staff, confirmed=True)
    out, _err = run("totp_code", staff.email)
    assert out.strip() == totp_code(device.key)
    with pytest.raises(CommandError) as no_device:
        run("totp_code", StaffFactory().email)
    assert str(no_device.value).endswith("has no authenticator app set up.")


def test_seed_demo_gives_the_demo_staff_their_published_devices_in_development(settings, kyc_storage):
    settings.DEBUG = True
    run("seed_demo")
    devices = {device.user.email: device for device in TOTPDevice.objects.select_related("user")}
    assert {email: (device.key, device.confirmed) for email, device in devices.items()} == {
        "admin@bursar.local": (b"bursar-demo-admin-26".hex(), True),
        "finance@bursar.local": (b"bursar-demo-financ26".hex(), True),
    }
    assert {email: device.key for email, device in devices.items()} == DEMO_TOTP_KEYS
    out, _err = run("totp_code", "admin@bursar.local")
    assert out.strip() == totp_code(DEMO_TOTP_KEYS["admin@bursar.local"])
    second, _err = run("seed_demo")
    assert second.splitlines()[0] == "Demo data already loaded: nothing changed."
    assert TOTPDevice.objects.count() == 2
    assert User.objects.get(email="investor@bursar.local").totpdevice_set.count() == 0
