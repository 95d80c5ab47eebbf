"""The per-user API rate (apps.common.api.throttling): DRF's scope and rate setting, counted with a
sliding-window counter. Within the rate every request passes; the next is a 429 ``throttled`` with
a Retry-After; a refused request is not counted; the window slides."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from tests.wallet.api_helpers import api_for

pytestmark = pytest.mark.django_db

PROFILE = "/api/users/profile/"


@pytest.fixture
def three_a_minute(settings):
    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    yield
    cache.clear()


def test_the_rate_is_kept_and_the_window_slides(investor, three_a_minute):
    client = api_for(investor)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)  # a period's start

    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert [client.get(PROFILE).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get(PROFILE)
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled"
        # 3 this period: the 4th fits 20 s into the next one (3 × 40/60 + 1 ≤ 3), 70 s from now.
        assert refused.headers["Retry-After"] == "70"
        assert client.get(PROFILE).status_code == 429  # refusals are not counted, but still refused
    # Next period, 20 s in: the previous period still weighs 3 × 40/60 = 2, so one request fits.
    with time_machine.travel(start + timedelta(seconds=80), tick=False):
        assert [client.get(PROFILE).status_code for _ in range(2)] == [200, 429]
    # Two periods later the old counts have gone.
    with time_machine.travel(start + timedelta(seconds=180), tick=False):
        assert [client.get(PROFILE).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_each_user_has_their_own_count(investor, staff, three_a_minute):
    mine, theirs = api_for(investor), api_for(staff)
    for _ in range(3):
        assert mine.get(PROFILE).status_code == 200
    assert mine.get(PROFILE).status_code == 429
    assert theirs.get(PROFILE).status_code == 200
