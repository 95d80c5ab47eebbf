"""The job runs' pages show how a run was split: done of planned in the list, and every chunk
(its investors, status, rows, worker) on the run's page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.investments.services.accrual import accrue_returns
from tests.backoffice.test_jobs_admin import DAY0, RUNS, at, position  # noqa: F401
from workers.chunks import worker_name

pytestmark = pytest.mark.django_db


def test_the_list_shows_chunks_done_of_planned_and_the_run_lists_them(position, finance, admin_client_for):  # noqa: F811
    with at(DAY0 + timedelta(days=1)):
        [run] = accrue_returns()
    client = admin_client_for(finance)
    listing = client.get(RUNS)
    [row] = listing.context["cl"].result_list
    assert (row.chunks, row.planned) == (1, 1)
    assert '<span class="whitespace-nowrap">1 / 1</span>' in listing.text

    page = client.get(reverse("admin:workers_jobrun_change", args=(run.pk,)))
    assert 'id="job-chunks"' in page.text
    owner = position.user_id
    assert f"<bdi>{owner}–{owner}</bdi>" in page.text
    assert f"<bdi>{worker_name()}</bdi>" in page.text
    assert "Done" in page.text
