"""The staff users API: the list with balances (constant queries), profile changes and
(de)activation in both the original API's form (id in the body) and the original client's (id in
the path), each behind its Django permission; every refusal changes nothing."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts import services
from apps.accounts.models import KycStatus, User, UserEvent
from apps.accounts.roles import FINANCE, OPERATIONS, SUPPORT
from apps.investments.services.positions import investment_open
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import StaffFactory, SuperuserFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.api_helpers import api_for, iso
from tests.wallet.helpers import fund, kyc_approve

pytestmark = pytest.mark.django_db

USERS = "/api/admin/users/"
UPDATE = "/api/admin/users/update/"
DELETE = "/api/admin/users/delete/"
FORBIDDEN = {"detail": "Only staff with the matching permission can do this.", "code": "permission_denied"}
NOT_FOUND = {"detail": "No such user.", "code": "not_found"}
NOT_EDITABLE = ["This field cannot be changed."]
REFUSED_FIELDS = {
    "email": "new@example.com",
    "balance": "1000.00",
    "balance_held": "0.00",
    "balance_invested": "0.00",
    "referral_code": "ABCDEFGH",
    "referred_by": 1,
    "is_staff": True,
    "is_superuser": True,
    "role": "admin",
    "groups": [1],
    "user_permissions": [1],
    "is_kyc_verified": True,
    "kyc_status": "approved",
    "is_verified": True,
    "is_email_verified": True,
    "password": "Another-Horse-43",
    "id": 5,
    "created_at": "2026-01-01T00:00:00Z",
    "date_joined": "2026-01-01T00:00:00Z",
    "last_login": None,
}


def expected_row(user: User, available="0.00", held="0.00", invested="0.00") -> dict:
    user.refresh_from_db()
    return {
        "id": user.pk,
        "email": user.email,
        "username": user.username or "",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": user.full_name,
        "phone": user.phone,
        "country": user.country,
        "language": user.language,
        "referral_code": user.referral_code,
        "referred_by": user.referred_by_id,
        "balance": available,
        "balance_held": held,
        "balance_invested": invested,
        "is_verified": user.is_email_verified,
        "is_kyc_verified": user.kyc_status == KycStatus.APPROVED,
        "kyc_status": user.kyc_status,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "role": "admin" if user.is_staff else "customer",
        "created_at": iso(user.date_joined),
        "last_login": iso(user.last_login) if user.last_login else None,
    }


def staff_in(role: str) -> User:
    """A staff member (not a superuser) holding one role."""
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def boss():
    return SuperuserFactory(email="ada@bursar.example", first_name="Ada", last_name="Boss")


@pytest.fixture
def ivy(boss):
    """1,500.00 deposited, 1,000.00 invested, 200.00 asked for (held): 300.00 available."""
    ivy = UserFactory(email="ivy@example.com", first_name="Ivy", last_name="Stone", country="Jordan")
    kyc_approve(ivy)
    fund(ivy, "1500.00", approver=boss)
    plan = make_plan(actor=boss, name="Starter", min_amount="100.00", daily_rate=Decimal("1.0000"), term_days=30)
    investment_open(user=ivy, plan_id=plan.pk, amount="1000.00", terms_accepted=True)
    withdrawal_request_create(user=ivy, amount="200.00", address="TXyzDemoAddress000000000000000001")
    return ivy


@pytest.fixture
def omar(ivy, boss):
    """Referred by Ivy, no money, deactivated."""
    omar = UserFactory(email="omar@example.com", first_name="Omar", last_name="Khan", referred_by=ivy)
    services.user_active_set(user=omar, is_active=False, actor=boss)
    return omar


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_every_user_newest_first_with_balances_and_flags(ivy, omar, boss):
    response = api_for(boss).get(USERS)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert body["results"] == [
        expected_row(omar),
        expected_row(ivy, available="300.00", held="200.00", invested="1000.00"),
        expected_row(boss),
    ]
    assert body["results"][0]["is_active"] is False
    assert body["results"][0]["referred_by"] == ivy.pk
    assert body["results"][1]["kyc_status"] == "approved"
    assert body["results"][2]["role"] == "admin"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=IVY@example", ["ivy"]),
        ("search=khan", ["omar"]),
        ("search=  stone  ", ["ivy"]),
        ("search=nobody", []),
        ("is_active=false", ["omar"]),
        ("is_active=true", ["ivy", "boss"]),
        ("is_active=true&search=example.com", ["ivy"]),
        ("role=customer", ["omar", "ivy"]),
        ("role=admin", ["boss"]),
        ("search=", ["omar", "ivy", "boss"]),
    ],
)
def test_list_filters(ivy, omar, boss, query, expected):
    people = {"ivy": ivy.pk, "omar": omar.pk, "boss": boss.pk}

    response = api_for(boss).get(f"{USERS}?{query}")

    assert response.status_code == 200
    assert ids(response) == [people[name] for name in expected]


def test_search_finds_the_exact_referral_code_in_any_case_and_the_id(ivy, omar, boss):
    client = api_for(boss)

    assert ids(client.get(USERS, {"search": ivy.referral_code.lower()})) == [ivy.pk]
    assert ids(client.get(USERS, {"search": ivy.referral_code[:4]})) == []
    assert ids(client.get(USERS, {"search": str(omar.pk)})) == [omar.pk]
    assert ids(client.get(USERS, {"search": "9" * 30})) == []


def test_list_pages(ivy, omar, boss):
    response = api_for(boss).get(USERS, {"page_size": 2, "page": 2})

    assert response.status_code == 200
    assert (response.json()["count"], ids(response)) == (3, [boss.pk])


@pytest.mark.parametrize(
    "query",
    [
        "is_active=maybe",
        "is_active=1",
        "is_active=yes",
        "is_active=True",
        "role=owner",
        "search=" + "x" * 255,
        "search=%20" + "x" * 254,
        "page=99",
        "page=abc",
    ],
)
def test_list_refuses_bad_parameters_without_a_server_error(ivy, boss, query):
    response = api_for(boss).get(f"{USERS}?{query}")

    assert response.status_code == (404 if query == "page=99" else 400)


def test_list_runs_in_a_constant_number_of_queries(boss):
    client = api_for(boss)
    plan = make_plan(actor=boss, name="Starter", min_amount="100.00", daily_rate=Decimal("1.0000"), term_days=30)

    def add_investors(count: int) -> None:
        for _ in range(count):
            user = UserFactory()
            fund(user, "300.00", approver=boss)
            investment_open(user=user, plan_id=plan.pk, amount="100.00", terms_accepted=True)

    add_investors(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(USERS).status_code == 200
    add_investors(10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(USERS)

    assert len(response.json()["results"]) == 13
    assert {row["balance"] for row in response.json()["results"][:12]} == {"200.00"}
    assert len(many) == len(few)


# --- Permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", USERS, None),
        ("patch", UPDATE, {"first_name": "X"}),
        ("delete", DELETE, {}),
    ],
)
def test_investors_and_staff_without_a_permission_are_refused(ivy, unchanged_db, method, path, body):
    body = None if body is None else {"user_id": ivy.pk, **body}
    for caller in (ivy, StaffFactory()):
        caller_client = api_for(caller)
        with unchanged_db():
            response = getattr(caller_client, method)(path, body, format="json")

        assert response.status_code == 403
        assert response.json() == FORBIDDEN


@pytest.mark.parametrize(("method", "path"), [("get", USERS), ("patch", UPDATE), ("delete", DELETE)])
def test_the_api_needs_a_token(api_client, method, path):
    response = getattr(api_client, method)(path, {}, format="json")

    assert response.status_code == 401


def test_each_role_gets_what_its_permissions_allow(ivy, unchanged_db):
    finance, support, operations = (api_for(staff_in(role)) for role in (FINANCE, SUPPORT, OPERATIONS))

    for member in (finance, support, operations):
        assert member.get(USERS).status_code == 200
    with unchanged_db():
        assert finance.patch(UPDATE, {"user_id": ivy.pk, "country": "Oman"}, format="json").json() == FORBIDDEN
        assert support.delete(DELETE, {"user_id": ivy.pk}, format="json").json() == FORBIDDEN
        response = support.patch(UPDATE, {"user_id": ivy.pk, "is_active": False}, format="json")
        assert (response.status_code, response.json()) == (403, FORBIDDEN)

    assert support.patch(UPDATE, {"user_id": ivy.pk, "country": "Oman"}, format="json").status_code == 200
    assert operations.delete(DELETE, {"user_id": ivy.pk}, format="json").status_code == 200
    ivy.refresh_from_db()
    assert (ivy.country, ivy.is_active) == ("Oman", False)


def test_staff_change_their_own_account_but_another_staff_members_only_as_superusers(boss, unchanged_db):
    operations, colleague = staff_in(OPERATIONS), staff_in(SUPPORT)
    client = api_for(operations)

    with unchanged_db():
        for target in (colleague, boss):
            response = client.patch(UPDATE, {"user_id": target.pk, "first_name": "X"}, format="json")
            assert (response.status_code, response.json()) == (403, FORBIDDEN)
            response = client.delete(DELETE, {"user_id": target.pk}, format="json")
            assert (response.status_code, response.json()) == (403, FORBIDDEN)

    assert client.patch(UPDATE, {"user_id": operations.pk, "first_name": "Olga"}, format="json").status_code == 200
    response = api_for(boss).patch(UPDATE, {"user_id": colleague.pk, "is_active": False}, format="json")
    assert (response.status_code, response.json()["is_active"]) == (200, False)


# --- Update -------------------------------------------------------------------------------------


def test_update_changes_profile_fields_and_records_who(ivy, boss):
    changes = {
        "username": "ivy.s",
        "first_name": "Ivy",
        "last_name": "Stone-Haddad",
        "phone": "+962 79 123 4567",
        "country": "Oman",
        "language": "ar",
    }

    response = api_for(boss).patch(UPDATE, {"user_id": ivy.pk, **changes}, format="json")

    assert response.status_code == 200
    assert response.json() == expected_row(ivy, available="300.00", held="200.00", invested="1000.00")
    assert {name: getattr(ivy, name) for name in changes} == changes
    event = ivy.events.get(kind=UserEvent.Kind.PROFILE_UPDATED)
    assert (event.actor, event.data) == (boss, {"fields": ["country", "language", "last_name", "phone", "username"]})


def test_update_by_path_is_the_same_change(ivy, boss):
    response = api_for(boss).patch(f"{UPDATE}{ivy.pk}/", {"country": "Oman", "is_active": False}, format="json")

    assert response.status_code == 200
    assert response.json() == expected_row(ivy, available="300.00", held="200.00", invested="1000.00")
    assert (ivy.country, ivy.is_active) == ("Oman", False)


def test_update_reactivates_and_deactivates(omar, boss):
    client = api_for(boss)

    response = client.patch(UPDATE, {"user_id": omar.pk, "is_active": True}, format="json")

    assert (response.status_code, response.json()["is_active"]) == (200, True)
    assert list(omar.events.order_by("id").values_list("kind", "actor")) == [
        (UserEvent.Kind.DEACTIVATED, boss.pk),
        (UserEvent.Kind.REACTIVATED, boss.pk),
    ]
    response = client.patch(UPDATE, {"user_id": omar.pk, "is_active": False}, format="json")
    assert (response.status_code, response.json()["is_active"]) == (200, False)


def test_update_with_only_the_id_changes_nothing(ivy, boss, unchanged_db):
    boss_client = api_for(boss)
    with unchanged_db():
        response = boss_client.patch(UPDATE, {"user_id": ivy.pk}, format="json")

    assert response.status_code == 200
    assert response.json() == expected_row(ivy, available="300.00", held="200.00", invested="1000.00")


@pytest.mark.parametrize(("field", "value"), list(REFUSED_FIELDS.items()))
def test_update_refuses_every_other_field_by_name(ivy, boss, unchanged_db, field, value):
    for path, body in ((UPDATE, {"user_id": ivy.pk}), (f"{UPDATE}{ivy.pk}/", {})):
        boss_client = api_for(boss)
        with unchanged_db():
            response = boss_client.patch(path, {**body, "first_name": "Changed", field: value}, format="json")

        assert response.status_code == 400
        assert response.json() == {field: NOT_EDITABLE}


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"username": "taken.name"}, "username", "username_taken"),
        ({"username": "TAKEN.NAME", "is_active": False}, "username", "username_taken"),
        ({"phone": "call me"}, "phone", "invalid"),
        ({"phone": "call me", "is_active": False}, "phone", "invalid"),
    ],
)
def test_a_refused_change_changes_nothing_at_all(ivy, boss, unchanged_db, changes, field, code):
    UserFactory(username="taken.name")

    boss_client = api_for(boss)
    with unchanged_db():
        response = boss_client.patch(UPDATE, {"user_id": ivy.pk, "first_name": "Changed", **changes}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"user_id": None},
        {"user_id": "1"},
        {"user_id": 1.5},
        {"user_id": True},
        {"user_id": 0},
        {"user_id": -3},
        {"user_id": 2**63},
        {"user_id": [1]},
        {"user_id": {"id": 1}},
    ],
)
def test_junk_ids_in_the_body_are_400(ivy, boss, unchanged_db, body):
    client = api_for(boss)
    with unchanged_db():
        update = client.patch(UPDATE, {**body, "first_name": "X"}, format="json")
        delete = client.delete(DELETE, body, format="json")

    assert (update.status_code, delete.status_code) == (400, 400)
    assert "user_id" in update.json() and "user_id" in delete.json()


@pytest.mark.parametrize(
    "body", [{"is_active": "false"}, {"is_active": 0}, {"is_active": None}, {"first_name": 7}, {"language": "fr"}]
)
def test_values_of_the_wrong_type_are_400(ivy, boss, unchanged_db, body):
    boss_client = api_for(boss)
    with unchanged_db():
        response = boss_client.patch(UPDATE, {"user_id": ivy.pk, **body}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == list(body)


def test_unknown_users_are_404(boss, unchanged_db):
    client = api_for(boss)
    with unchanged_db():
        responses = [
            client.patch(UPDATE, {"user_id": 987654, "first_name": "X"}, format="json"),
            client.delete(DELETE, {"user_id": 987654}, format="json"),
            client.patch(f"{UPDATE}987654/", {"first_name": "X"}, format="json"),
            client.delete(f"{DELETE}987654/"),
            client.patch(f"{UPDATE}99999999999999999999999/", {"first_name": "X"}, format="json"),
            client.delete(f"{DELETE}99999999999999999999999/"),
        ]

    assert [(r.status_code, r.json()) for r in responses] == [(404, NOT_FOUND)] * 6


@pytest.mark.parametrize(
    "path", [f"{UPDATE}abc/", f"{DELETE}abc/", f"{UPDATE}-1/", f"{DELETE}1.5/", f"{UPDATE}0/", f"{DELETE}%D9%A1/"]
)
def test_junk_ids_in_the_path_are_400_on_the_id(boss, unchanged_db, path):
    """API.md: the original client's path forms say which field is wrong (Django's HTML 404 did not)."""
    boss_client = api_for(boss)
    with unchanged_db():
        response = getattr(boss_client, "patch" if "update" in path else "delete")(path, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"user_id": ["The id in the path must be a positive integer."]}


def test_malformed_json_is_400(ivy, boss, unchanged_db):
    client = api_for(boss)
    with unchanged_db():
        update = client.generic("PATCH", UPDATE, '{"user_id": 1,', content_type="application/json")
        delete = client.generic("DELETE", DELETE, "[1]", content_type="application/json")

    assert (update.status_code, update.json()["code"]) == (400, "parse_error")
    assert delete.status_code == 400


# --- Delete (deactivate) --------------------------------------------------------------------------


def test_delete_deactivates_signs_out_and_keeps_everything(ivy, boss, api_client):
    refresh = services.auth_tokens_issue(user=ivy)["refresh"]
    positions, deposits = ivy.positions.count(), ivy.deposits.count()

    response = api_for(boss).delete(DELETE, {"user_id": ivy.pk}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "message": "User deactivated.",
        "user": expected_row(ivy, available="300.00", held="200.00", invested="1000.00"),
    }
    assert ivy.is_active is False
    assert (ivy.positions.count(), ivy.deposits.count()) == (positions, deposits)
    assert ivy.events.filter(kind=UserEvent.Kind.DEACTIVATED, actor=boss).count() == 1
    assert api_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json").status_code == 401
    assert ids(api_for(boss).get(USERS, {"is_active": "false"})) == [ivy.pk]


def test_delete_by_path_deactivates_and_a_second_delete_changes_nothing(ivy, boss, unchanged_db):
    client = api_for(boss)

    first = client.delete(f"{DELETE}{ivy.pk}/")
    with unchanged_db():
        second = client.delete(f"{DELETE}{ivy.pk}/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert first.json()["user"]["is_active"] is False


def test_delete_by_path_refuses_a_body(ivy, boss, unchanged_db):
    boss_client = api_for(boss)
    with unchanged_db():
        response = boss_client.delete(f"{DELETE}{ivy.pk}/", {"user_id": ivy.pk}, format="json")

    assert (response.status_code, response.json()) == (400, {"user_id": ["This field is not allowed."]})


def test_nobody_deactivates_themselves(boss, unchanged_db):
    client = api_for(boss)
    with unchanged_db():
        responses = [
            client.delete(DELETE, {"user_id": boss.pk}, format="json"),
            client.delete(f"{DELETE}{boss.pk}/"),
            client.patch(UPDATE, {"user_id": boss.pk, "is_active": False, "first_name": "X"}, format="json"),
        ]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(400, "cannot_deactivate_self")] * 3


def test_post_and_put_are_not_allowed(ivy, boss, unchanged_db):
    client = api_for(boss)
    with unchanged_db():
        assert client.post(DELETE, {"user_id": ivy.pk}, format="json").status_code == 405
        assert client.put(UPDATE, {"user_id": ivy.pk}, format="json").status_code == 405
        assert client.post(USERS, {}, format="json").status_code == 405


# --- Schema ---------------------------------------------------------------------------------------


def test_every_form_is_in_the_schema_with_its_errors(client):
    schema = client.get("/api/schema/?format=json").json()
    expected = {
        "/api/admin/users/": ("get", ["200", "400", "401", "403", "404"]),
        "/api/admin/users/update/": ("patch", ["200", "400", "401", "403", "404"]),
        "/api/admin/users/update/{user_id}/": ("patch", ["200", "400", "401", "403", "404"]),
        "/api/admin/users/delete/": ("delete", ["200", "400", "401", "403", "404"]),
        "/api/admin/users/delete/{user_id}/": ("delete", ["200", "400", "401", "403", "404"]),
    }
    for path, (method, codes) in expected.items():
        assert list(schema["paths"][path]) == [method], path
        assert sorted(schema["paths"][path][method]["responses"]) == codes, path
    body = schema["paths"]["/api/admin/users/delete/"]["delete"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/AdminUserDeleteRequest"}
    listing = schema["paths"]["/api/admin/users/"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"search", "is_active", "role", "page", "page_size"}
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO(), stderr=io.StringIO())
