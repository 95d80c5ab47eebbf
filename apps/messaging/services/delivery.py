"""Chunked, resumable delivery to a segment of investors (announcements and tasks).

Recipients are taken in ascending user id, ``DELIVERY_CHUNK_SIZE`` at a time. Each chunk is one
transaction that locks the announcement or task row, reads its cursor (``delivered_through``),
writes the chunk and moves the cursor: a delivery killed half-way resumes after the last
committed chunk, two workers on one delivery take turns, and the unique constraint per
(announcement or task, user) makes a replayed chunk write nothing. The last chunk marks it sent.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.messaging.models import DeliveryStatus


@dataclass(frozen=True)
class Chunk:
    """The recipients of one chunk: users with ``after < id <= through`` (``through`` None: all
    the rest, the last chunk)."""

    after: int
    through: int | None
    users: QuerySet


ChunkWriter = Callable[[models.Model, Chunk], int]


def delivery_run(
    *,
    model: type[models.Model],
    pk: int,
    recipients: Callable[[models.Model], QuerySet],
    write: ChunkWriter,
    after_commit: Callable[[int, Chunk], None] | None = None,
    chunk_size: int | None = None,
    max_chunks: int | None = None,
) -> int:
    """Deliver chunk after chunk until done (or ``max_chunks`` were done); returns how many
    recipients this call wrote."""
    written = 0
    done = 0
    while max_chunks is None or done < max_chunks:
        result = delivery_chunk(
            model=model, pk=pk, recipients=recipients, write=write, after_commit=after_commit, chunk_size=chunk_size
        )
        if result is None:
            break
        written += result
        done += 1
    return written


def delivery_chunk(*, model, pk, recipients, write, after_commit=None, chunk_size=None) -> int | None:
    """One chunk in one transaction; None when there is nothing (more) to deliver."""
    size = chunk_size or settings.DELIVERY_CHUNK_SIZE
    with transaction.atomic(durable=True):
        target = model.objects.select_for_update().filter(pk=pk).first()
        if target is None or target.status != DeliveryStatus.SENDING:
            return None
        pending = recipients(target).filter(pk__gt=target.delivered_through)
        through = pending.order_by("pk").values_list("pk", flat=True)[size - 1 : size].first()
        users = pending.filter(pk__lte=through) if through is not None else pending
        chunk = Chunk(after=target.delivered_through, through=through, users=users)
        written = write(target, chunk)
        now = timezone.now()
        changes = {"delivered_count": F("delivered_count") + written}
        if through is None:
            changes.update(status=DeliveryStatus.SENT, delivered_at=now)
        else:
            changes["delivered_through"] = through
        model.objects.filter(pk=pk).update(**changes)
        if after_commit is not None:
            transaction.on_commit(lambda: after_commit(pk, chunk))
        return written


def delivery_start(target: models.Model) -> None:
    """Mark a delivery as running (inside the caller's transaction, on a locked row)."""
    target.status = DeliveryStatus.SENDING
    target.delivery_started_at = target.delivery_started_at or timezone.now()
    target.save(update_fields=["status", "delivery_started_at"])
