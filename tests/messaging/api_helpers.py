"""Material of the messaging API tests: named people (an investor and another one, support and
finance staff) with their API clients, and the expected shapes of people, files and messages."""

import pytest

from apps.messaging.models import Message
from tests.factories import UserFactory
from tests.messaging.helpers import finance_staff, support_staff
from tests.wallet.api_helpers import api_for, iso

SUPPORT_DESK = {"id": None, "name": "Bursar support", "is_staff": True}


@pytest.fixture
def amina(db):
    return UserFactory(first_name="Amina", last_name="Haddad")


@pytest.fixture
def amina_api(amina):
    return api_for(amina)


@pytest.fixture
def bilal(db):
    return UserFactory(first_name="Bilal", last_name="Other")


@pytest.fixture
def bilal_api(bilal):
    return api_for(bilal)


@pytest.fixture
def sam(db):
    """Support staff: threads, notes, tasks; no reward approval."""
    return support_staff(first_name="Sam", last_name="Support")


@pytest.fixture
def sam_api(sam):
    return api_for(sam)


@pytest.fixture
def sara(db):
    return support_staff(first_name="Sara", last_name="Second")


@pytest.fixture
def fadi(db):
    """Finance staff: approves and rejects task proofs."""
    return finance_staff(first_name="Fadi", last_name="Finance")


@pytest.fixture
def fadi_api(fadi):
    return api_for(fadi)


@pytest.fixture
def farah(db):
    return finance_staff(first_name="Farah", last_name="Finance")


@pytest.fixture
def farah_api(farah):
    return api_for(farah)


def person(user) -> dict:
    if user.is_staff:
        return {"id": user.pk, "name": user.first_name, "is_staff": True}
    return {"id": user.pk, "name": user.full_name, "is_staff": False}


def attachment_body(attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": f"http://testserver/api/attachments/{attachment.pk}/",
    }


def message_body(message: Message, *, recipient: dict, is_read: bool, **task) -> dict:
    """A message in the original shape; ``task`` gives the offer fields of a task message."""
    thread = message.thread
    return {
        "id": message.pk,
        "sender": person(message.sender),
        "recipient": recipient,
        "subject": thread.subject,
        "message": message.body,
        "offer_platform": task.get("offer_platform", ""),
        "reward": task.get("reward"),
        "submitted_link": task.get("submitted_link", ""),
        "link_status": task.get("link_status", ""),
        "is_read": is_read,
        "created_at": iso(message.created_at),
        "thread_id": thread.pk,
        "kind": message.kind,
        "user": thread.investor_id,
        "attachments": [attachment_body(a) for a in message.attachments.order_by("id")],
    }


def thread_message_body(message: Message) -> dict:
    return {
        "id": message.pk,
        "thread_id": message.thread_id,
        "kind": message.kind,
        "sender": person(message.sender),
        "message": message.body,
        "is_internal": message.kind == "note",
        "attachments": [attachment_body(a) for a in message.attachments.order_by("id")],
        "created_at": iso(message.created_at),
    }


def business(message: str, code: str, field: str | None = None) -> dict:
    body = {"detail": message, "code": code}
    if field:
        body[field] = [message]
    return body
