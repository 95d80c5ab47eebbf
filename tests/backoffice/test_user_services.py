"""The account services the admin added: roles and staff-set passwords. Only superusers may use
them, and each change is recorded with its actor."""

import pytest
from django.contrib.auth.models import Group
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from apps.accounts import roles, services
from apps.accounts.models import UserEvent
from apps.common.errors import ApplicationError
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def kinds(user) -> list[str]:
    return list(UserEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_superuser_implies_staff_and_roles_are_recorded(superuser):
    user = UserFactory()
    services.user_roles_set(user=user, actor=superuser, is_staff=False, is_superuser=True, groups=[])
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert kinds(user) == ["roles_changed"]


def test_unchanged_roles_record_nothing(superuser):
    user = StaffFactory()
    services.user_roles_set(user=user, actor=superuser, is_staff=True, is_superuser=False, groups=[])
    assert kinds(user) == []


def test_groups_none_keeps_the_current_roles(superuser):
    user = StaffFactory()
    finance = Group.objects.get(name=roles.FINANCE)
    user.groups.add(finance)
    services.user_roles_set(user=user, actor=superuser, is_staff=True, is_superuser=False)
    assert list(user.groups.all()) == [finance]


@pytest.mark.parametrize(
    ("actor_kind", "target_kind", "kwargs", "code"),
    [
        ("staff", "investor", {"is_staff": True, "is_superuser": False}, "permission_denied"),
        ("superuser", "self", {"is_staff": True, "is_superuser": False}, "cannot_demote_self"),
        ("superuser", "investor", {"is_staff": False, "is_superuser": False, "groups": "finance"}, "roles_need_staff"),
    ],
)
def test_role_changes_refused(actor_kind, target_kind, kwargs, code, superuser, staff, unchanged_db):
    actor = superuser if actor_kind == "superuser" else staff
    target = actor if target_kind == "self" else UserFactory()
    if kwargs.get("groups") == "finance":
        kwargs = {**kwargs, "groups": [Group.objects.get(name=roles.FINANCE)]}
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.user_roles_set(user=target, actor=actor, **kwargs)
    assert error.value.code == code


def test_password_set_by_a_superuser_revokes_api_tokens(superuser):
    user = UserFactory()
    services.auth_tokens_issue(user=user)
    services.user_password_set(user=user, password="Brand-New-Pass-7", actor=superuser)
    user.refresh_from_db()
    assert user.check_password("Brand-New-Pass-7")
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    assert list(UserEvent.objects.filter(user=user).values_list("kind", "actor_id", "data")) == [
        ("password_changed", superuser.pk, {"usable": True})
    ]


def test_password_can_be_disabled(superuser):
    user = UserFactory()
    services.user_password_set(user=user, password=None, actor=superuser)
    user.refresh_from_db()
    assert user.has_usable_password() is False


@pytest.mark.parametrize(
    ("actor_kind", "password", "code"),
    [("staff", "Brand-New-Pass-7", "permission_denied"), ("superuser", "abc", "password_invalid")],
)
def test_password_set_refused(actor_kind, password, code, superuser, staff, unchanged_db):
    actor = superuser if actor_kind == "superuser" else staff
    user = UserFactory()
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.user_password_set(user=user, password=password, actor=actor)
    assert error.value.code == code


def test_user_create_records_the_staff_actor(superuser):
    user = services.user_create(email="made@example.com", password=None, actor=superuser)
    assert list(UserEvent.objects.filter(user=user).values_list("kind", "actor_id")) == [("signed_up", superuser.pk)]
