"""The investor's referrals page: sign-in required, English and Arabic, exact figures, milestone
progress, the invited users (first name, join date, invested: never an email or a balance), and
the same number of queries for 3 or 30 invited users."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.referrals.services.grants import grant_milestones
from tests.factories import UserFactory
from tests.referrals.helpers import DAY0, at, make_milestone, referred_users, small_plan
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/referrals/"


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.fixture
def referrer(staff):
    """Invited three: two bought 1,000.00 (30.00 commission each); Bronze (2 → 25.00) paid;
    Silver (5 → 50.00) in progress."""
    make_milestone(actor=staff, name="Bronze", required_referrals=2, reward_amount="25.00", icon="bronze")
    make_milestone(actor=staff, name="Silver", required_referrals=5, reward_amount="50.00", icon="silver")
    referrer = UserFactory(first_name="Rita")
    with at(DAY0):
        plan = small_plan(staff)
        # Fixed surnames: the privacy test looks for them in the page, where a random one such as
        # "Miles" would match "Milestones".
        referred_users(referrer, 1, first_name="Sam", last_name="Quenby", email="sam@example.com")
        referred_users(referrer, 2, staff=staff, plan=plan, amount="1000.00", first_name="Noor", last_name="Zahawi")
        grant_milestones()
    return referrer


def test_the_url_and_sign_in(client):
    assert reverse("portal:referrals") == URL
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={URL}"


def test_the_page_shows_exact_figures_and_progress(referrer):
    response = client_for(referrer).get(URL)
    assert response.status_code == 200
    html = response.text
    assert "<title>Referrals · Bursar</title>" in html
    assert '<a href="/referrals/" aria-current="page">Referrals</a>' in html
    assert f'value="{settings.SITE_URL}/r/{referrer.referral_code}/" readonly' in html
    assert f'<code class="referral-code" dir="ltr" id="referral-code">{referrer.referral_code}</code>' in html
    assert '<p class="balance-amount" id="total-referrals">3</p>' in html
    assert '<p class="balance-amount" id="qualified-referrals">2</p>' in html
    assert '<p class="balance-amount amount" id="total-commission">60.00 USD</p>' in html
    assert '<p class="balance-amount amount" id="total-rewards">25.00 USD</p>' in html
    assert '<progress value="2" max="2"' in html and "2 of 2 qualified referrals" in html
    assert '<progress value="2" max="5"' in html and "2 of 5 qualified referrals" in html
    assert "Reward paid" in html and "In progress" in html
    overview = response.context["overview"]
    assert [(p.name, p.achieved, p.awarded, p.percent) for p in overview.stats.packs] == [
        ("Bronze", True, True, 100),
        ("Silver", False, False, 40),
    ]
    assert [c.amount for c in overview.recent_commissions] == [D("30.00"), D("30.00")]
    rows = [(u.first_name, u.has_invested) for u in response.context["page"].object_list]
    assert rows == [("Noor", True), ("Noor", True), ("Sam", False)]


def test_invited_users_never_show_an_email_or_a_balance(referrer, staff):
    sam = type(referrer).objects.get(email="sam@example.com")
    fund(sam, "1234.56", approver=staff)
    html = client_for(referrer).get(URL).text
    for user in type(referrer).objects.filter(referred_by=referrer):
        assert user.email not in html and user.last_name not in html
    for balance in ("1,234.56", "1234.56", "1,000.00", "1000.00"):  # Sam's available, the buyers' invested
        assert balance not in html


def test_the_page_in_arabic(referrer):
    response = client_for(referrer, "ar").get(URL)
    assert response.status_code == 200
    html = response.text
    assert '<html lang="ar" dir="rtl">' in html
    assert "<title>الإحالات · Bursar</title>" in html
    assert '<a href="/referrals/" aria-current="page">الإحالات</a>' in html
    assert "\u206660.00 USD\u2069" in html  # amounts stay left to right


def test_an_investor_with_no_referrals_sees_empty_sections(investor):
    html = client_for(investor).get(URL).text
    assert "Nobody has signed up with your link yet." in html
    assert "No commissions yet." in html


def test_query_count_is_the_same_for_3_or_30_invited_users(staff):
    make_milestone(actor=staff)
    referrer = UserFactory()
    plan = small_plan(staff)
    client = client_for(referrer)

    def queries(page: str = "1"):
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL, {"page": page}).status_code == 200
        return len(context)

    referred_users(referrer, 2)
    referred_users(referrer, 1, staff=staff, plan=plan)
    few = queries()
    referred_users(referrer, 25)
    referred_users(referrer, 2, staff=staff, plan=plan)
    assert queries() == few
    page2 = client.get(URL, {"page": "2"})
    assert len(page2.context["page"].object_list) == 10
    assert queries("2") == few
