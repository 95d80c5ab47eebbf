"""Idempotency keys (I6): one ``IdempotencyRecord`` per (user, key).

A request first *reserves* its key (an insert that commits before any money moves), then runs,
then stores its response on the record. The unique constraint decides every race: the loser of
the insert reads the winner's record and replays its response, or, while the winner is still
running, is told so (``idempotency_in_progress``). The same key with another body or on another
endpoint is refused (``idempotency_key_reused``). A request that fails unexpectedly gives its
reservation back, so the client can retry with the same key.
"""

import hashlib
import json
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.common.errors import ConflictError
from apps.wallet.models import IdempotencyRecord

IN_PROGRESS = 0  # ``response_status`` of a reserved key whose request has not finished


def _number_text(value) -> str:
    """A JSON number read exactly (``JsonNumber``) as its text: ``99.99`` and ``"99.99"`` are one amount."""
    if isinstance(value, Decimal):
        return getattr(value, "text", str(value))
    raise TypeError(f"not JSON: {type(value).__name__}")


def idempotency_request_hash(*, scope: str, body) -> str:
    """SHA-256 of the endpoint and the canonical JSON of the body (keys sorted, no spaces)."""
    canonical = json.dumps(
        {"scope": scope, "body": body}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_number_text
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_begin(*, user, key: str, scope: str, request_hash: str) -> IdempotencyRecord | None:
    """Reserve ``key`` for this request and return ``None`` (go ahead), or return the finished
    record to replay. Raises ``ConflictError`` for a reused key or one still in progress."""
    try:
        with transaction.atomic(durable=True):
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                scope=scope,
                request_hash=request_hash,
                response_status=IN_PROGRESS,
                response_body={},
            )
    except IntegrityError:
        return _finished_record(user=user, key=key, scope=scope, request_hash=request_hash)
    return None


def _finished_record(*, user, key: str, scope: str, request_hash: str) -> IdempotencyRecord:
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None and (record.scope != scope or record.request_hash != request_hash):
        raise ConflictError(
            _("This Idempotency-Key was already used for a different request."), code="idempotency_key_reused"
        )
    if record is None or record.response_status == IN_PROGRESS:
        # ``None``: the first request failed and gave the key back in the meantime.
        raise ConflictError(
            _("A request with this Idempotency-Key is still being processed; retry shortly."),
            code="idempotency_in_progress",
        )
    return record


def idempotency_finish(*, user, key: str, status: int, body) -> None:
    """Store the response of the request that reserved ``key``."""
    IdempotencyRecord.objects.filter(user=user, key=key, response_status=IN_PROGRESS).update(
        response_status=status, response_body=body
    )


def idempotency_abandon(*, user, key: str) -> None:
    """Give back the reservation of a request that failed without a response worth replaying."""
    IdempotencyRecord.objects.filter(user=user, key=key, response_status=IN_PROGRESS).delete()
