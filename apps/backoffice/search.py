"""The admin's top search box: unfold's command search (``UNFOLD["COMMAND"]["search_callback"]``).

unfold itself matches the names of apps and models (the menu entries); this module adds records:

- a number (``1042``, ``#1042``, ``deposit 1042``, ``Deposit #1042``, ``ticket #1042``) is the
  user, deposit, withdrawal, position and support thread with that id: exact primary-key look-ups,
  one query per kind (deposits and withdrawals share one id space, so at most one of them
  matches); a kind word narrows it to that kind;
- any other term finds users whose email or username starts with it, ignoring case, and when it
  reads like a name (letters, spaces, apostrophes, hyphens) users whose first name, last name or
  full name does: three queries, at most ``USERS_SHOWN`` users.

Only the kinds whose admin this staff member may view are searched, and each result links to the
admin change page of its record. A term that cannot name anything (empty, longer than an email,
control characters) finds nothing and queries nothing.

Prefix rather than substring matching, so that emails and usernames are read through their
``lower(...)`` unique indexes (``accounts_user_email_ci_unique``, ``accounts_user_username_ci_unique``)
instead of scanning every user (``user_prefix_search``). Names have no index: the name query reads
the user table (``user_name_search``), which is why it runs only for terms that can be names.

unfold keeps each staff member's results for a term in the cache for five minutes.
"""

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.core.paginator import EmptyPage
from django.db.models import Model, Q, QuerySet, Value
from django.db.models.functions import Concat, Lower
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from unfold.dataclasses import SearchResult

from apps.accounts.models import User
from apps.investments.models import Position
from apps.messaging.models import Thread
from apps.wallet.admin.base import money
from apps.wallet.models import Deposit, Withdrawal

TERM_MAX_LENGTH = 254  # the longest email; nothing searchable is longer
ID_MAX = 2**63 - 1  # the largest 64-bit primary key
USERS_SHOWN = 10
PAGES_MAX = 100  # unfold lists 100 results a page; no search has that many pages
SEPARATOR = " · "
# Each part of a description is a bidi isolate (FSI ... PDI): an Arabic page keeps "1,250.00 USD"
# and an email whole and in order (unfold escapes the text, so no <bdi>).
ISOLATE = "\u2068{}\u2069"

# "1042", "#1042", "deposit 1042", "Deposit #1042": an optional kind word (then a space or "#"),
# then a number ("user12" is a username, not user 12). Any script's digits: "١٠٤٢" is 1042.
NUMBER = re.compile(r"(?:(?P<kind>[^\W\d_]+)(?:\s+|(?=#)))?#?\s*(?P<number>\d{1,19})")
# Letters, spaces, apostrophes and hyphens: a term worth looking for among names.
NAME_LIKE = re.compile(r"[^\W\d_]+(?:[ '\-]+[^\W\d_]+)*[ '\-]*")
SURROGATES_FIRST, SURROGATES_LAST = 0xD800, 0xDFFF


@dataclass(frozen=True)
class Numbered:
    """A kind of record found by its number."""

    model: type[Model]
    aliases: tuple[str, ...]  # English kind words (the verbose names count too, in the page's language)
    icon: str
    related: tuple[str, ...]  # what ``describe`` reads
    title: Callable[[Model], str]
    describe: Callable[[Model], list[str]]

    def words(self) -> set[str]:
        meta = self.model._meta
        return {str(meta.verbose_name).lower(), str(meta.verbose_name_plural).lower(), *self.aliases}


def numbered_title(obj: Model) -> str:
    return _("%(kind)s #%(number)s") % {"kind": capfirst(obj._meta.verbose_name), "number": obj.pk}


def user_describe(user: User) -> list[str]:
    return [_("Staff") if user.is_staff else _("Investor"), user.full_name, user.username or ""]


def money_unbroken(amount, currency: str) -> str:
    """``1,250.00 USD`` kept on one line (a no-break space), also where Arabic wraps it."""
    return money(amount, currency).replace(" ", "\u00a0")


# unfold capitalises a description's first letter: each starts with a label, never with an email.
def request_describe(request: Deposit | Withdrawal) -> list[str]:
    return [request.get_status_display(), money_unbroken(request.amount, request.currency), request.user.email]


def position_describe(position: Position) -> list[str]:
    principal = money_unbroken(position.principal, position.currency)
    return [position.get_status_display(), position.plan.name, principal, position.user.email]


def thread_describe(thread: Thread) -> list[str]:
    return [thread.get_kind_display(), thread.investor.email, thread.get_status_display()]


NUMBERED = (
    Numbered(User, ("user", "users", "investor", "investors"), "person", (), str, user_describe),
    Numbered(Deposit, ("deposit", "deposits"), "south_west", ("user",), numbered_title, request_describe),
    Numbered(Withdrawal, ("withdrawal", "withdrawals"), "north_east", ("user",), numbered_title, request_describe),
    Numbered(Position, ("position", "positions"), "savings", ("user", "plan"), numbered_title, position_describe),
    Numbered(Thread, ("ticket", "tickets", "thread", "threads"), "support_agent", ("investor",), str, thread_describe),
)
USER_KIND = NUMBERED[0]


def admin_search_page(request: HttpRequest) -> HttpResponse:
    """``admin/search/`` (``config/urls.py``, ahead of the admin's own): unfold's search page, which
    fails with a 500 when ``page`` is no page of the results (``page=abc``, ``0``, past the last);
    here that is an empty answer, as unfold gives for an empty term."""
    page = request.GET.get("page", "1")
    if not (page.isascii() and page.isdigit() and 1 <= int(page) <= PAGES_MAX):
        return HttpResponse()
    try:
        return admin.site.search(request)
    except EmptyPage:
        return HttpResponse()


def admin_search_callback(request: HttpRequest, search_term: str) -> list[SearchResult]:
    """unfold's ``search_callback``: the records ``search_term`` names that ``request.user`` may view."""
    term = (search_term or "").strip()
    if not term or len(term) > TERM_MAX_LENGTH or not term.isprintable():
        return []
    number = NUMBER.fullmatch(term)
    kinds = numbered_kinds(number["kind"]) if number else []
    if kinds:
        return numbered_search(request, kinds=kinds, number=int(number["number"]))
    if not may_view(request, User):
        return []
    return [search_result(USER_KIND, user) for user in user_search(term=term, limit=USERS_SHOWN)]


def numbered_kinds(kind_word: str | None) -> list[Numbered]:
    """The kinds ``kind_word`` names: all of them if none; none if it names no kind (the term is
    then searched as text)."""
    if not kind_word:
        return list(NUMBERED)
    return [kind for kind in NUMBERED if kind_word.lower() in kind.words()]


def numbered_search(request: HttpRequest, *, kinds: list[Numbered], number: int) -> list[SearchResult]:
    """The records of ``kinds`` numbered ``number`` that this staff member may view: one
    primary-key look-up per kind."""
    if not 1 <= number <= ID_MAX:
        return []
    results = []
    for kind in kinds:
        if not may_view(request, kind.model):
            continue
        obj = kind.model.objects.select_related(*kind.related).filter(pk=number).first()
        if obj is not None:
            results.append(search_result(kind, obj))
    return results


def user_search(*, term: str, limit: int) -> list[User]:
    """Users whose email or username starts with ``term``, or whose first name, last name or
    full name does when ``term`` reads like a name; by email, at most ``limit``. Three queries
    (see ``user_prefix_search`` and ``user_name_search``)."""
    prefix = term.lower()
    found = {user.pk: user for user in user_prefix_search(field="email", prefix=prefix, limit=limit)}
    found.update((user.pk, user) for user in user_prefix_search(field="username", prefix=prefix, limit=limit))
    if NAME_LIKE.fullmatch(term):
        found.update((user.pk, user) for user in user_name_search(prefix=prefix, limit=limit))
    return sorted(found.values(), key=lambda user: (user.email.lower(), user.pk))[:limit]


def user_prefix_search(*, field: str, prefix: str, limit: int) -> QuerySet:
    """Users whose ``field`` starts with ``prefix`` (lower case), as a range over the
    ``lower(field)`` unique index: ``LIKE 'abc%'`` alone is an index range only under the ``C``
    collation, ``>= 'abc' AND < 'abd'`` is one under any. The range holds every match where the
    collation orders by code point (``C``, ``C.UTF-8``, SQLite); the ``LIKE`` keeps out the rest
    where it does not."""
    lowered = f"search_{field}"
    matches = Q(**{f"{lowered}__gte": prefix, f"{lowered}__startswith": prefix})
    if (after := prefix_successor(prefix)) is not None:
        matches &= Q(**{f"{lowered}__lt": after})
    return User.objects.annotate(**{lowered: Lower(field)}).filter(matches).order_by(lowered)[:limit]


def user_name_search(*, prefix: str, limit: int) -> QuerySet:
    """Users whose full name or last name starts with ``prefix`` (lower case). Names have no
    index: this reads the user table, and stops at ``limit`` matches (no ``ORDER BY``, which would
    make PostgreSQL walk the email index row by row instead; the caller sorts)."""
    return (
        User.objects.annotate(
            search_name=Lower(Concat("first_name", Value(" "), "last_name")), search_last_name=Lower("last_name")
        )
        .filter(Q(search_name__startswith=prefix) | Q(search_last_name__startswith=prefix))
        .order_by()[:limit]
    )


def prefix_successor(prefix: str) -> str | None:
    """The first string after every string that starts with ``prefix`` in code point order
    (``"abc"`` -> ``"abd"``); ``None`` when there is none."""
    code = ord(prefix[-1]) + 1
    if SURROGATES_FIRST <= code <= SURROGATES_LAST:
        code = SURROGATES_LAST + 1  # not encodable: the next character is the first after them
    if code > sys.maxunicode:
        return None
    return prefix[:-1] + chr(code)


def may_view(request: HttpRequest, model: type[Model]) -> bool:
    """What the admin itself decides: the ModelAdmin's view (or change) permission."""
    try:
        model_admin = admin.site.get_model_admin(model)
    except NotRegistered:
        return False
    return model_admin.has_view_permission(request)


def search_result(kind: Numbered, obj: Model) -> SearchResult:
    meta = obj._meta
    return SearchResult(
        title=kind.title(obj),
        description=SEPARATOR.join(ISOLATE.format(part) for part in kind.describe(obj) if part),
        link=reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=(obj.pk,)),
        icon=kind.icon,
    )
