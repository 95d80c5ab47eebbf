"""The Investor 360 (an investor's page in the users admin): exact figures on a hand-built history,
each panel and action by role, constant queries, junk input."""

import pytest
from django.contrib.auth.models import Group

from apps.accounts import roles
from tests.backoffice.conftest import user_change_url
from tests.backoffice.investor360_history import build_history
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(kyc_storage, finance, kyc_reviewer, support, superuser):
    second = StaffFactory()
    second.groups.add(Group.objects.get(name=roles.FINANCE))
    return build_history(
        finance=finance, second_finance=second, support=support, kyc_reviewer=kyc_reviewer, superuser=superuser
    )


def test_smoke(history, superuser, admin_client_for):
    response = admin_client_for(superuser).get(user_change_url(history.amina))
    assert response.status_code == 200
    assert "investor-360-panels" in response.text
