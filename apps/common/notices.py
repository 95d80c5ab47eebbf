"""Notices to a user from an app below messaging (accounts' security notices), without importing it.

Messaging keeps the notices (shown in the portal, their copy emailed after commit), and it sits above
accounts: it reads users, so accounts may not import it (``tests/test_architecture.py``). A lower app
calls these two functions instead; they hand over to the backend ``settings.NOTICE_BACKEND`` names
(messaging's, ``apps.messaging.notice_backend``), as Django's mail goes through ``EMAIL_BACKEND``.
"""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string


def _backend():
    return import_string(settings.NOTICE_BACKEND)


def notice_send(
    *, user, kind: str, title: Callable[[], str] | str, body: Callable[[], str] | str = "", link: str = ""
) -> None:
    """A notice to ``user`` (emailed too). ``title``/``body`` may be callables, so they are
    rendered in the recipient's language."""
    _backend().send(user=user, kind=kind, title=title, body=body, link=link)


def notice_sent_since(*, user, kind: str, since: datetime) -> bool:
    """Whether ``user`` has had a notice of ``kind`` since ``since``."""
    return _backend().sent_since(user=user, kind=kind, since=since)
