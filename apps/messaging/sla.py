"""Support SLA: how long staff have to answer a thread, from its priority.

The first answer of a thread is due ``SUPPORT_SLA_FIRST_RESPONSE_HOURS_<PRIORITY>`` hours after
the investor's first message; every later answer ``SUPPORT_SLA_NEXT_RESPONSE_HOURS_<PRIORITY>``
hours after the investor's oldest unanswered message (runtime settings, ``apps.controls``). A
thread whose answer is overdue is *breached*."""

from datetime import datetime, timedelta

from apps.controls.runtime import runtime_setting


def response_window(*, priority: str, first: bool) -> timedelta:
    kind = "FIRST" if first else "NEXT"
    return timedelta(hours=runtime_setting(f"SUPPORT_SLA_{kind}_RESPONSE_HOURS_{priority.upper()}"))


def response_due(*, waiting_since: datetime, priority: str, first: bool) -> datetime:
    return waiting_since + response_window(priority=priority, first=first)
