"""The investment pages: plans on offer, investing (amount → preview → accept and confirm), the
investor's positions and one position with its schedule. Sign-in required, English and Arabic,
only the investor's own positions, exact figures, refusals that change nothing, constant queries."""

import hashlib
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.investments.models import Position, RiskDisclosureAcceptance
from apps.investments.selectors import plan_terms_version
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.plans import plan_deactivate, plan_update
from apps.investments.services.positions import investment_open
from apps.wallet.models import Entry
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.portal.conftest import HEADER_QUERIES, messages_of
from tests.wallet.helpers import balances, fund

pytestmark = pytest.mark.django_db

D = Decimal
DAY0 = date(2026, 3, 2)
# session, user, plan, the quote's plan, the acceptance, balances; the header
INVEST_PAGE_QUERIES = 6 + HEADER_QUERIES


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC")), tick=False)


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def _text(html: str, element_id: str) -> str:
    """The text inside the element with ``id`` (tags stripped, spaces squeezed)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:span|p|dd|time|strong)>', html, flags=re.S)
    assert match, f"no #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def _invest_url(plan) -> str:
    return reverse("portal:plan_invest", args=[plan.pk])


@pytest.fixture
def plan(staff):
    """5% a day for 60 days, 5,000 to 20,000, paid daily, capital back."""
    return make_plan(actor=staff)


@pytest.fixture
def funded(investor, staff):
    """The investor with 15,000.00 available."""
    with at(DAY0):
        fund(investor, "15000.00", approver=staff)
    return investor


@pytest.fixture
def position(funded, plan):
    """10,000.00 in the plan, bought on DAY0."""
    with at(DAY0):
        return investment_open(user=funded, plan_id=plan.pk, amount="10000.00", terms_accepted=True)


def _confirm_data(plan, amount="10000.00", **extra) -> dict:
    data = {"amount": amount, "terms_version": plan_terms_version(plan), "accept_terms": "on", "confirm": "1"}
    data.update(extra)
    return {name: value for name, value in data.items() if value is not None}


# --- access and languages ---------------------------------------------------------------------


def _page_urls(plan, position) -> dict[str, str]:
    return {
        "plans": reverse("portal:plans"),
        "plan_invest": f"{_invest_url(plan)}?amount=10000.00",
        "investments": reverse("portal:investments"),
        "investment": reverse("portal:investment", args=[position.pk]),
    }


# url name -> (English title, the nav link that is current, in English and Arabic)
PAGES = {
    "plans": ("Investment plans", ("/plans/", "Plans", "الخطط")),
    "plan_invest": ("Invest in Professional", ("/plans/", "Plans", "الخطط")),
    "investments": ("Your investments", ("/investments/", "Investments", "الاستثمارات")),
    "investment": ("Professional, investment #{pk}", ("/investments/", "Investments", "الاستثمارات")),
}


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_a_signed_in_user(client, plan, position, name):
    url = _page_urls(plan, position)[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('portal:login')}?next=")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_page_renders_in_both_languages(funded, plan, position, name, language):
    title, (href, english_link, arabic_link) = PAGES[name]
    amount = "5,000.00" if name == "plans" else "10,000.00"  # the minimum / the amount invested
    with at(DAY0 + timedelta(days=1)):
        response = _client(funded, language).get(_page_urls(plan, position)[name])
    assert response.status_code == 200
    html = response.content.decode()
    if language == "ar":
        assert '<html lang="ar" dir="rtl">' in html
        assert f'<a href="{href}" aria-current="page">{arabic_link}</a>' in html
        assert f"\u2066{amount} USD\u2069" in html  # amounts stay left to right inside Arabic text
    else:
        assert '<html lang="en" dir="ltr">' in html
        assert f"<title>{title.format(pk=position.pk)} · Bursar</title>" in html
        assert f'<a href="{href}" aria-current="page">{english_link}</a>' in html
        assert f"{amount} USD" in html


def test_nav_links_for_signed_in_investors_only(client, investor):
    html = client.get(reverse("portal:login")).content.decode()
    assert 'href="/plans/"' not in html
    html = _client(investor).get(reverse("portal:profile")).content.decode()
    assert '<a href="/plans/">Plans</a>' in html
    assert '<a href="/investments/">Investments</a>' in html


# --- plans ------------------------------------------------------------------------------------


def test_plans_page_shows_each_active_plan_with_its_terms(investor, staff, plan):
    kept = make_plan(
        actor=staff,
        name="Fractional",
        description="Small and slow.",
        daily_rate=D("0.1250"),
        term_days=30,
        payout_schedule="at_maturity",
        capital_back=False,
        min_amount="100.00",
        max_amount="999.99",
        display_order=1,
    )
    retired = make_plan(actor=staff, name="Retired")
    plan_deactivate(plan_id=retired.pk, actor=staff)
    response = _client(investor).get(reverse("portal:plans"))
    html = response.content.decode()
    assert [offer.plan.name for offer in response.context["offers"]] == ["Professional", "Fractional"]
    assert "Retired" not in html
    card = html[html.index(f'id="plan-{plan.pk}"') : html.index(f'id="plan-{kept.pk}"')]
    assert '<span class="amount">5.00%</span> <span class="plan-rate-unit">per day</span>' in card
    assert "<dd>60 days</dd>" in card
    assert "<dd>Every day</dd>" in card
    assert "<dd>Returned at maturity</dd>" in card
    assert '<span class="amount">5,000.00 – 20,000.00 USD</span>' in card
    assert '<dt>Total return over the term</dt><dd><span class="amount">300.00%</span>' in card
    assert f'href="/plans/{plan.pk}/invest/"' in card
    card = html[html.index(f'id="plan-{kept.pk}"') :]
    assert '<span class="amount">0.125%</span>' in card
    assert "Small and slow." in card
    assert "<dd>30 days</dd>" in card
    assert "<dd>At maturity</dd>" in card
    assert '<span class="capital-kept">Not returned</span>' in card
    assert '<span class="amount">100.00 – 999.99 USD</span>' in card
    assert '<span class="amount">3.75%</span>' in card  # 0.125% × 30 days


def test_plans_page_without_plans(investor):
    html = _client(investor).get(reverse("portal:plans")).content.decode()
    assert "No plans are on offer right now." in html


def test_plans_page_costs_the_same_queries_for_1_or_12_plans(investor, staff, plan, django_assert_num_queries):
    client = _client(investor)
    with django_assert_num_queries(4 + HEADER_QUERIES):  # session, user, plans, balances; the header
        client.get(reverse("portal:plans"))
    for n in range(11):
        make_plan(actor=staff, name=f"Plan {n}")
    with django_assert_num_queries(4 + HEADER_QUERIES):
        response = client.get(reverse("portal:plans"))
    assert len(response.context["offers"]) == 12


# --- invest: the preview ----------------------------------------------------------------------


def test_invest_page_asks_for_an_amount_first(funded, plan):
    response = _client(funded).get(_invest_url(plan))
    html = response.content.decode()
    assert response.context["quote"] is None
    assert response.context["confirm_form"] is None
    assert 'name="amount"' in html
    assert "From 5,000.00 USD to 20,000.00 USD." in html
    assert "accept_terms" not in html
    assert _text(html, "invest-available") == "15,000.00 USD"


@pytest.mark.parametrize("method", ["get", "post"])
def test_preview_shows_the_exact_figures_and_the_risks_before_confirming(funded, plan, unchanged_db, method):
    client = _client(funded)
    with at(DAY0), unchanged_db():
        response = getattr(client, method)(_invest_url(plan), {"amount": "10000.00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _text(html, "preview-amount") == "10,000.00 USD"
    assert _text(html, "preview-daily") == "500.00 USD"
    assert _text(html, "preview-total") == "30,000.00 USD"
    assert 'id="preview-first" datetime="2026-03-03"' in html
    assert _text(html, "preview-first") == "March 3, 2026"
    assert 'id="preview-maturity" datetime="2026-05-01"' in html  # DAY0 + 60 days
    assert _text(html, "preview-maturity") == "May 1, 2026"
    assert _text(html, "preview-at-maturity") == "10,000.00 USD"
    assert _text(html, "preview-in-all") == "40,000.00 USD"
    assert "(300.00%)" in html
    risk = html[html.index('id="risk-disclosure"') : html.index("</form>", html.index('id="risk-disclosure"'))]
    assert '<p dir="auto">You can lose money.</p>' in risk
    assert (
        '<label for="id_accept_terms"><input type="checkbox" name="accept_terms" id="id_accept_terms" required> '
        "<span>I have read and accept the terms and risks</span></label>"
    ) in risk
    assert '<input type="hidden" name="amount" value="10000.00">' in risk
    assert f'<input type="hidden" name="terms_version" value="{plan_terms_version(plan)}"' in risk
    assert "Confirm and invest 10,000.00 USD" in risk
    assert Position.objects.count() == 0


def test_preview_of_an_at_maturity_plan_pays_everything_at_maturity(funded, staff):
    plan = make_plan(actor=staff, name="Horizon", daily_rate=D("0.8000"), term_days=90, payout_schedule="at_maturity")
    with at(DAY0):
        html = _client(funded).get(_invest_url(plan), {"amount": "10000.00"}).content.decode()
    assert _text(html, "preview-daily") == "80.00 USD"
    assert _text(html, "preview-total") == "7,200.00 USD"
    assert _text(html, "preview-at-maturity") == "17,200.00 USD"
    assert _text(html, "preview-in-all") == "17,200.00 USD"
    assert "Return earned each day (paid at maturity)" in html
    assert 'id="preview-maturity" datetime="2026-05-31"' in html


def test_preview_of_a_plan_that_keeps_the_capital_says_so(funded, staff):
    plan = make_plan(actor=staff, name="Income", capital_back=False)
    with at(DAY0):
        html = _client(funded).get(_invest_url(plan), {"amount": "10000.00"}).content.decode()
    assert _text(html, "preview-at-maturity") == "0.00 USD"
    assert _text(html, "preview-in-all") == "30,000.00 USD"
    assert "Your capital does not come back: you receive only the returns." in html


def test_preview_above_the_available_balance_offers_a_deposit_instead_of_confirming(funded, plan, unchanged_db):
    client = _client(funded)
    with unchanged_db():
        html = client.get(_invest_url(plan), {"amount": "16000.00"}).content.decode()
    assert _text(html, "preview-daily") == "800.00 USD"
    assert "Your available balance is 15,000.00 USD: deposit more or enter a smaller amount." in html
    assert "accept_terms" not in html


# --- invest: confirming -----------------------------------------------------------------------


def test_confirm_opens_exactly_one_position_and_moves_the_exact_amounts(funded, plan):
    assert balances(funded) == (D("15000.00"), D("0.00"), D("0.00"))
    client = _client(funded)
    with at(DAY0):
        response = client.post(_invest_url(plan), _confirm_data(plan))
    position = Position.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:investment", args=[position.pk])
    assert (position.user, position.plan, position.principal) == (funded, plan, D("10000.00"))
    assert (position.start_date, position.maturity_date) == (DAY0, DAY0 + timedelta(days=60))
    assert position.terms_snapshot["risk_disclosure"] == "You can lose money."
    assert balances(funded) == (D("5000.00"), D("0.00"), D("10000.00"))
    assert Entry.objects.filter(natural_key=f"investment:{position.pk}").count() == 1
    follow = client.get(response["Location"])
    assert messages_of(follow) == [
        "You invested 10,000.00 USD in Professional. It earns from March 3, 2026 and matures on May 1, 2026."
    ]


def _confirm_refused(client, plan, data) -> dict:
    response = client.post(_invest_url(plan), data)
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    amount = response.context["form"]
    errors = {name: list(errors) for name, errors in amount.errors.items()}
    if confirm is not None:
        errors.update({f"confirm:{name}": list(errors) for name, errors in confirm.errors.items()})
    return errors


@pytest.mark.parametrize(
    ("amount", "errors"),
    [
        ("4999.99", {"amount": ["Invest between 5000.00 and 20000.00 in this plan."]}),
        ("20000.01", {"amount": ["Invest between 5000.00 and 20000.00 in this plan."]}),
        ("10000.001", {"amount": ["Use at most 2 decimal places."]}),
        ("10,000", {"amount": ["Enter a valid amount."]}),
        ("ten", {"amount": ["Enter a valid amount."]}),
        ("-10000", {"amount": ["The amount must be greater than zero."]}),
        ("", {"amount": ["This field is required."]}),
    ],
)
def test_bad_amounts_are_form_errors_and_change_nothing(funded, plan, unchanged_db, amount, errors):
    client = _client(funded)
    with unchanged_db():
        assert _confirm_refused(client, plan, _confirm_data(plan, amount=amount)) == errors
        response = client.get(_invest_url(plan), {"amount": amount})
    assert {name: list(e) for name, e in response.context["form"].errors.items()} == errors
    assert response.context["quote"] is None
    assert 'id="preview"' not in response.content.decode()


def test_an_unticked_box_is_refused_and_changes_nothing(funded, plan, unchanged_db):
    client = _client(funded)
    with unchanged_db():
        errors = _confirm_refused(client, plan, _confirm_data(plan, accept_terms=None))
    assert errors == {"confirm:accept_terms": ["Read and accept the plan's terms and risks first."]}
    html = client.post(_invest_url(plan), _confirm_data(plan, accept_terms=None)).content.decode()
    assert "<li>Read and accept the plan&#x27;s terms and risks first.</li>" in html
    assert 'id="id_accept_terms" required aria-invalid="true" aria-describedby="id_accept_terms_error">' in html
    assert _text(html, "preview-total") == "30,000.00 USD"  # the preview stays on the page


def test_not_enough_available_is_refused_and_changes_nothing(funded, plan, unchanged_db):
    client = _client(funded)
    with unchanged_db():
        errors = _confirm_refused(client, plan, _confirm_data(plan, amount="15000.01"))
    assert errors == {"confirm:__all__": ["Not enough funds: available balance is 15000.00."]}


def test_terms_changed_after_the_preview_are_refused_and_change_nothing(funded, plan, staff, unchanged_db):
    data = _confirm_data(plan)
    plan_update(plan_id=plan.pk, actor=staff, fields={"daily_rate": D("4.0000")})
    client = _client(funded)
    with unchanged_db():
        response = client.post(_invest_url(plan), data)
    assert list(response.context["confirm_form"].non_field_errors()) == [
        "This plan's terms changed since your preview. Check the new figures and confirm again."
    ]
    html = response.content.decode()
    assert _text(html, "preview-daily") == "400.00 USD"  # the new figures
    plan.refresh_from_db()
    assert f'name="terms_version" value="{plan_terms_version(plan)}"' in html  # confirming again works
    assert 'id="id_accept_terms" required>' in html  # and needs a fresh tick


def test_a_confirmation_without_the_terms_fingerprint_is_refused(funded, plan, unchanged_db):
    client = _client(funded)
    with unchanged_db():
        errors = _confirm_refused(client, plan, _confirm_data(plan, terms_version=None))
    assert errors == {"confirm:terms_version": ["This field is required."]}


# --- invest: the risk disclosure, accepted once per plan and disclosure version ------------------

ACCEPTED_LINE = '<p id="risk-accepted">You accepted this plan\'s risk disclosure on {date}.</p>'
CHECKBOX = '<input type="checkbox" name="accept_terms" id="id_accept_terms" required>'


def _risk_box(html: str) -> str:
    start = html.index('id="preview"')
    return html[start : html.index("</section>", start)]


def test_confirming_records_the_acceptance_with_its_time_and_ip(funded, plan):
    with at(DAY0):
        response = _client(funded).post(_invest_url(plan), _confirm_data(plan), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    acceptance = RiskDisclosureAcceptance.objects.get()
    assert (acceptance.user, acceptance.plan, acceptance.version, acceptance.ip_address) == (
        funded,
        plan,
        1,
        "203.0.113.9",
    )
    assert acceptance.text_sha256 == hashlib.sha256(b"You can lose money.").hexdigest()
    assert acceptance.accepted_at == datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC"))


def test_once_accepted_the_page_says_when_instead_of_asking_again(funded, plan, position, unchanged_db):
    client = _client(funded)
    with at(DAY0 + timedelta(days=1)), unchanged_db():
        html = client.get(_invest_url(plan), {"amount": "5000.00"}).content.decode()
    box = _risk_box(html)
    assert ACCEPTED_LINE.format(date="March 2, 2026") in box
    assert "accept_terms" not in box
    assert "You can lose money." not in box
    assert "Once you confirm, the amount stays invested until the maturity date." in box
    assert "Step 2: check the figures and confirm." in html
    assert "Confirm and invest 5,000.00 USD" in box


def test_once_accepted_confirming_needs_no_tick_and_records_nothing_new(funded, plan, position):
    client = _client(funded)
    with at(DAY0 + timedelta(days=1)):
        response = client.post(_invest_url(plan), _confirm_data(plan, amount="5000.00", accept_terms=None))
    assert response.status_code == 302
    assert Position.objects.filter(user=funded).count() == 2
    assert list(RiskDisclosureAcceptance.objects.values_list("version", "accepted_at")) == [
        (1, datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC")))
    ]
    assert balances(funded) == (D("0.00"), D("0.00"), D("15000.00"))


def test_a_changed_disclosure_is_shown_and_asked_for_again(funded, plan, position, staff, unchanged_db):
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": "Returns are not guaranteed."})
    plan.refresh_from_db()
    client = _client(funded)
    with unchanged_db():
        html = client.get(_invest_url(plan), {"amount": "5000.00"}).content.decode()
        errors = _confirm_refused(client, plan, _confirm_data(plan, amount="5000.00", accept_terms=None))
    box = _risk_box(html)
    assert '<p dir="auto">Returns are not guaranteed.</p>' in box
    assert CHECKBOX in box
    assert 'id="risk-accepted"' not in box
    assert errors == {"confirm:accept_terms": ["Read and accept the plan's terms and risks first."]}
    with at(DAY0 + timedelta(days=1)):
        assert client.post(_invest_url(plan), _confirm_data(plan, amount="5000.00")).status_code == 302
    assert list(RiskDisclosureAcceptance.objects.order_by("id").values_list("version", flat=True)) == [1, 2]


def test_a_disclosure_changed_after_an_accepted_preview_is_asked_for(funded, plan, position, staff, unchanged_db):
    """The preview said "accepted"; staff then change the disclosure: the confirmation is refused
    as changed terms and the page asks for the new disclosure."""
    data = _confirm_data(plan, amount="5000.00", accept_terms=None)
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": "New wording."})
    client = _client(funded)
    with unchanged_db():
        response = client.post(_invest_url(plan), data)
    assert list(response.context["confirm_form"].non_field_errors()) == [
        "This plan's terms changed since your preview. Check the new figures and confirm again."
    ]
    box = _risk_box(response.content.decode())
    assert '<p dir="auto">New wording.</p>' in box
    assert CHECKBOX in box


def test_a_plan_without_a_disclosure_asks_for_no_acceptance(funded, staff, unchanged_db):
    plan = make_plan(actor=staff, name="Plain", risk_disclosure="")
    client = _client(funded)
    with unchanged_db():
        html = client.get(_invest_url(plan), {"amount": "5000.00"}).content.decode()
    box = _risk_box(html)
    assert "accept_terms" not in box
    assert 'id="risk-accepted"' not in box
    assert "Once you confirm, the amount stays invested until the maturity date." in box
    response = client.post(_invest_url(plan), _confirm_data(plan, amount="5000.00", accept_terms=None))
    assert response.status_code == 302
    assert RiskDisclosureAcceptance.objects.count() == 0
    assert balances(funded) == (D("10000.00"), D("0.00"), D("5000.00"))


def test_another_investors_acceptance_does_not_count(funded, plan, staff, unchanged_db):
    other = UserFactory()
    fund(other, "5000.00", approver=staff)
    investment_open(user=other, plan_id=plan.pk, amount="5000.00", terms_accepted=True)
    client = _client(funded)
    with unchanged_db():
        html = client.get(_invest_url(plan), {"amount": "5000.00"}).content.decode()
    assert CHECKBOX in _risk_box(html)


def test_the_accepted_line_in_arabic(funded, plan, position):
    with at(DAY0 + timedelta(days=1)):
        html = _client(funded, "ar").get(_invest_url(plan), {"amount": "5000.00"}).content.decode()
    assert 'id="risk-accepted"' in _risk_box(html)
    assert "accept_terms" not in _risk_box(html)


@pytest.mark.parametrize("accepted", [False, True])
def test_the_invest_page_costs_the_same_queries_accepted_or_not(
    funded, plan, staff, accepted, django_assert_num_queries
):
    if accepted:
        investment_open(user=funded, plan_id=plan.pk, amount="5000.00", terms_accepted=True)
    client = _client(funded)
    client.get(_invest_url(plan), {"amount": "5000.00"})  # warm the session and the caches
    with django_assert_num_queries(INVEST_PAGE_QUERIES):
        response = client.get(_invest_url(plan), {"amount": "5000.00"})
    assert ('id="risk-accepted"' in response.content.decode()) is accepted


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_or_inactive_plans_are_not_found_and_change_nothing(funded, plan, staff, unchanged_db, method):
    retired = make_plan(actor=staff, name="Retired")
    plan_deactivate(plan_id=retired.pk, actor=staff)
    client = _client(funded)
    with unchanged_db():
        for plan_id in (retired.pk, plan.pk + 1000, 0, 2**63, 10**30):
            data = _confirm_data(plan) if method == "post" else {"amount": "10000.00"}
            response = getattr(client, method)(reverse("portal:plan_invest", args=[plan_id]), data)
            assert response.status_code == 404


# --- my investments ---------------------------------------------------------------------------


def test_investments_page_lists_the_investors_own_positions(funded, plan, position, staff):
    other = UserFactory()
    with at(DAY0):
        fund(other, "9000.00", approver=staff)
        theirs = investment_open(user=other, plan_id=plan.pk, amount="9000.00", terms_accepted=True)
    with at(DAY0 + timedelta(days=2)):
        accrue_returns()
        response = _client(funded).get(reverse("portal:investments"))
    html = response.content.decode()
    assert [row.position for row in response.context["rows"]] == [position]
    assert f'id="position-{theirs.pk}"' not in html
    row = html[
        html.index(f'id="position-{position.pk}"') : html.index("</tr>", html.index(f'id="position-{position.pk}"'))
    ]
    assert f'<a class="position-link" href="/investments/{position.pk}/"><bdi>Professional</bdi></a>' in row
    assert '<span class="amount">10,000.00 USD</span>' in row  # amount
    assert '<span class="amount">500.00 USD</span>' in row  # daily return
    assert '<time datetime="2026-03-02">March 2, 2026</time>' in row
    assert '<time datetime="2026-05-01">May 1, 2026</time>' in row
    assert '<progress value="2" max="60"' in row
    assert "2 of 60 days" in row
    assert '<span class="amount">1,000.00 USD</span>' in row  # credited: days 1 and 2
    assert "of \u2066" not in row and "of 30,000.00 USD" in row
    assert '<span class="badge badge-position-active">Active</span>' in row
    assert _text(html, "balance-invested") == "10,000.00 USD"


def test_investments_page_without_positions(investor):
    html = _client(investor).get(reverse("portal:investments")).content.decode()
    assert "You have not invested yet." in html


def test_investments_page_shows_a_matured_position_as_matured(funded, position):
    with at(DAY0 + timedelta(days=60)):
        accrue_returns()
        mature_investments()
        response = _client(funded).get(reverse("portal:investments"))
    [row] = response.context["rows"]
    assert (row.days_elapsed, row.credited, row.position.status) == (60, D("30000.00"), "matured")
    assert '<span class="badge badge-position-matured">Matured</span>' in response.content.decode()


def test_investments_page_costs_the_same_queries_for_3_or_20_positions(funded, plan, staff, django_assert_num_queries):
    fund(funded, "200000.00", approver=staff)
    client = _client(funded)
    for _ in range(3):
        investment_open(user=funded, plan_id=plan.pk, amount="5000.00", terms_accepted=True)
    with django_assert_num_queries(
        5 + HEADER_QUERIES
    ):  # session, user, count, page (with credited), balances; the header
        client.get(reverse("portal:investments"))
    for _ in range(17):
        investment_open(user=funded, plan_id=plan.pk, amount="5000.00", terms_accepted=True)
    with django_assert_num_queries(5 + HEADER_QUERIES):
        response = client.get(reverse("portal:investments"))
    assert len(response.context["rows"]) == 20


def test_investments_page_is_paginated(funded, plan, staff):
    fund(funded, "200000.00", approver=staff)
    for _ in range(21):
        investment_open(user=funded, plan_id=plan.pk, amount="5000.00", terms_accepted=True)
    client = _client(funded)
    first = client.get(reverse("portal:investments"))
    assert len(first.context["rows"]) == 20
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("portal:investments"), {"page": "2"})
    assert [row.position for row in second.context["rows"]] == [Position.objects.order_by("id").first()]


# --- one position -----------------------------------------------------------------------------


def test_position_page_shows_the_frozen_terms_and_the_accepted_risks(funded, plan, position, staff):
    changes = {"name": "Renamed", "daily_rate": D("1.0000"), "risk_disclosure": "New wording."}
    plan_update(plan_id=plan.pk, actor=staff, fields=changes)
    client = _client(funded)
    with at(DAY0):
        html = client.get(reverse("portal:investment", args=[position.pk])).content.decode()
        listed = client.get(reverse("portal:investments")).content.decode()
    assert "<h1><bdi>Professional</bdi>" in html
    assert "Renamed" not in html
    assert "Renamed" not in listed and "<bdi>Professional</bdi>" in listed
    terms = html[html.index('id="position-terms"') : html.index("</dl>", html.index('id="position-terms"'))]
    assert "<dt>Plan</dt><dd><bdi>Professional</bdi></dd>" in terms
    assert '<dt>Daily rate</dt><dd><span class="amount">5.00%</span></dd>' in terms
    assert "<dd>60 days</dd>" in terms
    assert "<dd>Every day</dd>" in terms
    assert "<dd>Returned at maturity</dd>" in terms
    assert '<dt>Total return</dt><dd><span class="amount">30,000.00 USD</span></dd>' in terms
    assert '<dt>What you receive in all</dt><dd><span class="amount">40,000.00 USD</span></dd>' in terms
    assert '<time datetime="2026-03-03">March 3, 2026</time>' in terms
    assert '<time datetime="2026-05-01">May 1, 2026</time>' in terms
    accepted = position.terms_accepted_at.isoformat()
    assert f'<time id="terms-accepted-at" datetime="{accepted}">March 2, 2026, noon</time>' in terms
    assert '<blockquote class="risk" id="accepted-risk" dir="auto">You can lose money.</blockquote>' in html
    assert "New wording." not in html
    assert _text(html, "position-principal") == "10,000.00 USD"
    assert _text(html, "position-daily") == "500.00 USD"
    assert _text(html, "position-credited") == "0.00 USD"
    assert _text(html, "position-at-maturity") == "10,000.00 USD"


def test_another_investors_position_is_not_found(funded, position, unchanged_db):
    stranger, owner = _client(UserFactory()), _client(funded)
    with unchanged_db():
        assert stranger.get(reverse("portal:investment", args=[position.pk])).status_code == 404
        for position_id in (position.pk + 1, 0, 2**63, 10**30):
            assert owner.get(reverse("portal:investment", args=[position_id])).status_code == 404
        assert stranger.get(reverse("portal:investments")).context["rows"] == []


def _rows(html: str) -> dict[int, str]:
    return {int(day): row for day, row in re.findall(r'<tr id="day-(\d+)"[^>]*>(.*?)</tr>', html, flags=re.S)}


def test_schedule_rows_are_paid_after_accrual_and_upcoming_before(funded, position):
    client = _client(funded)
    url = reverse("portal:investment", args=[position.pk])
    with at(DAY0 + timedelta(days=3)):
        accrue_returns()
        html = client.get(url).content.decode()
    rows = _rows(html)
    assert sorted(rows) == list(range(1, 61))
    entries = {
        day: Entry.objects.get(natural_key=f"returns:{DAY0 + timedelta(days=day)}:{funded.pk}-{funded.pk}").pk
        for day in (1, 2, 3)
    }
    for day in (1, 2, 3):
        assert '<span class="amount">500.00</span>' in rows[day]
        assert '<span class="badge badge-ok">Paid</span>' in rows[day]
        iso = (DAY0 + timedelta(days=day)).isoformat()
        statement = f"/wallet/statement/?date_from={iso}&amp;date_to={iso}"
        assert f'<a class="entry-ref" href="{statement}" title="Ledger entry">' in rows[day]
        assert f'<span class="visually-hidden">Ledger entry </span><bdi>#{entries[day]}</bdi></a>' in rows[day]
    assert '<time datetime="2026-03-03">March 3, 2026</time>' in rows[1]
    for day in (4, 60):
        assert '<span class="badge">Upcoming</span>' in rows[day]
        assert "#" not in rows[day]
    assert '<time datetime="2026-05-01">May 1, 2026</time>' in rows[60]
    assert _text(html, "position-credited") == "1,500.00 USD"
    assert "3 of 60 days" in html


def test_schedule_of_an_at_maturity_plan_is_earned_then_paid_at_maturity(funded, staff):
    plan = make_plan(actor=staff, name="Horizon", daily_rate=D("0.8000"), term_days=30, payout_schedule="at_maturity")
    with at(DAY0):
        position = investment_open(user=funded, plan_id=plan.pk, amount="10000.00", terms_accepted=True)
    url = reverse("portal:investment", args=[position.pk])
    with at(DAY0 + timedelta(days=2)):
        accrue_returns()
        html = _client(funded).get(url).content.decode()
    rows = _rows(html)
    assert '<span class="badge badge-warn">Earned</span>' in rows[1]
    assert '<span class="badge">Upcoming</span>' in rows[3]
    assert _text(html, "position-credited") == "0.00 USD"
    assert "160.00 USD earned so far, paid at maturity." in html
    assert _text(html, "position-at-maturity") == "12,400.00 USD"
    with at(DAY0 + timedelta(days=30)):
        accrue_returns()
        mature_investments()
        html = _client(funded).get(url).content.decode()
    maturity = Entry.objects.get(natural_key=f"maturity:{position.pk}")
    rows = _rows(html)
    assert all('<span class="badge badge-ok">Paid</span>' in row for row in rows.values())
    assert f"<bdi>#{maturity.pk}</bdi></a>" in rows[1]
    assert _text(html, "position-credited") == "2,400.00 USD"
    assert _text(html, "position-status") == "Matured"


@pytest.fixture
def long_position(funded, staff):
    """A 365-day plan: the schedule comes 60 days a page."""
    plan = make_plan(actor=staff, name="Decade", daily_rate=D("0.1000"), term_days=365)
    with at(DAY0):
        fund(funded, "10000.00", approver=staff)
        return investment_open(user=funded, plan_id=plan.pk, amount="10000.00", terms_accepted=True)


def test_a_long_schedule_opens_on_the_page_of_today_and_pages_by_60_days(funded, long_position):
    client = _client(funded)
    url = reverse("portal:investment", args=[long_position.pk])
    with at(DAY0):
        first = client.get(url)
    assert sorted(_rows(first.content.decode())) == list(range(1, 61))
    with at(DAY0 + timedelta(days=100)):
        today = client.get(url)
        last = client.get(url, {"page": "7"})
        beyond = client.get(url, {"page": "99"})
    assert sorted(_rows(today.content.decode())) == list(range(61, 121))
    html = today.content.decode()
    assert "Days 61–120 of 365" in html
    assert '<option value="2" selected>2 May 2026 – 30 Jun 2026</option>' in html.replace("\n", "")
    assert html.count("<option ") == 7
    assert sorted(_rows(last.content.decode())) == list(range(361, 366))
    assert sorted(_rows(beyond.content.decode())) == list(range(361, 366))
    assert '<time datetime="2027-03-02">March 2, 2027</time>' in _rows(last.content.decode())[365]


def test_position_page_costs_the_same_queries_for_a_short_or_long_term(
    funded, position, long_position, django_assert_num_queries
):
    client = _client(funded)
    with at(DAY0 + timedelta(days=5)):
        accrue_returns()
        with django_assert_num_queries(
            5 + HEADER_QUERIES
        ):  # session, user, position, sums, the page's accruals; the header
            client.get(reverse("portal:investment", args=[position.pk]))
        with django_assert_num_queries(5 + HEADER_QUERIES):
            client.get(reverse("portal:investment", args=[long_position.pk]))
