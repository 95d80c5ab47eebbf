"""Support SLA: how long staff have to answer a thread, from its priority.

The first answer of a thread is due ``SUPPORT_SLA_FIRST_RESPONSE_HOURS[priority]`` after the
investor's first message; every later answer ``SUPPORT_SLA_NEXT_RESPONSE_HOURS[priority]`` after
the investor's oldest unanswered message. A thread whose answer is overdue is *breached*."""

from datetime import datetime, timedelta

from django.conf import settings


def response_window(*, priority: str, first: bool) -> timedelta:
    hours = settings.SUPPORT_SLA_FIRST_RESPONSE_HOURS if first else settings.SUPPORT_SLA_NEXT_RESPONSE_HOURS
    return timedelta(hours=hours[priority])


def response_due(*, waiting_since: datetime, priority: str, first: bool) -> datetime:
    return waiting_since + response_window(priority=priority, first=first)
