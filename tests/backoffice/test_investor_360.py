"""The Investor 360 (an investor's page in the users admin): exact figures on a hand-built history,
each panel and action by role, constant queries, junk input, and the actions through their URLs."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from apps.accounts import roles
from apps.accounts.models import STAFF_NOTE_MAX_LENGTH, StaffNote, UserEvent
from apps.accounts.services import user_create
from apps.wallet.models import Adjustment
from tests.backoffice.conftest import user_change_url
from tests.backoffice.investor360_history import AVAILABLE, HELD, INVESTED, build_history, investor
from tests.factories import DEFAULT_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

ROLES = ("superuser", "finance", "operations", "support", "kyc_reviewer")
# The 360's panels, by the id of the element holding each one's data.
PANELS = {
    "balances": "user-balances",
    "money": "investor-360-to-date",
    "statement": "investor-360-statement",
    "kyc": "investor-360-kyc-history",
    "positions": "investor-360-positions",
    "requests": "investor-360-requests",
    "referrals": "investor-360-referrals",
    "activity": "investor-360-activity",
    "notices": "investor-360-notices",
    "threads": "investor-360-threads",
    "notes": "investor-360-notes",
}
PANELS_BY_ROLE = {
    "superuser": set(PANELS),
    "finance": {"balances", "money", "statement", "positions", "requests", "referrals", "activity", "notes"},
    "operations": set(PANELS) - {"statement"},
    "support": {"money", "kyc", "requests", "referrals", "activity", "notices", "threads", "notes"},
    "kyc_reviewer": {"kyc", "referrals", "activity", "notes"},
}
# The change-page actions, by role, on Amina's page (active, verified, locked out).
ACTIONS = ("note_add", "unlock", "adjust_balance", "resend_verification", "password_reset", "deactivate", "reactivate")
ACTIONS_BY_ROLE = {
    "superuser": {"note_add", "unlock", "adjust_balance", "password_reset", "deactivate"},
    "finance": {"note_add", "adjust_balance"},
    "operations": {"note_add", "unlock", "password_reset", "deactivate"},
    "support": {"note_add", "unlock", "password_reset"},
    "kyc_reviewer": {"note_add"},
}


@pytest.fixture
def history(kyc_storage, finance, kyc_reviewer, support, superuser):
    second = StaffFactory(email="second.finance@bursar.example")
    second.groups.add(Group.objects.get(name=roles.FINANCE))
    return build_history(
        finance=finance, second_finance=second, support=support, kyc_reviewer=kyc_reviewer, superuser=superuser
    )


@pytest.fixture
def newcomer(db):
    """Signed up a moment ago, nothing else (email not verified)."""
    return user_create(email="noor@example.com", password=DEFAULT_PASSWORD, first_name="Noor", last_name="Aziz")


@pytest.fixture
def staff(request):
    """``staff("finance")``: the staff member of that role fixture (or the superuser)."""
    return lambda role: request.getfixturevalue(role)


def action_url(user, name: str) -> str:
    return reverse(f"admin:accounts_user_{name}_detail", args=(user.pk,))


def post_action(client, user, name: str, **data):
    """Submit the action's dialog as the browser does (unfold's dialog forms carry a hidden flag)."""
    return client.post(action_url(user, name), {"_form_submitted": "True", **data})


def page(client, user):
    response = client.get(user_change_url(user))
    assert response.status_code == 200
    return response


def text_of(html: str, element_id: str) -> str:
    """The visible text inside the element with ``element_id`` (to its closing tag's depth)."""
    html = re.sub(r'<span class="material-symbols-outlined[^"]*"[^>]*>[^<]*</span>', "", html)  # icon names
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", html[start:]).group(1)
    depth, position = 0, start
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = start + match.end()
            break
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html[start:position])).split())


def local(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y, H:i")


def message_of(response) -> str:
    """The message the request left (the client keeps earlier ones until a page shows them)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


# --- exact figures ----------------------------------------------------------------------------------


def test_header_balances_and_money_to_date(history, superuser, admin_client_for):
    response = page(admin_client_for(superuser), history.amina)
    context = response.context["investor360"]
    assert (Decimal("4205.00"), Decimal("300.00"), Decimal("5000.00")) == (AVAILABLE, HELD, INVESTED)
    assert context["balances"] == [
        ("available", "Available", "4,205.00 USD"),
        ("held", "Held for withdrawals", "300.00 USD"),
        ("invested", "Invested", "5,000.00 USD"),
        ("total", "Total", "9,505.00 USD"),
    ]
    assert text_of(response.text, "user-balances") == (
        "Available 4,205.00 USD Held for withdrawals 300.00 USD Invested 5,000.00 USD Total 9,505.00 USD"
    )
    assert text_of(response.text, "investor-360-to-date") == (
        "Deposited 10,000.00 USD Paid out 1,000.00 USD Deposits waiting 500.00 USD Withdrawals waiting 300.00 USD"
    )
    header = text_of(response.text, "investor-360")
    assert header.startswith("AH Amina Haddad amina@example.com Active Locked out Email verified KYC Approved")
    assert (
        "Joined " + dateformat.format(timezone.localtime(history.amina.date_joined), "j M Y") + " (90 days)" in header
    )
    assert "Country Jordan" in header
    assert f"Referral code {history.amina.referral_code}" in header
    assert "Sign-ins are refused after 5 failed attempts, until" in text_of(response.text, "investor-360-lockout")


def test_positions_requests_and_kyc_history(history, superuser, kyc_reviewer, admin_client_for):
    response = page(admin_client_for(superuser), history.amina)
    position = history.position
    assert text_of(response.text, "investor-360-positions") == (
        f"1 open position # Plan Principal Returns paid Status Term #{position.pk} Steady Steady 5,000.00 USD "
        f"450.00 USD Active {dateformat.format(position.start_date, 'j M Y')} – "
        f"{dateformat.format(position.maturity_date, 'j M Y')} All positions"
    )
    rows = response.context["investor360"]["requests"]["rows"]
    assert [(row["request"].kind, row["request"].id, row["amount"], row["request"].status) for row in rows] == [
        ("deposit", history.pending_deposit.pk, "500.00 USD", "pending"),
        ("withdrawal", history.pending.pk, "300.00 USD", "pending"),
        ("withdrawal", history.paid.pk, "1,000.00 USD", "approved"),
        ("deposit", rows[3]["request"].id, "10,000.00 USD", "approved"),
    ]
    assert [row["request"].detail for row in rows] == ["", "TAminaPayout0002", "TAminaPayout0001", ""]
    kyc = response.context["investor360"]["kyc_submissions"]["rows"]
    first, second = history.submissions[1], history.submissions[0]
    assert [(row["submission"].pk, row["submission"].status) for row in kyc] == [
        (second.pk, "approved"),
        (first.pk, "rejected"),
    ]
    assert text_of(response.text, "investor-360-kyc-history") == (
        f"#{second.pk} Approved {dateformat.format(timezone.localtime(second.submitted_at), 'j M Y')} · "
        f"{kyc_reviewer.email} #{first.pk} Rejected "
        f"{dateformat.format(timezone.localtime(first.submitted_at), 'j M Y')} · {kyc_reviewer.email} "
        "All submissions in the KYC queue"
    )


def test_referrals_upline_downline_and_commissions(history, superuser, admin_client_for):
    response = page(admin_client_for(superuser), history.amina)
    referrals = response.context["investor360"]["referrals"]
    assert [(level, person.email) for level, person, _url in referrals["upline"]] == [
        (1, "farid@example.com"),
        (2, "grace@example.com"),
    ]
    assert [(row["user"].email, row["user"].invested, row["commission"]) for row in referrals["direct"]] == [
        ("chen@example.com", False, "0.00 USD"),
        ("bilal@example.com", True, "30.00 USD"),
    ]
    assert (referrals["total"], referrals["qualified"], referrals["commission_total"]) == (2, 1, "30.00 USD")
    assert text_of(response.text, "investor-360-referrals") == (
        "Referred by level 1 farid@example.com level 2 grace@example.com "
        "Referred 2 investors, 1 invested · commissions earned 30.00 USD "
        "chen@example.com 0.00 USD bilal@example.com invested 30.00 USD Referral tree (three levels down)"
    )


def test_activity_timeline(history, superuser, kyc_reviewer, admin_client_for):
    response = page(admin_client_for(superuser), history.amina)
    rows = response.context["investor360"]["activity"]["rows"]
    assert [row["kind"] for row in rows] == [
        "locked_out",
        "failed_sign_in",
        "failed_sign_in",
        "failed_sign_in",
        "failed_sign_in",
        "signed_in",
        UserEvent.Kind.PASSWORD_CHANGED,
        UserEvent.Kind.KYC_STATUS_SET,
        UserEvent.Kind.KYC_STATUS_SET,
        UserEvent.Kind.KYC_STATUS_SET,
        UserEvent.Kind.KYC_STATUS_SET,
        UserEvent.Kind.SIGNED_UP,
    ]
    assert [row["at"] for row in rows] == sorted((row["at"] for row in rows), reverse=True)
    reviewer = kyc_reviewer.email
    assert [row["by"] for row in rows[6:]] == ["the user", reviewer, "the user", reviewer, "the user", "system"]
    assert {row["detail"] for row in rows[:6]} == {"127.0.0.1 · /login/"}
    assert [row["detail"] for row in rows[7:11]] == [
        "from Pending review to Approved",
        "from Rejected to Pending review",
        "from Pending review to Rejected",
        "from Not submitted to Pending review",
    ]
    timeline = text_of(response.text, "investor-360-activity")
    assert timeline.startswith(f"Sign-in refused: locked out 127.0.0.1 · /login/ {local(rows[0]['at'])} Failed sign-in")
    assert "Signed in 127.0.0.1 · /login/" in timeline
    assert "Password changed by the user" in timeline


def test_notices_threads_and_notes(history, superuser, support, finance, admin_client_for):
    response = page(admin_client_for(superuser), history.amina)
    notices = [notice.title for notice in response.context["investor360"]["notices"]["rows"]]
    assert notices[:2] == ["Sign-ins to your account are paused", "Your password was changed"]
    assert notices[-2:] == ["Identity verified", "Identity documents rejected"]
    assert "Withdrawal paid" in notices and "Balance adjusted" in notices
    thread = history.thread
    assert text_of(response.text, "investor-360-threads") == (
        f"{thread.ticket_number} Where is my second withdrawal? Open {local(thread.last_message_at)} All conversations"
    )
    by_finance, by_support = history.notes[1], history.notes[0]
    assert text_of(response.text, "investor-360-notes") == (
        f"Add a note Payout address changed: confirmed by phone. {finance.email} · {local(by_finance.created_at)} "
        f"Called her about the pending withdrawal. {support.email} · {local(by_support.created_at)}"
    )


def test_statement_tab_with_running_balances(history, finance, admin_client_for):
    """Available-balance postings, newest first, each with the balance it left: the last is the
    header's available balance."""
    html = page(admin_client_for(finance), history.amina).text
    table = html[html.index("<table", html.rindex("dataset-posting")) :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody", 1)[1], flags=re.S)
    balances = [
        " ".join(re.sub(r"<[^>]+>", " ", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1]).split()) for row in rows
    ]
    accruals = [f"{5030 + 50 * day:,}.00 USD" for day in range(9, 0, -1)]
    assert balances == [
        "4,205.00 USD",
        "4,505.00 USD",
        "5,505.00 USD",
        *accruals,
        "5,030.00 USD",
        "5,000.00 USD",
        "10,000.00 USD",
    ]


# --- by role ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_panels_and_no_other_data(history, staff, role, admin_client_for):
    html = page(admin_client_for(staff(role)), history.amina).text
    shown = {name for name, element_id in PANELS.items() if f'id="{element_id}"' in html}
    assert shown == PANELS_BY_ROLE[role]
    figures = {
        "balances": "4,205.00 USD",
        "positions": "450.00 USD",
        "requests": "TAminaPayout0002",
        "kyc": reverse("admin:kyc_submission_change", args=(history.submissions[0].pk,)),
        "threads": "Where is my second withdrawal?",
        "notes": "confirmed by phone",
        "money": "Withdrawals waiting",
    }
    for panel, figure in figures.items():
        assert (figure in html) == (panel in shown), panel
    assert ("30.00 USD" in html) == (role != "kyc_reviewer")  # commissions: referrals.view_commission


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_offered_its_actions_and_refused_the_others(history, staff, role, admin_client_for):
    client = admin_client_for(staff(role))
    html = page(client, history.amina).text
    offered = {name for name in ACTIONS if f'href="{action_url(history.amina, name)}"' in html}
    assert offered == ACTIONS_BY_ROLE[role]
    refused = {"unlock", "adjust_balance", "deactivate", "password_reset"} - ACTIONS_BY_ROLE[role]
    for name in refused:
        assert post_action(client, history.amina, name).status_code == 403, name
    history.amina.refresh_from_db()
    assert history.amina.is_active
    assert not UserEvent.objects.filter(user=history.amina, kind=UserEvent.Kind.UNLOCKED).exists()


@pytest.mark.parametrize("role", ROLES)
def test_resending_the_verification_by_role(newcomer, staff, role, admin_client_for):
    """Offered on an unverified investor's page to staff who may change users."""
    client = admin_client_for(staff(role))
    may = role in ("superuser", "operations", "support")
    assert (f'href="{action_url(newcomer, "resend_verification")}"' in page(client, newcomer).text) == may
    response = post_action(client, newcomer, "resend_verification")
    assert response.status_code == (200 if may else 403)
    sent = UserEvent.objects.filter(user=newcomer, kind=UserEvent.Kind.VERIFICATION_SENT)
    assert [event.actor for event in sent] == ([staff(role)] if may else [])


def test_without_the_note_permission_no_notes_and_the_note_url_is_refused(history, admin_client_for):
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_user", content_type__app_label="accounts"))
    client = admin_client_for(viewer)
    html = page(client, history.amina).text
    assert 'id="investor-360-notes"' not in html
    assert "confirmed by phone" not in html
    assert post_action(client, history.amina, "note_add", body="Sneaky.").status_code == 403
    assert StaffNote.objects.filter(user=history.amina).count() == 2


# --- constant queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_same_number_of_queries_for_a_rich_history_and_a_new_investor(
    history, newcomer, staff, role, admin_client_for
):
    client = admin_client_for(staff(role))
    page(client, newcomer)  # warm the caches a first request fills
    counts = []
    for user in (history.amina, newcomer):
        with CaptureQueriesContext(connection) as queries:
            page(client, user)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_new_investor_has_empty_panels(newcomer, superuser, admin_client_for):
    response = page(admin_client_for(superuser), newcomer)
    assert text_of(response.text, "user-balances") == (
        "Available 0.00 USD Held for withdrawals 0.00 USD Invested 0.00 USD Total 0.00 USD"
    )
    assert text_of(response.text, "investor-360-positions") == "0 open positions No plan bought yet. All positions"
    assert text_of(response.text, "investor-360-referrals") == (
        "Referred by Nobody: signed up without a referral code. Referred 0 investors, 0 invested · "
        "commissions earned 0.00 USD Referral tree (three levels down)"
    )
    assert "Email not verified" in text_of(response.text, "investor-360-status")
    assert f'href="{action_url(newcomer, "resend_verification")}"' in response.text


# --- junk in URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("object_id", ["abc", "999999", "99999999999999999999", "1.5", "%20"])
def test_junk_ids_redirect_with_a_message(object_id, superuser, admin_client_for):
    client = admin_client_for(superuser)
    for url in [
        f"/admin/accounts/user/{object_id}/change/",
        *(f"/admin/accounts/user/{object_id}/{name}_detail/" for name in ACTIONS),
    ]:
        for method in (client.get, client.post):
            response = method(url)
            assert (response.status_code, response["Location"]) == (302, "/admin/"), url
            assert message_of(response).endswith("doesn’t exist. Perhaps it was deleted?"), url
    assert StaffNote.objects.count() == 0


# --- actions through their URLs -----------------------------------------------------------------------


def test_note_added_with_its_exact_body_and_author_newest_first(history, support, admin_client_for):
    client = admin_client_for(support)
    response = post_action(client, history.amina, "note_add", body="  Asked for a call back.\nTwice.  ")
    assert response["HX-Redirect"] == user_change_url(history.amina)
    assert message_of(response) == "The note was added."
    note = StaffNote.objects.filter(user=history.amina).first()
    assert (note.body, note.author, note.user) == ("Asked for a call back.\nTwice.", support, history.amina)
    rows = page(client, history.amina).context["investor360"]["notes"]["rows"]
    assert [row.pk for row in rows] == [note.pk, history.notes[1].pk, history.notes[0].pk]


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (STAFF_NOTE_MAX_LENGTH + 1)])
def test_an_empty_or_too_long_note_is_refused_and_nothing_saved(history, support, body, admin_client_for):
    response = post_action(admin_client_for(support), history.amina, "note_add", body=body)
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert response.context["form"].errors["body"]  # the dialog again, with the field's error
    assert StaffNote.objects.filter(user=history.amina).count() == 2


def test_unlock_when_locked_and_refused_when_not(history, newcomer, support, admin_client_for):
    client = admin_client_for(support)
    response = post_action(client, newcomer, "unlock")
    assert response["HX-Redirect"] == user_change_url(newcomer)
    assert message_of(response) == "This account is not locked."
    assert not UserEvent.objects.filter(kind=UserEvent.Kind.UNLOCKED).exists()
    assert f'href="{action_url(newcomer, "unlock")}"' not in page(client, newcomer).text

    response = post_action(client, history.amina, "unlock")
    assert message_of(response) == "The account was unlocked: the user can sign in again."
    event = UserEvent.objects.get(user=history.amina, kind=UserEvent.Kind.UNLOCKED)
    assert (event.actor, event.data) == (support, {"failures": 5})
    assert message_of(post_action(client, history.amina, "unlock")) == "This account is not locked."
    assert UserEvent.objects.filter(user=history.amina, kind=UserEvent.Kind.UNLOCKED).count() == 1


def test_resend_verification_refused_for_a_verified_user(history, newcomer, support, admin_client_for):
    client = admin_client_for(support)
    response = post_action(client, history.amina, "resend_verification")
    assert message_of(response) == "This email address is already verified."
    assert not UserEvent.objects.filter(user=history.amina, kind=UserEvent.Kind.VERIFICATION_SENT).exists()

    response = post_action(client, newcomer, "resend_verification")
    assert message_of(response) == "The verification email was sent again."
    event = UserEvent.objects.get(user=newcomer, kind=UserEvent.Kind.VERIFICATION_SENT)
    assert event.actor == support


def test_deactivate_then_refused_when_already_deactivated(history, operations, admin_client_for):
    client = admin_client_for(operations)
    assert message_of(post_action(client, history.amina, "deactivate")) == "The user was deactivated."
    history.amina.refresh_from_db()
    assert not history.amina.is_active
    response = post_action(client, history.amina, "deactivate")
    assert message_of(response) == "This account is already deactivated."
    assert UserEvent.objects.filter(user=history.amina, kind=UserEvent.Kind.DEACTIVATED).count() == 1
    html = page(client, history.amina).text
    assert f'href="{action_url(history.amina, "reactivate")}"' in html
    assert f'href="{action_url(history.amina, "deactivate")}"' not in html


def test_adjust_balance_opens_the_adjustment_form_with_the_investor_filled_in(history, finance, admin_client_for):
    client = admin_client_for(finance)
    response = client.get(action_url(history.amina, "adjust_balance"))
    assert (response.status_code, response["Location"]) == (
        302,
        f"/admin/wallet/adjustment/add/?user={history.amina.pk}",
    )
    form_page = client.get(response["Location"])
    assert form_page.status_code == 200
    assert form_page.context["adminform"].form.initial["user"] == str(history.amina.pk)
    assert re.search(rf'<option value="{history.amina.pk}" selected>[^<]*amina@example.com', form_page.text)
    assert Adjustment.objects.filter(user=history.amina).count() == 1  # the goodwill credit only


@pytest.mark.parametrize("junk", ["abc", "99999999999999999999", "-1", "999999"])
def test_the_adjustment_form_ignores_a_junk_user(junk, finance, admin_client_for):
    response = admin_client_for(finance).get(f"/admin/wallet/adjustment/add/?user={junk}")
    assert response.status_code == 200
    assert response.context["adminform"].form.initial.get("user") in (None, "999999")


def test_adjust_balance_is_refused_on_a_staff_member(finance, support, admin_client_for):
    client = admin_client_for(finance)
    assert client.get(action_url(support, "adjust_balance")).status_code == 403


def test_staff_pages_keep_the_plain_change_page(support, superuser, admin_client_for):
    response = page(admin_client_for(superuser), support)
    assert "investor360" not in response.context
    assert 'id="investor-360' not in response.text
    assert [inline.formset.prefix for inline in response.context["inline_admin_formsets"]] == ["events"]
    someone = investor("someone@example.com", first_name="Some", last_name="One")
    assert 'id="investor-360' in page(admin_client_for(superuser), someone).text
