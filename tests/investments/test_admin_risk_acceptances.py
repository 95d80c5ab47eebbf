"""Staff see the risk disclosure acceptances, read-only, in their own list (search by email or
IP, filter by plan), with a constant query count; nobody can add, change or delete one; the
plan's page shows the disclosure's version and links to its acceptances."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts import roles
from apps.investments.admin.common import LINK_CLASS
from apps.investments.models import RiskDisclosureAcceptance
from apps.investments.services.plans import plan_update
from apps.investments.services.positions import investment_open
from tests.factories import StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db

LIST = "/admin/investments/riskdisclosureacceptance/"
DAY0 = date(2026, 3, 2)


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC")), tick=False)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_role(role: str):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def plan(staff):
    return make_plan(actor=staff)


def accept(plan, *, email: str, ip: str, staff, hour: int = 12):
    investor = UserFactory(email=email)
    fund(investor, "5000.00", approver=staff)
    with at(DAY0, hour):
        investment_open(user=investor, plan_id=plan.pk, amount="5000.00", terms_accepted=True, ip_address=ip)
    return investor


def rows(response) -> list[tuple]:
    return [(row.user.email, row.plan.name, row.version, row.ip_address) for row in response.context["cl"].result_list]


def test_the_list_shows_every_acceptance_newest_first(plan, staff):
    accept(plan, email="amal@example.com", ip="203.0.113.7", staff=staff, hour=10)
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": "New."})
    accept(plan, email="omar@example.com", ip="2001:db8::1", staff=staff, hour=11)

    response = signed_in(with_role(roles.FINANCE)).get(LIST)

    assert response.status_code == 200
    assert rows(response) == [
        ("omar@example.com", "Professional", 2, "2001:db8::1"),
        ("amal@example.com", "Professional", 1, "203.0.113.7"),
    ]
    html = response.content.decode()
    accepted = RiskDisclosureAcceptance.objects.get(version=1)
    assert f'<code title="{accepted.text_sha256}">{accepted.text_sha256[:12]}…</code>' in html
    assert "2 Mar 2026, 10:00" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [("q=amal", ["amal@example.com"]), ("q=203.0.113.7", ["amal@example.com"]), ("q=203.0", [])],
)
def test_the_list_is_searchable_by_email_or_exact_ip(plan, staff, query, expected):
    accept(plan, email="amal@example.com", ip="203.0.113.7", staff=staff)
    accept(plan, email="omar@example.com", ip="198.51.100.1", staff=staff)

    response = signed_in(with_role(roles.OPERATIONS)).get(f"{LIST}?{query}")

    assert [row[0] for row in rows(response)] == expected


def test_the_list_filters_by_plan(plan, staff):
    other = make_plan(actor=staff, name="Other")
    accept(plan, email="amal@example.com", ip="203.0.113.7", staff=staff)
    accept(other, email="omar@example.com", ip="198.51.100.1", staff=staff)

    response = signed_in(with_role(roles.FINANCE)).get(f"{LIST}?plan__id__exact={other.pk}")

    assert rows(response) == [("omar@example.com", "Other", 1, "198.51.100.1")]


def test_the_list_costs_the_same_queries_for_few_and_many(plan, staff):
    client = signed_in(with_role(roles.FINANCE))
    accept(plan, email="a0@example.com", ip="203.0.113.1", staff=staff)
    client.get(LIST)  # warm the session and content types

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST).status_code == 200
        return len(context.captured_queries)

    few = queries()
    for index in range(1, 8):
        accept(make_plan(actor=staff, name=f"Plan {index}"), email=f"a{index}@example.com", ip="::1", staff=staff)
    assert queries() == few


def test_nobody_adds_changes_or_deletes_an_acceptance(plan, staff, superuser, unchanged_db):
    accept(plan, email="amal@example.com", ip="203.0.113.7", staff=staff)
    acceptance = RiskDisclosureAcceptance.objects.get()
    client = signed_in(superuser)
    change = reverse("admin:investments_riskdisclosureacceptance_change", args=(acceptance.pk,))
    delete = reverse("admin:investments_riskdisclosureacceptance_delete", args=(acceptance.pk,))

    with unchanged_db():
        assert client.get(f"{LIST}add/").status_code == 403
        page = client.get(change)
        posted = client.post(change, {"version": "9", "ip_address": "10.0.0.1"})
        deleted = client.post(delete, {"post": "yes"})

    assert page.status_code == 200
    assert 'name="ip_address"' not in page.content.decode()  # shown, not editable
    assert (posted.status_code, deleted.status_code) == (403, 403)


def test_staff_without_the_permission_do_not_see_the_list(plan, staff):
    accept(plan, email="amal@example.com", ip="203.0.113.7", staff=staff)
    support = with_role(roles.SUPPORT)

    assert signed_in(support).get(LIST).status_code == 403


def test_the_plan_page_shows_the_disclosure_version_and_links_to_its_acceptances(plan, staff):
    accept(plan, email="amal@example.com", ip="203.0.113.7", staff=staff)
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": "New."})
    accept(plan, email="omar@example.com", ip="198.51.100.1", staff=staff)
    accept(plan, email="lina@example.com", ip="198.51.100.2", staff=staff)

    response = signed_in(with_role(roles.OPERATIONS)).get(reverse("admin:investments_plan_change", args=(plan.pk,)))

    assert response.status_code == 200
    html = response.content.decode()
    version = html[html.index(">Risk disclosure version</label>") :]
    assert version.split('<div class="readonly break-words max-w-2xl *:rounded-default">', 1)[1].startswith("2</div>")
    link = (
        f'<a href="{LIST}?plan__id__exact={plan.pk}" class="{LINK_CLASS}">2 investors accepted the current version</a>'
    )
    assert link in html
    assert "investors accept the new text on their next purchase." in html
    assert [formset.opts.verbose_name_plural for formset in response.context["inline_admin_formsets"]] == [
        "History of changes"
    ]


def test_the_plan_page_has_no_link_without_the_permission(plan, staff):
    accept(plan, email="amal@example.com", ip="203.0.113.7", staff=staff)
    viewer = StaffFactory()
    granted = Group.objects.get(name=roles.OPERATIONS).permissions.exclude(codename="view_riskdisclosureacceptance")
    viewer.user_permissions.add(*granted)

    response = signed_in(viewer).get(reverse("admin:investments_plan_change", args=(plan.pk,)))

    assert response.status_code == 200
    assert f"{LIST}?plan__id__exact=" not in response.content.decode()
    assert ">Risk disclosure version</label>" in response.content.decode()


def test_the_add_page_has_no_link(superuser):
    response = signed_in(superuser).get(reverse("admin:investments_plan_add"))

    assert response.status_code == 200
    assert f"{LIST}?plan__id__exact=" not in response.content.decode()
