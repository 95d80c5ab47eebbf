"""The referrals admin: pages render for the roles that may see them, writes go through the
services (with their checks as form errors), awarded milestones stay, the referral tree and the
top referrers are exact, the sidebar's Referrals items resolve, and lists cost constant queries."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts import roles
from apps.backoffice.navigation import sidebar_navigation
from apps.referrals.models import CommissionRule, Milestone, ReferralChange
from apps.referrals.selectors import referral_tree_get, referrer_list_for_staff
from apps.referrals.services.grants import grant_milestones
from apps.referrals.services.rules import commission_rule_create
from tests.factories import StaffFactory, UserFactory
from tests.referrals.helpers import DAY0, at, make_milestone, referred_users, small_plan

pytestmark = pytest.mark.django_db
D = Decimal
CHANGELISTS = (
    "admin:referrals_referrer_changelist",
    "admin:referrals_commission_changelist",
    "admin:referrals_commissionrule_changelist",
    "admin:referrals_milestone_changelist",
    "admin:referrals_milestoneaward_changelist",
)


def staff_with(role: str):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def network(superuser):
    """Level 2 at 1%. ``top`` referred ``mid`` and ``idle``; ``mid`` referred two investors who
    each bought 1,000.00; ``idle`` referred nobody. ``top`` also referred two who bought 500.00.
    Bronze needs 2 qualified referrals (reward 40.00) and was granted on DAY0."""
    commission_rule_create(actor=superuser, level=2, rate="1")
    make_milestone(actor=superuser, required_referrals=2, reward_amount="40.00")
    top = UserFactory(email="top@example.com", first_name="Tara")
    with at(DAY0):
        plan = small_plan(superuser)
        mid = UserFactory(email="mid@example.com", referred_by=top)
        idle = UserFactory(email="idle@example.com", referred_by=top)
        grandchildren = referred_users(mid, 2, staff=superuser, plan=plan, amount="1000.00")
        buyers = referred_users(top, 2, staff=superuser, plan=plan, amount="500.00")
        grant_milestones()
    return {"top": top, "mid": mid, "idle": idle, "grandchildren": grandchildren, "buyers": buyers}


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_changelists_render_for_superusers_and_every_viewing_role(network, superuser, url_name):
    for user in (superuser, staff_with(roles.SUPPORT), staff_with(roles.FINANCE), staff_with(roles.OPERATIONS)):
        assert client_for(user).get(reverse(url_name)).status_code == 200
    assert client_for(StaffFactory()).get(reverse(url_name)).status_code == 403


def test_top_referrers_are_exact_and_in_order(network):
    rows = [
        (user.email, user.total_referrals, user.qualified_referrals, user.total_commission, user.rewards)
        for user in referrer_list_for_staff()
    ]
    assert rows == [
        ("mid@example.com", 2, 2, D("60.00"), D("40.00")),
        ("top@example.com", 4, 2, D("50.00"), D("40.00")),  # 2 × 15.00 + 2 × 10.00 (level 2)
    ]


def test_top_referrers_page_lists_them_and_search_finds_anyone(network, superuser):
    client = client_for(superuser)
    page = client.get(reverse("admin:referrals_referrer_changelist"))
    assert [row.email for row in page.context["cl"].result_list] == ["mid@example.com", "top@example.com"]
    assert "60.00 USD" in page.text and "Top referrers" in page.text
    found = client.get(reverse("admin:referrals_referrer_changelist"), {"q": "idle@example.com"})
    assert [row.email for row in found.context["cl"].result_list] == ["idle@example.com"]


def test_the_referral_tree_goes_up_the_chain_and_down_three_levels(network):
    tree = referral_tree_get(user=network["top"])
    assert tree.chain == []
    assert [(level.level, level.users, level.qualified, level.commission) for level in tree.levels] == [
        (1, 4, 2, D("30.00")),
        (2, 2, 2, D("20.00")),
        (3, 0, 0, D("0.00")),
    ]
    first = [(node.user.email, node.has_invested, node.referral_count, node.commission_to_root) for node in tree.nodes]
    assert first[:2] == [("mid@example.com", False, 2, D("0.00")), ("idle@example.com", False, 0, D("0.00"))]
    assert [(n.has_invested, n.commission_to_root) for n in tree.nodes[2:]] == [(True, D("15.00"))] * 2
    assert [(n.user, n.level, n.commission_to_root) for n in tree.nodes[0].children] == [
        (user, 2, D("10.00")) for user in network["grandchildren"]
    ]
    below = referral_tree_get(user=network["grandchildren"][0])
    assert below.chain == [network["mid"], network["top"]]
    assert (below.stats.total_referrals, below.nodes) == (0, [])


def test_the_tree_page_renders_with_exact_figures(network, superuser):
    response = client_for(staff_with(roles.SUPPORT)).get(
        reverse("admin:referrals_referrer_change", args=(network["top"].pk,))
    )
    assert response.status_code == 200
    html = response.text
    assert "Referral tree of top@example.com" in html
    assert 'data-stat="commission">50.00 USD</dd>' in html
    assert 'data-stat="rewards">40.00 USD</dd>' in html
    assert html.count('data-node-level="2"') == 2
    assert f'data-node="{network["idle"].pk}"' in html
    mid_page = client_for(superuser).get(reverse("admin:referrals_referrer_change", args=(network["mid"].pk,)))
    assert 'data-chain-level="1"' in mid_page.text and "top@example.com" in mid_page.text
    assert client_for(superuser).get(reverse("admin:referrals_referrer_change", args=(999999,))).status_code == 404
    assert client_for(superuser).get("/admin/referrals/referrer/abc/change/").status_code == 404


def test_adding_a_rule_goes_through_the_service(superuser, unchanged_db):
    client = client_for(staff_with(roles.OPERATIONS))
    url = reverse("admin:referrals_commissionrule_add")
    with unchanged_db():
        for data, field in (
            ({"level": "2", "rate": "0"}, "rate"),
            ({"level": "2", "rate": "100.5"}, "rate"),
            ({"level": "11", "rate": "1"}, "level"),
            ({"level": "1", "rate": "1"}, "level"),
        ):
            response = client.post(url, {**data, "is_active": "on"})
            assert response.status_code == 200
            assert field in response.context["adminform"].form.errors
    response = client.post(url, {"level": "2", "rate": "1.5", "is_active": "on"})
    assert response.status_code == 302
    rule = CommissionRule.objects.get(level=2)
    assert rule.rate == D("1.5000")
    change = ReferralChange.objects.get(subject="rule")
    assert change.changes == {"level": [None, "2"], "rate": [None, "1.5000"], "is_active": [None, "True"]}
    assert change.actor.groups.get().name == roles.OPERATIONS


def test_support_may_look_at_rules_but_not_change_them(superuser):
    client = client_for(staff_with(roles.SUPPORT))
    rule = CommissionRule.objects.get(level=1)
    assert client.get(reverse("admin:referrals_commissionrule_add")).status_code == 403
    response = client.post(
        reverse("admin:referrals_commissionrule_change", args=(rule.pk,)), {"level": "1", "rate": "9"}
    )
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.rate == D("3.0000")


def test_milestones_are_managed_through_the_service_and_awarded_ones_stay(network, superuser):
    client = client_for(staff_with(roles.OPERATIONS))
    response = client.post(
        reverse("admin:referrals_milestone_add"),
        {
            "name": "Silver",
            "required_referrals": "10",
            "reward_amount": "250.00",
            "icon": "silver",
            "display_order": "1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    silver = Milestone.objects.get(name="Silver")
    assert (silver.required_referrals, silver.reward_amount) == (10, D("250.00"))
    bad = client.post(
        reverse("admin:referrals_milestone_add"),
        {"name": "Bad", "required_referrals": "0", "reward_amount": "0", "icon": "x", "display_order": "0"},
    )
    assert set(bad.context["adminform"].form.errors) == {"required_referrals", "reward_amount"}
    bronze = Milestone.objects.get(name="Bronze")
    admin_client = client_for(superuser)
    assert admin_client.get(reverse("admin:referrals_milestone_delete", args=(bronze.pk,))).status_code == 403
    response = admin_client.post(
        reverse("admin:referrals_milestone_changelist"),
        {"action": "deactivate_milestones", "_selected_action": [bronze.pk]},
    )
    assert response.status_code == 302
    bronze.refresh_from_db()
    assert bronze.is_active is False
    response = admin_client.post(reverse("admin:referrals_milestone_delete", args=(silver.pk,)), {"post": "yes"})
    assert response.status_code == 302
    assert list(Milestone.objects.values_list("name", flat=True)) == ["Bronze"]


def test_commissions_and_awards_are_read_only_and_searchable(network, superuser):
    client = client_for(superuser)
    assert client.get(reverse("admin:referrals_commission_add")).status_code == 403
    assert client.get(reverse("admin:referrals_milestoneaward_add")).status_code == 403
    url = reverse("admin:referrals_commission_changelist")
    assert client.get(url, {"level": "2"}).context["cl"].result_count == 2
    assert client.get(url, {"q": "top@example.com"}).context["cl"].result_count == 4
    assert client.get(url, {"created_at_from": "2026-03-03"}).context["cl"].result_count == 0
    awards = client.get(reverse("admin:referrals_milestoneaward_changelist"))
    assert sorted(award.user.email for award in awards.context["cl"].result_list) == [
        "mid@example.com",
        "top@example.com",
    ]


@pytest.mark.parametrize("url_name", ["admin:referrals_referrer_changelist", "admin:referrals_commission_changelist"])
def test_lists_cost_the_same_queries_for_few_or_many_rows(superuser, url_name):
    client = client_for(superuser)
    plan = small_plan(superuser)

    def grow(count):
        for _ in range(count):
            referred_users(UserFactory(), 1, staff=superuser, plan=plan)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(url_name)).status_code == 200
        return len(context)

    grow(3)
    few = queries()
    grow(10)
    assert queries() == few


def test_the_sidebar_lists_every_referrals_page(superuser):
    def referral_items(user):
        request = RequestFactory().get("/admin/")
        request.user = user
        section = next((s for s in sidebar_navigation(request) if s["title"] == "Referrals"), None)
        return [(str(item["title"]), item["link"]) for item in section["items"]] if section else []

    assert referral_items(superuser) == [
        ("Top referrers", "/admin/referrals/referrer/"),
        ("Commissions", "/admin/referrals/commission/"),
        ("Commission rules", "/admin/referrals/commissionrule/"),
        ("Milestones", "/admin/referrals/milestone/"),
        ("Milestone awards", "/admin/referrals/milestoneaward/"),
    ]
    assert [title for title, _ in referral_items(staff_with(roles.SUPPORT))] == [
        "Top referrers",
        "Commissions",
        "Commission rules",
        "Milestones",
        "Milestone awards",
    ]
    assert referral_items(StaffFactory()) == []


def test_roles_hold_the_referrals_permissions():
    def held(role):
        group = Group.objects.get(name=role)
        return sorted(group.permissions.filter(content_type__app_label="referrals").values_list("codename", flat=True))

    view = ["view_commission", "view_commissionrule", "view_milestone", "view_milestoneaward", "view_referrer"]
    assert held(roles.SUPPORT) == view
    assert held(roles.FINANCE) == view
    assert held(roles.OPERATIONS) == sorted(
        [*view, "add_commissionrule", "change_commissionrule", "add_milestone", "change_milestone"]
    )
    assert held(roles.KYC_REVIEW) == []
