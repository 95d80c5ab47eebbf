"""Fixtures of the messaging service, task and concurrency tests: staff in each role, an Arabic
investor, a frozen clock, and the S3 (moto) fixtures of the KYC tests for attachments."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import UserFactory
from tests.kyc.conftest import kyc_s3, moto_endpoint, s3_client  # noqa: F401 (fixtures shared with KYC)
from tests.messaging.helpers import finance_staff, operations_staff, support_staff

# A fixed moment the tests start from (a Monday noon, UTC).
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def support(db):
    return support_staff(first_name="Sam", last_name="Support")


@pytest.fixture
def support2(db):
    return support_staff(first_name="Sara", last_name="Second")


@pytest.fixture
def finance(db):
    return finance_staff(first_name="Fadi", last_name="Finance")


@pytest.fixture
def finance2(db):
    return finance_staff(first_name="Farah", last_name="Finance")


@pytest.fixture
def operations(db):
    return operations_staff(first_name="Omar", last_name="Operations")


@pytest.fixture
def investor(db):
    return UserFactory(first_name="Amina", last_name="Haddad")


@pytest.fixture
def other_investor(db):
    return UserFactory(first_name="Bilal", last_name="Other")


@pytest.fixture
def arabic_investor(db):
    return UserFactory(first_name="ليلى", last_name="Nasser", language="ar")


@pytest.fixture
def clock():
    """``clock(moment)`` freezes time at ``moment`` (moving it again later is allowed)."""
    travellers = []

    def freeze(moment):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return moment

    yield freeze
    for traveller in travellers:
        traveller.stop()
