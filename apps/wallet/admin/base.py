"""Pieces shared by the money admins: status labels, money and user columns, and the review
machinery of the request queues (bulk actions that ask on an intermediate page, change-page
dialogs). A review runs one service call per request, each in its own transaction, and turns
every refusal into a message: a request already reviewed by someone else is a message, never a
server error."""

from collections.abc import Callable, Iterable
from decimal import Decimal

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.common.errors import ApplicationError
from apps.common.money import money_text
from apps.wallet.models import PENDING_FIRST, RequestStatus

STATUS_LABELS = {
    RequestStatus.PENDING: "warning",
    RequestStatus.APPROVED: "success",
    RequestStatus.REJECTED: "danger",
    RequestStatus.CANCELLED: "info",
}
# Pending requests first, then the newest: the queue staff work through (each queue has an index
# on exactly this ordering, ``models.queue_index``).
QUEUE_ORDERING = (PENDING_FIRST.asc(), "-created_at", "-id")
# How many selected requests the intermediate page lists by name.
REVIEW_PAGE_LISTED = 25


def money(amount: Decimal, currency: str) -> str:
    """``1,234.50 USD``: exact (Decimal formatting never goes through a float), kept left to right
    on a right-to-left page (``apps.common.money.money_text``)."""
    return money_text(amount, currency)


def money_cell(amount: Decimal, currency: str) -> str:
    """A money column: on one line."""
    return format_html('<span class="whitespace-nowrap">{}</span>', money(amount, currency))


def short_date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j M Y, H:i") if value else "-"


def user_link(user) -> str:
    if user is None:
        return "-"
    url = reverse("admin:accounts_user_change", args=(user.pk,))
    return format_html('<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>', url, user.email)


def truncated(value: str, *, keep: int = 6) -> str:
    """A long address or hash shortened in the middle; the whole value in the tooltip."""
    if not value:
        return "-"
    if len(value) <= 2 * keep + 1:
        return value
    return format_html('<span title="{}" class="whitespace-nowrap">{}…{}</span>', value, value[:keep], value[-keep:])


def counted(message) -> Callable[[list], str]:
    """A ``done`` message for ``_review_each`` from an ``ngettext_lazy(…, "count")``."""
    return lambda results: message % {"count": len(results)}


class ReviewActionsMixin:
    """Mixed into the deposit, withdrawal and adjustment admins. ``review_permission`` guards
    every review action (``permissions=["review"]`` means ``has_review_permission``)."""

    review_permission: str
    review_noun: str  # "deposit", shown in per-request messages

    def has_review_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(self.review_permission)

    def has_review_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        return self.has_review_permission(request)

    def get_actions_detail(self, request: HttpRequest, object_id):
        """Offer the review dialogs on pending requests only. (A request reviewed meanwhile by
        someone else is still refused by the service, with a message.)"""
        target = self._detail_target(request, object_id)
        if target is None or target.status != RequestStatus.PENDING:
            return []
        return super().get_actions_detail(request, object_id)

    def _detail_target(self, request: HttpRequest, object_id):
        """The request a detail action is about, fetched once per request."""
        cache = request.__dict__.setdefault("_wallet_admin_targets", {})
        key = (self.opts.label, str(object_id))
        if key not in cache:
            cache[key] = self.get_object(request, unquote(str(object_id))) if object_id else None
        return cache[key]

    # --- bulk actions (changelist) ----------------------------------------------------------------

    def _review_page(
        self, request: HttpRequest, items: list, form, *, action_name: str, title, submit, variant: str = "primary"
    ) -> TemplateResponse:
        """The intermediate page of a bulk review: what was selected, and the form to confirm."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": form,
            "items": [self.review_row(item) for item in items[:REVIEW_PAGE_LISTED]],
            "more": max(len(items) - REVIEW_PAGE_LISTED, 0),
            "count": len(items),
            "pending": sum(item.status == RequestStatus.PENDING for item in items),
            "select_across": request.POST.get("select_across") == "1",
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": action_name,
            "submit_label": submit,
            "submit_variant": variant,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/wallet/review_action.html", context)

    def review_row(self, item) -> dict:
        return {"label": f"#{item.pk} · {item.user.email}", "detail": money(item.amount, item.currency), "item": item}

    def _selected(self, queryset) -> list:
        return list(queryset.select_related("user").order_by("pk"))

    def _review_each(
        self, request: HttpRequest, items: Iterable, call: Callable[[object], object], done: Callable[[list], str]
    ) -> None:
        """One service call per request, each its own transaction; each refusal is reported, then
        ``done(results)`` sums up what the service calls returned."""
        results = []
        for item in items:
            try:
                results.append(call(item))
            except ApplicationError as exc:
                self.message_user(request, f"{self.review_noun.capitalize()} #{item.pk}: {exc.message}", messages.ERROR)
        if results:
            self.message_user(request, done(results), messages.SUCCESS)
        else:
            self.message_user(request, _("Nothing was changed."), messages.WARNING)

    # --- detail actions (change page dialogs) --------------------------------------------------------

    def _detail_review(
        self, request: HttpRequest, object_id, call: Callable[[object], object], done: str | Callable[[object], str]
    ) -> HttpResponse:
        """Run the service, report the outcome (``done`` may depend on what the service returned),
        and send the dialog (htmx) back to the page."""
        target = self._detail_target(request, object_id)
        if target is None:
            raise PermissionDenied
        try:
            result = call(target)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, done(result) if callable(done) else done, messages.SUCCESS)
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=(target.pk,))
        return HttpResponse(headers={"HX-Redirect": url})


class ReadOnlyAdminMixin:
    """Rows that only services write: staff look (with the view permission), nobody edits."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ServiceAddFormMixin:
    """For an admin whose add form is saved by a service (never ``form.save``): ``_add_page``
    shows the add page again with the posted values and the errors the form or the service gave."""

    def add_page_fieldsets(self, request: HttpRequest, form) -> list:
        """The fieldsets of the add page (an admin adds, say, a step-up code field)."""
        return list(self.get_fieldsets(request, None))

    def _add_page(self, request: HttpRequest, form, form_url: str, extra_context) -> TemplateResponse:
        """The add page again, with the posted values and their errors."""
        admin_form = helpers.AdminForm(form, self.add_page_fieldsets(request, form), {}, (), model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add %s") % self.opts.verbose_name,
            "subtitle": None,
            "adminform": admin_form,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, change=False, obj=None, form_url=form_url)
