"""The admin's top search (unfold's command search, ``apps.backoffice.search``): users by email,
username or name; deposits, withdrawals, positions, users and tickets by number; each result
linking to its change page; only the kinds the staff member may view; a fixed number of queries
whatever the data; and junk input finds nothing, never a 500."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.backoffice.search import USERS_SHOWN, admin_search_callback, prefix_successor
from apps.investments.services.positions import investment_open
from apps.wallet.models import Deposit
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.backoffice.conftest import staff_with_role
from tests.factories import StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.messaging.helpers import ticket_open
from tests.wallet.helpers import fund, kyc_approve

pytestmark = pytest.mark.django_db

SEARCH = "/admin/search/"
DAY0 = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def empty_cache():
    """unfold keeps results per (user id, term) for five minutes; ids repeat between tests."""
    cache.clear()
    yield
    cache.clear()


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=(obj.pk,))


def search(client, term: str) -> list[tuple[str, str, str]]:
    """What the command search lists for ``term``: (title, description, link) of each result."""
    response = client.get(SEARCH, {"s": term, "extended": "1"})
    assert response.status_code == 200, term
    if not response.content:
        return []  # unfold answers an empty term with an empty page
    return [(item.title, item.description, str(item.link)) for item in response.context["results"]]


def records(client, term: str) -> list[tuple[str, str, str]]:
    """The results that are records (change pages), without the menu entries unfold matches."""
    return [result for result in search(client, term) if result[2].endswith("/change/")]


def described(*parts: str) -> str:
    """A result's description: its parts, each a bidi isolate, between middle dots."""
    return " · ".join(f"\u2068{part}\u2069" for part in parts)


def callback(user, term: str):
    request = RequestFactory().get(SEARCH)
    request.user = user
    return admin_search_callback(request, term)


@pytest.fixture
def grace(db):
    return UserFactory(
        email="grace.hopper@example.com", username="amazing_grace", first_name="Grace", last_name="Hopper"
    )


@pytest.fixture
def money(superuser, grace):
    """One record of each kind, the investor's: a deposit, a withdrawal, a position, a ticket."""
    plan = make_plan(actor=superuser, name="Starter", min_amount="100.00")
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        fund(grace, "1000.00", approver=superuser)
        kyc_approve(grace)
        position = investment_open(user=grace, plan_id=plan.pk, amount="500.00", terms_accepted=True)
        withdrawal = withdrawal_request_create(user=grace, amount="100.00", address="TXyz-payout-address")
        deposit = deposit_request_create(user=grace, amount="250.00")
    thread = ticket_open(grace, subject="Deposit not credited")
    return {"deposit": deposit, "withdrawal": withdrawal, "position": position, "thread": thread}


# --- what a term finds ---------------------------------------------------------------------------


def test_an_email_finds_its_user_linking_to_the_change_page(admin_client_for, superuser, grace):
    client = admin_client_for(superuser)
    expected = [("grace.hopper@example.com", described("Investor", "Grace Hopper", "amazing_grace"), change_url(grace))]
    assert records(client, "grace.hopper@example.com") == expected
    assert records(client, "Grace.Hopper@EXAMPLE.com") == expected
    assert client.get(change_url(grace)).status_code == 200


def test_a_username_a_first_name_a_last_name_and_a_full_name_find_the_user(admin_client_for, superuser, grace):
    client = admin_client_for(superuser)
    for term in ("amazing", "grace", "hopper", "Grace Hop", "grace.h"):
        assert [title for title, _description, _link in records(client, term)] == ["grace.hopper@example.com"], term


def test_users_match_by_prefix_only(admin_client_for, superuser, grace):
    """A prefix, not a part: "hopper@" is inside the email but starts nothing."""
    client = admin_client_for(superuser)
    for term in ("hopper@example.com", "example.com", "race", "opper", "zing"):
        assert records(client, term) == [], term


def test_users_are_listed_by_email_and_at_most_users_shown(admin_client_for, superuser):
    for n in reversed(range(USERS_SHOWN + 3)):
        UserFactory(email=f"twin{n:02d}@example.com", first_name="Twin", last_name=f"N{n}")
    titles = [title for title, _description, _link in records(admin_client_for(superuser), "twin")]
    assert titles == [f"twin{n:02d}@example.com" for n in range(USERS_SHOWN)]


def test_a_staff_user_is_described_as_staff(admin_client_for, superuser):
    member = StaffFactory(email="desk@bursar.example", first_name="Desk", last_name="Person")
    assert records(admin_client_for(superuser), "desk@") == [
        ("desk@bursar.example", described("Staff", "Desk Person"), change_url(member))
    ]


def test_a_number_and_its_kind_find_the_request_position_and_ticket(admin_client_for, superuser, money):
    client = admin_client_for(superuser)
    deposit, withdrawal, position, thread = money["deposit"], money["withdrawal"], money["position"], money["thread"]
    assert records(client, f"deposit #{deposit.pk}") == [
        (
            f"Deposit #{deposit.pk}",
            described("Pending", "250.00\u00a0USD", "grace.hopper@example.com"),
            change_url(deposit),
        )
    ]
    assert records(client, f"Withdrawal #{withdrawal.pk}") == [
        (
            f"Withdrawal #{withdrawal.pk}",
            described("Pending", "100.00\u00a0USD", "grace.hopper@example.com"),
            change_url(withdrawal),
        )
    ]
    assert records(client, f"position {position.pk}") == [
        (
            f"Position #{position.pk}",
            described("Active", "Starter", "500.00\u00a0USD", "grace.hopper@example.com"),
            change_url(position),
        )
    ]
    assert records(client, f"ticket #{thread.pk}") == [
        (
            f"#{thread.pk} Deposit not credited",
            described("Support ticket", "grace.hopper@example.com", "Open"),
            change_url(thread),
        )
    ]
    for kind in ("deposit", "withdrawal", "position", "ticket"):
        number = money["thread" if kind == "ticket" else kind].pk
        for _title, _description, link in records(client, f"{kind} {number}"):
            assert client.get(link).status_code == 200, link


def test_a_number_alone_finds_every_kind_with_that_id(admin_client_for, superuser, money):
    deposit, position, thread = money["deposit"], money["position"], money["thread"]
    number = 700001
    Deposit.objects.filter(pk=deposit.pk).update(id=number)  # no other row points at it yet
    same_number = UserFactory(pk=number, email="same.number@example.com", first_name="Same", last_name="Number")
    assert number not in (position.pk, thread.pk)
    client = admin_client_for(superuser)
    expected = [
        ("same.number@example.com", described("Investor", "Same Number"), change_url(same_number)),
        (
            f"Deposit #{number}",
            described("Pending", "250.00\u00a0USD", "grace.hopper@example.com"),
            f"/admin/wallet/deposit/{number}/change/",
        ),
    ]
    for term in (str(number), f"#{number}", f" # {number} "):
        assert records(client, term) == expected, term
    assert [title for title, _d, _l in records(client, f"Deposit #{number}")] == [f"Deposit #{number}"]
    assert [title for title, _d, _l in records(client, f"deposits {number}")] == [f"Deposit #{number}"]
    assert [link for _t, _d, link in records(client, f"user #{number}")] == [change_url(same_number)]
    assert records(client, f"withdrawal #{number}") == []  # one id space: this number is a deposit


def test_digits_of_any_script_are_a_number(admin_client_for, superuser):
    member = UserFactory(pk=1042, email="arabic.digits@example.com")
    assert [link for _t, _d, link in records(admin_client_for(superuser), "#١٠٤٢")] == [change_url(member)]


def test_a_word_then_digits_is_text_not_a_number(admin_client_for, superuser):
    UserFactory(pk=12, email="someone@example.com")
    named = UserFactory(email="user12@example.com", username="user12")
    client = admin_client_for(superuser)
    assert [link for _t, _d, link in records(client, "user12")] == [change_url(named)]
    assert records(client, "bob 12") == []  # "bob" names no kind: text, and no user starts so


def test_a_number_nobody_has_finds_nothing(admin_client_for, superuser, money):
    assert records(admin_client_for(superuser), "#987654321") == []


def test_the_menu_entries_are_still_found_by_name(admin_client_for, superuser):
    results = search(admin_client_for(superuser), "deposit")
    assert ("Deposits", "Wallet and ledger", reverse("admin:wallet_deposit_changelist")) in [
        (title, str(description), link) for title, description, link in results
    ]


def test_the_sidebar_box_opens_the_command_search(admin_client_for, superuser):
    page = admin_client_for(superuser).get(reverse("admin:index")).content.decode()
    assert "$dispatch('opencommand')" in page
    assert 'id="search-input-command"' in page


# --- who sees what ---------------------------------------------------------------------------------


def test_support_finds_users_requests_and_tickets_but_no_positions(admin_client_for, grace, money):
    client = admin_client_for(staff_with_role("Support"))
    position, thread, deposit = money["position"], money["thread"], money["deposit"]
    assert [link for _t, _d, link in records(client, f"position {position.pk}")] == []
    assert change_url(position) not in [link for _t, _d, link in records(client, str(position.pk))]
    assert [link for _t, _d, link in records(client, f"ticket {thread.pk}")] == [change_url(thread)]
    assert [link for _t, _d, link in records(client, f"deposit {deposit.pk}")] == [change_url(deposit)]
    assert [link for _t, _d, link in records(client, "grace")] == [change_url(grace)]


def test_finance_finds_positions_but_no_tickets(admin_client_for, money):
    client = admin_client_for(staff_with_role("Finance"))
    position, thread = money["position"], money["thread"]
    assert [link for _t, _d, link in records(client, f"position {position.pk}")] == [change_url(position)]
    assert [link for _t, _d, link in records(client, f"ticket {thread.pk}")] == []


def test_kyc_review_finds_users_only(admin_client_for, grace, money):
    client = admin_client_for(staff_with_role("KYC review"))
    assert [link for _t, _d, link in records(client, "grace")] == [change_url(grace)]
    for kind in ("deposit", "withdrawal", "position", "ticket"):
        assert records(client, f"{kind} {money[kind if kind != 'ticket' else 'thread'].pk}") == [], kind


def test_staff_without_permissions_find_nothing_and_query_nothing_for_it(grace, money):
    bare = StaffFactory()
    bare.get_all_permissions()  # the permission cache, loaded as any admin page loads it
    with CaptureQueriesContext(connection) as context:
        assert callback(bare, "grace") == []
        assert callback(bare, str(money["deposit"].pk)) == []
    assert context.captured_queries == []


def test_investors_are_sent_to_the_sign_in_page(client, investor, grace):
    client.force_login(investor)
    response = client.get(SEARCH, {"s": "grace", "extended": "1"})
    assert response.status_code == 302
    assert grace.email.encode() not in response.content


# --- queries ---------------------------------------------------------------------------------------


def test_a_number_costs_one_query_per_kind(superuser, money, django_assert_num_queries):
    with django_assert_num_queries(5):  # user, deposit, withdrawal, position, thread
        results = callback(superuser, str(money["deposit"].pk))
    assert f"Deposit #{money['deposit'].pk}" in [result.title for result in results]
    with django_assert_num_queries(1):
        callback(superuser, f"ticket #{money['thread'].pk}")


def test_text_costs_three_queries_and_an_email_two_whatever_the_number_of_users(superuser, django_assert_num_queries):
    for n in range(3):
        UserFactory(email=f"few{n}@example.com", first_name="Few", last_name="Users")
    with django_assert_num_queries(3):  # email, username, names
        assert len(callback(superuser, "few")) == 3
    for n in range(30):
        UserFactory(email=f"many{n}@example.com", first_name="Many", last_name="Users")
    with django_assert_num_queries(3):
        assert len(callback(superuser, "many")) == USERS_SHOWN
    with django_assert_num_queries(2):  # not a name: email and username only
        assert len(callback(superuser, "many1@example.com")) == 1


def test_a_role_pays_its_permissions_once_and_skips_what_it_may_not_see(money, django_assert_num_queries):
    support = staff_with_role("Support")
    support.get_all_permissions()
    with django_assert_num_queries(4):  # user, deposit, withdrawal, thread: no position
        callback(support, str(money["position"].pk))


def test_the_whole_search_page_costs_the_same_for_one_match_or_many(admin_client_for, superuser):
    client = admin_client_for(superuser)
    UserFactory(email="solo@example.com")

    def count(term: str) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            search(client, term)
        return len(context.captured_queries)

    one = count("solo")
    for n in range(20):
        UserFactory(email=f"solo{n}@example.com")
    assert count("solo") == one


# --- bad input -------------------------------------------------------------------------------------


JUNK = [
    " ",
    "#",
    "##1",
    "#0",
    "#-1",
    "0",
    "-5",
    "1.5",
    "1e9",
    "99999999999999999999",  # beyond a 64-bit id
    "9223372036854775808",
    "deposit #99999999999999999999",
    "%",
    "_",
    "%@%",
    "\\",
    "'",
    "' OR '1'='1",
    "1; DROP TABLE accounts_user; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "\x00",
    "grace\x00",
    "\t",
    "a\u200bb",
    "\ud7ff",
    "\U0010ffff",
    "😀",
    "ünïcödé",
    "日本語",
    "مستخدم",
    "x" * 255,
    "g" * 5000,
]


@pytest.mark.parametrize("term", JUNK)
def test_junk_finds_no_record_and_never_fails(admin_client_for, superuser, grace, money, term):
    UserFactory(email="percent%sign@example.com")
    assert records(admin_client_for(superuser), term) == []


def test_an_empty_term_is_an_empty_answer(admin_client_for, superuser, grace):
    response = admin_client_for(superuser).get(SEARCH, {"s": "", "extended": "1"})
    assert response.status_code == 200
    assert response.content == b""


def test_like_wildcards_are_literal(admin_client_for, superuser, grace):
    member = UserFactory(email="percent%sign@example.com")
    client = admin_client_for(superuser)
    assert [link for _t, _d, link in records(client, "percent%")] == [change_url(member)]
    assert records(client, "percent_") == []
    assert records(client, "%sign") == []


def test_non_ascii_names_are_found(admin_client_for, superuser):
    member = UserFactory(email="layla@example.com", first_name="ليلى", last_name="حسن")
    assert [link for _t, _d, link in records(admin_client_for(superuser), "ليلى ح")] == [change_url(member)]


def test_the_prefix_range_ends_after_every_string_with_that_prefix():
    assert prefix_successor("abc") == "abd"
    assert prefix_successor("a@") == "aA"
    assert prefix_successor("x\ud7ff") == "x\ue000"  # surrogates are not text: skipped
    assert prefix_successor("x\U0010ffff") is None  # nothing comes after: no upper bound


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "99", "١", "9" * 30, ""])
def test_a_page_that_is_no_page_of_the_results_is_an_empty_answer(admin_client_for, superuser, grace, page):
    response = admin_client_for(superuser).get(SEARCH, {"s": "grace", "extended": "1", "page": page})
    assert response.status_code == 200
    assert response.content == b""


def test_the_first_page_is_the_results(admin_client_for, superuser, grace):
    response = admin_client_for(superuser).get(SEARCH, {"s": "grace", "extended": "1", "page": "1"})
    assert [item.title for item in response.context["results"]] == ["grace.hopper@example.com"]


def test_the_search_page_is_for_signed_in_staff_only(client, grace):
    response = client.get(SEARCH, {"s": "grace", "extended": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
