"""``query_params`` without its serializer when no parameter of it was sent: the same answer as
with it, for every filter serializer of the API."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from apps.accounts.api import serializers as accounts
from apps.common.api.filters import _names_if_nothing_added, query_params
from apps.investments.api import serializers as investments
from apps.kyc.api import serializers as kyc
from apps.messaging.api.serializers import messages, tasks, threads
from apps.wallet.api import serializers as wallet

FILTERS = [
    wallet.StatusFilterSerializer,
    wallet.TransactionFilterSerializer,
    threads.ThreadFilterSerializer,
    messages.AdminMessageFilterSerializer,
    tasks.NotificationFilterSerializer,
    kyc.KycQueueFilterSerializer,
    accounts.AdminUserFilterSerializer,
    investments.AdminInvestmentQuerySerializer,
    investments.QuoteQuerySerializer,
    investments.ChartQuerySerializer,
]


def request(query: str):
    from rest_framework.request import Request

    return Request(APIRequestFactory().get(f"/api/x/{query}"))


def validated(serializer_class, query: str):
    """The serializer's own answer (or its error)."""
    from django.http import QueryDict

    sent = {key: value for key, value in QueryDict(query.lstrip("?")).items() if value != ""}
    serializer = serializer_class(data=sent)
    return dict(serializer.validated_data) if serializer.is_valid() else serializer.errors


@pytest.mark.parametrize("serializer_class", FILTERS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("query", ["", "?page=2&page_size=5", "?type=&status=", "?unknown=1"])
def test_the_answer_is_the_serializers(serializer_class, query):
    expected = validated(serializer_class, query)
    refused = any(isinstance(value, list) for value in expected.values())

    if refused:  # a required parameter missing: the 400 either way
        with pytest.raises(ValidationError):
            query_params(serializer_class, request(query))
    else:
        assert dict(query_params(serializer_class, request(query))) == expected


def test_a_plain_filter_is_answered_without_its_serializer_and_a_sent_one_is_checked():
    assert _names_if_nothing_added(wallet.TransactionFilterSerializer) == {"type", "status"}
    assert _names_if_nothing_added(investments.ChartQuerySerializer) is None  # has a default

    with pytest.raises(ValidationError):
        query_params(wallet.TransactionFilterSerializer, request("?type=nonsense"))
