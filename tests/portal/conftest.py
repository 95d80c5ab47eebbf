"""Portal test helpers: clients in each language, signed-in clients, links from sent emails."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

NEW_PASSWORD = "Sturdy-Pass-93"
# What the header costs on every page a signed-in investor sees: their conversations with an
# unread reply, their unread notices, and the pinned announcement banner.
HEADER_QUERIES = 3


@pytest.fixture
def client_ar():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    return client


@pytest.fixture
def investor_client(client, investor):
    client.force_login(investor, backend="apps.accounts.backends.EmailOrUsernameBackend")
    client.user = investor
    return client


def form_errors(response) -> dict[str, list[str]]:
    """The errors of the page's form, as ``{field: [message, …]}`` (``__all__`` for the form)."""
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def link_path_from_last_email() -> str:
    """The path of the link in the last email sent (``SITE_URL`` stripped off)."""
    body = mail.outbox[-1].body
    match = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", body)
    assert match, body
    return match.group(1)
