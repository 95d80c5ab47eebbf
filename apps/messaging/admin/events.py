"""The thread's log in words: what changed, from what to what, by whom (the system when nobody)."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.messaging.models import (
    ThreadCategory,
    ThreadEvent,
    ThreadEventKind,
    ThreadPriority,
    ThreadStatus,
)

CHOICES = {
    ThreadEventKind.STATUS_CHANGED: ThreadStatus,
    ThreadEventKind.PRIORITY_CHANGED: ThreadPriority,
    ThreadEventKind.CATEGORY_CHANGED: ThreadCategory,
    ThreadEventKind.REOPENED: ThreadStatus,
    ThreadEventKind.AUTO_CLOSED: ThreadStatus,
}


def _choice_label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "-")


def _person(people: dict[int, str], user_id) -> str:
    if user_id is None:
        return _("nobody")
    return people.get(user_id, f"#{user_id}")


def event_detail(event: ThreadEvent, people: dict[int, str]) -> str:
    """``Open → Waiting on the investor``, ``to a@b.example (was nobody)``, a proof link as text…"""
    data, kind = event.data or {}, event.kind
    if kind in (ThreadEventKind.STATUS_CHANGED, ThreadEventKind.PRIORITY_CHANGED, ThreadEventKind.CATEGORY_CHANGED):
        choices = CHOICES[kind]
        return f"{_choice_label(choices, data.get('from'))} → {_choice_label(choices, data.get('to'))}"
    if kind == ThreadEventKind.ASSIGNED:
        return _("to %(to)s (was %(from)s)") % {
            "to": _person(people, data.get("to")),
            "from": _person(people, data.get("from")),
        }
    if kind == ThreadEventKind.OPENED:
        detail = _choice_label(ThreadCategory, data.get("category"))
        if data.get("assignee"):
            detail += " · " + _("assigned to %(email)s") % {"email": _person(people, data["assignee"])}
        return detail
    if kind == ThreadEventKind.REOPENED:
        return _("was %(status)s") % {"status": _choice_label(ThreadStatus, data.get("from"))}
    if kind == ThreadEventKind.AUTO_CLOSED:
        days = data.get("days")
        if not isinstance(days, int):
            return _("after a period without activity")
        return ngettext("after %(days)d day without activity", "after %(days)d days without activity", days) % {
            "days": days
        }
    if kind == ThreadEventKind.TASK_SUBMITTED:
        return str(data.get("link", ""))
    if kind == ThreadEventKind.TASK_APPROVED:
        if "amount" not in data:
            return _("no reward")
        return f"{data['amount']} {settings.PLATFORM_CURRENCY}"
    if kind == ThreadEventKind.TASK_REJECTED:
        return str(data.get("note", ""))
    return ""


def event_title(event) -> str:
    """The event's kind in words; the approval of a task without a reward paid nothing."""
    if event.kind == ThreadEventKind.TASK_APPROVED and "amount" not in (event.data or {}):
        return _("Proof approved")
    return event.get_kind_display()


def event_rows(events, *, people: dict[int, str]) -> list[dict]:
    return [
        {
            "event": event,
            "title": event_title(event),
            "detail": event_detail(event, people),
            "actor": event.actor.email if event.actor else _("system"),
        }
        for event in events
    ]
