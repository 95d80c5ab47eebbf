"""The original client, call for call.

The system we replace shipped a React client whose API layer (``src/services/*.ts`` over one
``api.service.ts``) was written for the original Django backend. ../shared/seed/seed-contract.md
§2.2 lists every call it makes: method, path, body and the fields it reads. This module replays
the session such a client makes, in its order and with exactly its bodies (ids in the path, its
own field names, JSON numbers for amounts, a logout without a body), and asserts the status, the
fields the client reads and what each call did to the ledger.

``OriginalClient`` behaves as ``api.service.ts`` does: JSON in and out, the access token of its
scope as a Bearer header, ``res.data`` returned, and the error text read from ``detail``.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.core import mail
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.investments.services.accrual import accrue_returns
from apps.messaging.selectors.tasks import task_message_id
from apps.referrals.models import CommissionRule
from apps.wallet.models import Entry, EntryKind
from tests.factories import DEFAULT_PASSWORD, SuperuserFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.kyc.helpers import jpeg_bytes, png_bytes, upload
from tests.messaging.helpers import task_for
from tests.mfa import staff_otp
from tests.referrals.helpers import make_milestone
from tests.wallet.helpers import assert_ledger_ok, balances

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kyc_storage")]

D = Decimal
DAY0 = date(2026, 3, 2)
PASSWORD = "Sturdy-Pass-91"
NEW_PASSWORD = "Sturdier-Pass-92"
# The fields of the client's TypeScript types that it reads.
USER_FIELDS = {
    "id",
    "email",
    "username",
    "first_name",
    "last_name",
    "balance",
    "referral_code",
    "is_verified",
    "is_kyc_verified",
    "created_at",
    "role",
    "language",
}
STATS_FIELDS = {
    "total_balance",
    "active_investments",
    "total_earnings",
    "total_referrals",
    "pending_withdrawals",
    "recent_activities",
}
PACK_FIELDS = {"id", "name", "min_amount", "max_amount", "daily_return_rate", "duration_days", "is_active"}
INVESTMENT_FIELDS = {
    "id",
    "user",
    "pack",
    "amount",
    "daily_return",
    "start_date",
    "end_date",
    "days_elapsed",
    "total_return",
    "status",
    "created_at",
}
TRANSACTION_FIELDS = {
    "id",
    "user",
    "type",
    "amount",
    "status",
    "wallet_address",
    "transaction_hash",
    "admin_note",
    "created_at",
    "updated_at",
}
KYC_FIELDS = {
    "id",
    "full_name",
    "date_of_birth",
    "country",
    "id_type",
    "id_number",
    "status",
    "admin_note",
    "submitted_at",
    "reviewed_at",
}
MESSAGE_FIELDS = {
    "id",
    "sender",
    "recipient",
    "subject",
    "message",
    "offer_platform",
    "submitted_link",
    "link_status",
    "is_read",
    "created_at",
}
ADMIN_STATS_FIELDS = [
    "total_users",
    "active_investments",
    "pending_deposits",
    "pending_withdrawals",
    "pending_kyc",
    "total_platform_balance",
    "total_earnings",
    "recent_users",
]
PAGE_FIELDS = {"count", "next", "previous", "results"}


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC")), tick=False)


class OriginalClient:
    """``services/api.service.ts``: one scope's tokens, JSON, ``res.data``."""

    def __init__(self):
        self.http = APIClient()
        self.status = None

    def set_tokens(self, access: str) -> None:
        self.http.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    def clear_tokens(self) -> None:
        self.http.credentials()

    def _send(self, method: str, path: str, body=None, *, expect: int):
        kwargs = {} if body is None else {"data": body, "format": "json"}
        response = getattr(self.http, method)(f"/api/{path}", **kwargs)
        self.status = response.status_code
        assert response.status_code == expect, (method, path, response.status_code, response.content[:400])
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        return response.json()

    def get(self, path: str, *, expect: int = 200):
        return self._send("get", path, expect=expect)

    def post(self, path: str, body=None, *, expect: int = 200):
        return self._send("post", path, body, expect=expect)

    def patch(self, path: str, body=None, *, expect: int = 200):
        return self._send("patch", path, body, expect=expect)

    def delete(self, path: str, *, expect: int = 200):
        return self._send("delete", path, expect=expect)

    def upload(self, path: str, fields: dict, *, expect: int = 201):
        response = self.http.post(f"/api/{path}", fields, format="multipart")
        assert response.status_code == expect, (path, response.status_code, response.content[:400])
        return response.json()


def emailed_token(pattern: str) -> str:
    match = re.search(pattern + r"([^/\s]+)/", mail.outbox[-1].body)
    assert match is not None, mail.outbox[-1].body
    return match.group(1)


def kyc_fields(**overrides) -> dict:
    fields = {
        "full_name": "Nour Haddad",
        "date_of_birth": "1991-04-02",
        "country": "Jordan",
        "id_type": "passport",
        "id_number": "N7654321",
        "id_front_image": upload(jpeg_bytes(), "front.jpg", "image/jpeg"),
        "id_back_image": upload(png_bytes(), "back.png"),
        "selfie_image": upload(jpeg_bytes(color=(0, 200, 0)), "selfie.jpg", "image/jpeg"),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def platform():
    """What an operator set up: staff, a referrer, two plans, a referral milestone; and the
    default 3 % commission rule that `migrate` creates (referrals 0002), made again here because
    this test is transactional: one that ran before it in the same process emptied every table."""
    CommissionRule.objects.get_or_create(level=1, defaults={"rate": D("3.0000")})
    with at(DAY0 - timedelta(days=10)):
        staff = SuperuserFactory(email="ops@bursar.example")
        referrer = UserFactory(email="rami@example.com", first_name="Rami", last_name="Saleh")
    with at(DAY0):
        plain = make_plan(
            actor=staff,
            name="Starter",
            min_amount="100.00",
            max_amount="5000.00",
            daily_rate=D("1.5000"),
            term_days=30,
            risk_disclosure="",
        )
        disclosed = make_plan(
            actor=staff,
            name="Growth",
            min_amount="500.00",
            max_amount="20000.00",
            daily_rate=D("2.0000"),
            term_days=60,
            risk_disclosure="Returns are not guaranteed; you can lose your principal.",
        )
        make_milestone(actor=staff, name="Bronze", required_referrals=1, reward_amount="25.00", icon="bronze")
    return {"staff": staff, "referrer": referrer, "plain": plain, "disclosed": disclosed}


def test_a_whole_session_of_the_original_client(platform):
    staff, referrer, plain, disclosed = (platform[k] for k in ("staff", "referrer", "plain", "disclosed"))
    customer, admin = OriginalClient(), OriginalClient()

    with at(DAY0):
        # --- auth.signup, auth.verifyEmail, auth.login, auth.getProfile ---------------------------
        signup = customer.post(
            "auth/signup/",
            {
                "email": "nour@example.com",
                "username": "nour",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
                "first_name": "Nour",
                "last_name": "Haddad",
                "referral_code": referrer.referral_code,
            },
            expect=201,
        )
        assert isinstance(signup["message"], str) and signup["message"]
        nour = User.objects.get(email="nour@example.com")
        assert nour.referred_by_id == referrer.pk
        customer.post("auth/verify-email/", {"token": emailed_token(r"/verify-email/")})
        login = customer.post("auth/login/", {"email": "nour@example.com", "password": PASSWORD})
        assert set(login["user"]) >= USER_FIELDS and {"access", "refresh"} <= set(login)
        customer.set_tokens(login["access"])
        profile = customer.get("users/profile/")
        assert set(profile) >= USER_FIELDS
        assert (profile["id"], profile["username"], profile["is_verified"], profile["role"]) == (
            nour.pk,
            "nour",
            True,
            "customer",
        )
        assert profile["balance"] == "0.00"

        # --- dashboard.getUserStats, investment.getInvestmentPacks ---------------------------------
        stats = customer.get("users/stats/")
        assert set(stats) >= STATS_FIELDS
        assert (stats["pending_withdrawals"], stats["active_investments"], stats["recent_activities"]) == (0, 0, [])
        packs = customer.get("investments/packs/")
        assert isinstance(packs, list) and [pack["name"] for pack in packs] == ["Starter", "Growth"]
        assert all(set(pack) >= PACK_FIELDS for pack in packs)

        # --- transaction.createDeposit (a JSON number), admin approves by path ---------------------
        deposit = customer.post("transactions/deposit/", {"amount": 2500.5, "wallet_address": "TNour1"}, expect=201)
        assert set(deposit) >= TRANSACTION_FIELDS
        assert (deposit["user"], deposit["type"], deposit["amount"], deposit["status"]) == (
            nour.pk,
            "deposit",
            "2500.50",
            "pending",
        )
        staff_login = admin.post(
            "auth/login/", {"email": staff.email, "password": DEFAULT_PASSWORD, "otp": staff_otp(staff)}
        )
        admin.set_tokens(staff_login["access"])
        assert staff_login["user"]["role"] == "admin" and staff_login["user"]["username"] == ""
        queue = admin.get("admin/deposits/?page=1&type=deposit&status=pending")
        assert set(queue) == PAGE_FIELDS and [row["id"] for row in queue["results"]] == [deposit["id"]]
        assert (queue["results"][0]["user"], queue["results"][0]["user_email"]) == (nour.pk, "nour@example.com")
        approved = admin.post(f"admin/transactions/approve/{deposit['id']}/", {"transaction_hash": "0xNOUR1"})
        assert (approved["status"], approved["transaction_hash"], approved["confirmed_hash"]) == (
            "approved",
            "0xNOUR1",
            "0xNOUR1",
        )
        assert balances(nour) == (D("2500.50"), D("0.00"), D("0.00"))
        admin.post(f"admin/transactions/approve/{deposit['id']}/", {"transaction_hash": "0xNOUR1"}, expect=409)
        assert balances(nour) == (D("2500.50"), D("0.00"), D("0.00"))

        # --- investment.createInvestment: {pack_id, amount}, the client's only body ----------------
        bought = customer.post("investments/create/", {"pack_id": plain.pk, "amount": 1000}, expect=201)
        assert set(bought) >= INVESTMENT_FIELDS
        assert (bought["user"], bought["amount"], bought["daily_return"], bought["status"]) == (
            nour.pk,
            "1000.00",
            "15.00",
            "active",
        )
        assert bought["pack"] == packs[0]  # the full pack, as investments/packs/ shows it
        # A plan with a risk disclosure needs it accepted once (here through Bursar's own field; the
        # portal does the same); then the client's body is enough, for this disclosure version.
        refused = customer.post("investments/create/", {"pack_id": disclosed.pk, "amount": 500}, expect=400)
        assert refused["code"] == "terms_not_accepted" and refused["detail"]
        customer.post("investments/create/", {"pack_id": disclosed.pk, "amount": 500, "accept_terms": True}, expect=201)
        customer.post("investments/create/", {"pack_id": disclosed.pk, "amount": 500.25}, expect=201)
        assert balances(nour) == (D("500.25"), D("0.00"), D("2000.25"))
        commission = D("2000.25") * D("0.03")
        assert balances(referrer)[0] == commission.quantize(D("0.01"))

    with at(DAY0 + timedelta(days=1), hour=1):
        accrue_returns()
    with at(DAY0 + timedelta(days=1)):
        # A day later the access tokens have expired: the client drops them and signs in again.
        customer.set_tokens(customer.post("auth/login/", {"email": "nour@example.com", "password": PASSWORD})["access"])
        admin.set_tokens(
            admin.post("auth/login/", {"email": staff.email, "password": DEFAULT_PASSWORD, "otp": staff_otp(staff)})[
                "access"
            ]
        )
        # --- investment.getUserInvestments, getChartData; transaction.getTransactions, History ------
        mine = customer.get("investments/my-investments/")
        assert isinstance(mine, list) and len(mine) == 3
        assert all(set(row) >= INVESTMENT_FIELDS and row["user"] == nour.pk for row in mine)
        assert [row["pack"]["name"] for row in mine] == ["Growth", "Growth", "Starter"]
        assert [row["total_return"] for row in mine] == ["10.01", "10.00", "15.00"]
        chart = customer.get("investments/chart-data/?period=7d")
        assert chart[-1] == {"date": (DAY0 + timedelta(days=1)).isoformat(), "value": "35.01"}
        assert len({point["date"] for point in chart}) == len(chart)  # one point per date
        page = customer.get("transactions/?page=1&type=&status=")
        # a deposit, three purchases, and the day's returns of the three positions as one "earning"
        # row: one posting per investor and date since issue 13 (it was one row per position)
        assert set(page) == PAGE_FIELDS and page["count"] == 5
        assert all(set(row) >= TRANSACTION_FIELDS and row["user"] == nour.pk for row in page["results"])
        assert sorted({row["type"] for row in page["results"]}) == ["deposit", "earning", "investment"]
        earnings = customer.get("transactions/?page=1&type=earning")["results"]
        assert [row["amount"] for row in earnings] == ["35.01"]  # 10.01 + 10.00 + 15.00
        history = customer.get("transactions/history/")
        assert isinstance(history, list) and history == page["results"]
        stats = customer.get("users/stats/")
        assert (stats["total_earnings"], stats["active_investments"]) == ("35.01", 3)

        # --- kyc.submitKYC, getKYCStatus; admin.getKYCRequests, rejectKYC and approveKYC by path ---
        assert customer.get("kyc/status/") == {"status": "not_submitted"}
        submitted = customer.upload("kyc/submit/", kyc_fields())
        assert set(submitted) >= KYC_FIELDS and submitted["status"] == "pending"
        kyc_queue = admin.get("admin/kyc/?page=1&status=pending")
        [row] = kyc_queue["results"]
        assert (row["user"], row["user_email"]) == (nour.pk, "nour@example.com")
        assert row["id_front_image"].endswith("/api/admin/kyc/documents/" + str(row["documents"][0]["id"]) + "/")
        rejected = admin.post(f"admin/kyc/reject/{row['id']}/", {"reason": "The selfie is blurred."})
        assert (rejected["status"], rejected["admin_note"], rejected["rejection_reason"]) == (
            "rejected",
            "The selfie is blurred.",
            "other",
        )
        again = customer.upload("kyc/submit/", kyc_fields())
        approved_kyc = admin.post(f"admin/kyc/approve/{again['id']}/", {"note": "Clear now."})
        assert (approved_kyc["status"], approved_kyc["admin_note"]) == ("approved", "Clear now.")
        status = customer.get("kyc/status/")
        assert (status["id"], status["status"]) == (again["id"], "approved")
        assert customer.get("users/profile/")["is_kyc_verified"] is True

        # --- transaction.createWithdrawal; admin approves one by path, rejects one by path ---------
        paid = customer.post("transactions/withdraw/", {"amount": 99.99, "wallet_address": "TNourOut"}, expect=201)
        kept = customer.post("transactions/withdraw/", {"amount": 100, "wallet_address": "TNourOut"}, expect=201)
        assert (paid["type"], paid["amount"], paid["status"]) == ("withdrawal", "99.99", "pending")
        assert customer.get("users/stats/")["pending_withdrawals"] == 2
        assert balances(nour) == (D("335.27"), D("199.99"), D("2000.25"))
        queue = admin.get("admin/withdrawals/?page=1&type=withdrawal&status=pending")
        assert [row["id"] for row in queue["results"]] == [kept["id"], paid["id"]]
        payout = admin.post(f"admin/transactions/approve/{paid['id']}/", {"transaction_hash": "0xPAYOUT1"})
        assert (payout["status"], payout["transaction_hash"]) == ("approved", "0xPAYOUT1")
        refusal = admin.post(f"admin/transactions/reject/{kept['id']}/", {"reason": "Address is on a blocklist."})
        assert (refusal["status"], refusal["admin_note"]) == ("rejected", "Address is on a blocklist.")
        assert balances(nour) == (D("435.27"), D("0.00"), D("2000.25"))

        # --- referral.getReferralCode, getReferralStats, getMyReferrals (the referrer's client) ----
        code = customer.get("referrals/my-code/")
        assert code["referral_code"] == nour.referral_code
        rami = OriginalClient()
        rami.set_tokens(rami.post("auth/login/", {"email": referrer.email, "password": DEFAULT_PASSWORD})["access"])
        referral_stats = rami.get("referrals/stats/")
        assert (referral_stats["total_referrals"], referral_stats["total_commission"]) == (1, "60.01")
        assert [row["name"] for row in referral_stats["referrals"]] == ["Nour"]
        [pack] = referral_stats["packs"]
        assert (pack["pack"]["name"], pack["pack"]["required_referrals"], pack["achieved"]) == ("Bronze", 1, True)
        my_referrals = rami.get("referrals/my-referrals/")
        assert [row["name"] for row in my_referrals["results"]] == ["Nour"]
        rami_types = {row["type"] for row in rami.get("transactions/history/")}
        assert "referral_commission" in rami_types

        # --- message.*: a custom offer, read, marked read and answered by path; admin reviews ------
        offers = []
        for platform_name in ("Facebook", "Instagram"):
            offers.append(
                admin.post(
                    "messages/send/",
                    {
                        "recipient": nour.pk,
                        "subject": f"Follow us on {platform_name}",
                        "message": "Follow the page and send us the link.",
                        "offer_details": {"platform": platform_name},
                    },
                    expect=201,
                )
            )
        assert [offer["offer_platform"] for offer in offers] == ["facebook", "instagram"]
        inbox = customer.get("messages/?page=1")
        assert set(inbox) == PAGE_FIELDS
        assert all(set(message) >= MESSAGE_FIELDS for message in inbox["results"])
        assert {message["id"] for message in inbox["results"]} >= {offer["id"] for offer in offers}
        customer.post(f"messages/mark-read/{offers[0]['id']}/")
        assert next(m for m in customer.get("messages/")["results"] if m["id"] == offers[0]["id"])["is_read"] is True
        for offer in offers:
            sent = customer.post(
                f"messages/submit-link/{offer['id']}/", {"link": f"https://example.com/p/{offer['id']}"}
            )
            assert sent["link_status"] == "pending"
        admin_messages = admin.get("admin/messages/?page=1")
        assert set(admin_messages) == PAGE_FIELDS and admin_messages["count"] >= 2
        approved_link = admin.post(f"admin/messages/approve-link/{offers[0]['id']}/")
        rejected_link = admin.post(f"admin/messages/reject-link/{offers[1]['id']}/", {"reason": "Not our page."})
        assert (approved_link["link_status"], rejected_link["link_status"]) == ("approved", "rejected")
        assert balances(nour) == (D("435.27"), D("0.00"), D("2000.25"))  # an offer without a reward pays nothing
        support = customer.post(
            "messages/send/", {"recipient": staff.pk, "subject": "Hi", "message": "Thanks!"}, expect=201
        )
        assert support["recipient"]["is_staff"] is True

        # --- admin.getAdminStats, getUsers, updateUser and deleteUser by path, investments, affiliates
        admin_stats = admin.get("admin/stats/")
        assert list(admin_stats)[:8] == ADMIN_STATS_FIELDS
        assert (admin_stats["total_users"], admin_stats["active_investments"], admin_stats["pending_kyc"]) == (2, 3, 0)
        assert (admin_stats["pending_deposits"], admin_stats["pending_withdrawals"]) == (0, 0)
        assert admin_stats["total_earnings"] == "35.01"
        assert [user["email"] for user in admin_stats["recent_users"]] == ["nour@example.com", "rami@example.com"]
        users = admin.get("admin/users/?page=1&search=nour")
        assert set(users) == PAGE_FIELDS and [user["id"] for user in users["results"]] == [nour.pk]
        updated = admin.patch(f"admin/users/update/{nour.pk}/", {"first_name": "Nour A."})
        assert (updated["id"], updated["first_name"]) == (nour.pk, "Nour A.")
        leaving = UserFactory(email="leaving@example.com")
        admin.delete(f"admin/users/delete/{leaving.pk}/")
        leaving.refresh_from_db()
        assert leaving.is_active is False  # deactivated, never deleted
        investments = admin.get("admin/investments/?page=1&status=active")
        assert investments["count"] == 3
        assert all((row["user"], row["user_email"]) == (nour.pk, "nour@example.com") for row in investments["results"])
        affiliates = admin.get("admin/affiliates/")
        assert [(row["user"], row["total_referrals"]) for row in affiliates["results"]] == [(referrer.pk, 1)]
        assert (affiliates["total_referrals"], affiliates["total_commissions"], affiliates["active_referrers"]) == (
            1,
            "60.01",
            1,
        )
        assert [row["email"] for row in affiliates["top_referrers"]] == ["rami@example.com"]

        # --- auth.changePassword, forgotPassword, resetPassword, logout (no body) ------------------
        customer.post("auth/change-password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
        anonymous = OriginalClient()
        anonymous.post("auth/forgot-password/", {"email": "nour@example.com"})
        token = emailed_token(r"/password/reset/")
        anonymous.post("auth/reset-password/", {"token": token, "new_password": "Sturdiest-Pass-93"})
        relogin = anonymous.post("auth/login/", {"email": "nour", "password": "Sturdiest-Pass-93"})
        customer.set_tokens(relogin["access"])
        customer.post("auth/logout/")
        refreshed = APIClient().post("/api/auth/token/refresh/", {"refresh": relogin["refresh"]}, format="json")
        assert refreshed.status_code == 401

    # The ledger: every movement above, balanced, once each.
    assert Entry.objects.filter(kind=EntryKind.DEPOSIT).count() == 1
    assert Entry.objects.filter(kind=EntryKind.WITHDRAWAL_PAYOUT).count() == 1
    assert Entry.objects.filter(kind=EntryKind.INVESTMENT).count() == 3
    assert Entry.objects.filter(kind=EntryKind.TASK_REWARD).count() == 0
    assert_ledger_ok()


STAFF_PATH_FORMS = [
    ("post", "admin/transactions/approve/{}/", "transaction_id"),
    ("post", "admin/transactions/reject/{}/", "transaction_id"),
    ("post", "admin/kyc/approve/{}/", "kyc_id"),
    ("post", "admin/kyc/reject/{}/", "kyc_id"),
    ("post", "admin/messages/approve-link/{}/", "message_id"),
    ("post", "admin/messages/reject-link/{}/", "message_id"),
    ("patch", "admin/users/update/{}/", "user_id"),
    ("delete", "admin/users/delete/{}/", "user_id"),
]
INVESTOR_PATH_FORMS = [
    ("post", "messages/mark-read/{}/", "message_id"),
    ("post", "messages/submit-link/{}/", "message_id"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "field"), STAFF_PATH_FORMS + INVESTOR_PATH_FORMS)
@pytest.mark.parametrize("junk", ["abc", "0", "-1", "1.5", "1e3", "%D9%A1", "%20"])
def test_a_path_id_that_is_not_an_integer_is_a_400_on_its_field(
    staff_api, investor_api, unchanged_db, method, path, field, junk
):
    client = staff_api if path.startswith("admin/") else investor_api
    with unchanged_db():
        response = getattr(client, method)(f"/api/{path.format(junk)}", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {field: ["The id in the path must be a positive integer."]}


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "field"), STAFF_PATH_FORMS)
def test_an_unknown_id_in_the_path_is_a_json_404(staff_api, unchanged_db, method, path, field):
    body = {"reason": "x"} if "reject" in path else {}
    with unchanged_db():
        response = getattr(staff_api, method)(f"/api/{path.format(987654321)}", body, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "field"), INVESTOR_PATH_FORMS)
def test_another_investors_message_by_path_is_a_404(superuser, investor_api, unchanged_db, method, path, field):
    message_id = task_message_id(task=task_for(UserFactory(), staff=superuser))
    body = {"link": "https://example.com/proof"} if "submit-link" in path else {}
    with unchanged_db():
        response = getattr(investor_api, method)(f"/api/{path.format(message_id)}", body, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "errors"),
    [
        (
            "messages/send/",
            {"recipient": 1, "subject": "s", "message": "m", "offer_details": "facebook"},
            {"offer_details": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}},
        ),
        (
            "messages/send/",
            {"recipient": 1, "recipient_id": 2, "subject": "s", "message": "m"},
            {"recipient_id": ["Sent twice with different values."]},
        ),
        (
            "admin/transactions/reject/",
            {"transaction_id": 1, "note": "a", "admin_note": "b"},
            {"admin_note": ["Sent twice with different values."]},
        ),
        (
            "admin/kyc/approve/",
            {"kyc_id": 1, "note": "a", "admin_note": "b"},
            {"admin_note": ["Sent twice with different values."]},
        ),
        (
            "messages/submit-link/",
            {"message_id": 1, "link": "https://a.example/", "submitted_link": "https://b.example/"},
            {"submitted_link": ["Sent twice with different values."]},
        ),
    ],
)
def test_aliases_never_widen_what_is_accepted(staff_api, unchanged_db, path, body, errors):
    with unchanged_db():
        response = staff_api.post(f"/api/{path}", body, format="json")

    assert response.status_code == 400
    assert response.json() == errors


def test_both_forms_are_in_the_schema():

    out = __import__("io").StringIO()
    call_command("spectacular", stdout=out)
    paths = yaml.safe_load(out.getvalue())["paths"]
    for method, path, field in STAFF_PATH_FORMS + INVESTOR_PATH_FORMS:
        body_form = "/api/" + path.replace("{}/", "")
        path_form = "/api/" + path.format("{" + field + "}")
        assert method in paths[body_form], body_form
        operation = paths[path_form][method]
        assert operation["operationId"].endswith("_by_path"), path_form
        assert [(p["name"], p["in"], p["schema"]["type"]) for p in operation["parameters"] if p["in"] == "path"] == [
            (field, "path", "integer")
        ]
