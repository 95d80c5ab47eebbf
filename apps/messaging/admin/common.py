"""Pieces shared by the messaging admins: status labels, small cells, where to go after a dialog,
and the add/change pages whose save is a service.

The messaging services open their own durable transaction, which cannot run inside the admin's
atomic ``changeform_view``: ``ServiceFormMixin`` handles a posted add or change form outside it,
calls the service, and shows a refusal as an error on its field (or on the form)."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.forms import AdminForm

from apps.common.errors import ApplicationError
from apps.messaging.models import AssignmentStatus, DeliveryStatus, ThreadPriority, ThreadStatus
from apps.wallet.admin.base import money, short_date

LINK_CLASS = "text-primary-600 dark:text-primary-500"
# The attributes of every link staff follow to a page an investor named (a task proof).
OUTSIDE_LINK_REL = "noopener noreferrer nofollow"

THREAD_STATUS_LABELS = {
    ThreadStatus.OPEN: "info",
    ThreadStatus.WAITING_STAFF: "warning",
    ThreadStatus.WAITING_INVESTOR: "default",
    ThreadStatus.RESOLVED: "success",
    ThreadStatus.CLOSED: "default",
}
PRIORITY_LABELS = {
    ThreadPriority.LOW: "default",
    ThreadPriority.NORMAL: "info",
    ThreadPriority.HIGH: "warning",
    ThreadPriority.URGENT: "danger",
}
ASSIGNMENT_LABELS = {
    AssignmentStatus.OFFERED: "default",
    AssignmentStatus.ACCEPTED: "info",
    AssignmentStatus.DECLINED: "default",
    AssignmentStatus.SUBMITTED: "warning",
    AssignmentStatus.APPROVED: "success",
    AssignmentStatus.REJECTED: "danger",
}
DELIVERY_LABELS = {
    DeliveryStatus.DRAFT: "default",
    DeliveryStatus.SCHEDULED: "info",
    DeliveryStatus.SENDING: "warning",
    DeliveryStatus.SENT: "success",
    DeliveryStatus.CANCELLED: "default",
}


def label(text, variant: str) -> str:
    """An unfold label, for pages where ``@display(label=…)`` does not apply (change pages)."""
    return render_to_string("unfold/helpers/label.html", {"text": text, "variant": variant})


def nowrap(value) -> str:
    return format_html('<span class="whitespace-nowrap">{}</span>', value)


def date_cell(value) -> str:
    return nowrap(short_date(value))


def reward_text(task) -> str:
    """A task's reward (``7.50 USD``), or "No reward" for a task without one."""
    return money(task.reward, task.currency) if task.is_paid else gettext("No reward")


def reward_cell(task) -> str:
    """A reward column: on one line; a task without a reward says so (muted), never 0.00."""
    if task.is_paid:
        return nowrap(money(task.reward, task.currency))
    return format_html(
        '<span class="whitespace-nowrap text-base-500 dark:text-base-400" data-unpaid>{}</span>', gettext("No reward")
    )


def waited(since, now=None) -> str:
    """How long something has waited: ``2 days, 3 hours``."""
    return nowrap(timesince(since, now or timezone.now(), depth=2)) if since else "-"


def outside_link(url: str, *, shorten: int | None = None) -> str:
    """A link an investor typed, shown as its text (the start, host first, when ``shorten``; the
    whole address in the tooltip), opened in a new tab that gets nothing from us."""
    if not url:
        return "-"
    text = Truncator(url).chars(shorten) if shorten else url
    return format_html(
        '<a href="{}" target="_blank" rel="{}" title="{}" class="{} msg-body" data-outside-link>{}</a>',
        url,
        OUTSIDE_LINK_REL,
        url,
        LINK_CLASS,
        text,
    )


def back_to_page(request: HttpRequest, fallback: str) -> str:
    """Where to go after a dialog (htmx): the admin page it was opened from, else ``fallback``."""
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
        return current
    return fallback


def dialog_done(request: HttpRequest, fallback: str) -> HttpResponse:
    return HttpResponse(headers={"HX-Redirect": back_to_page(request, fallback)})


def form_errors_from(form, error: ApplicationError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service refusal on the form: each field error on the field of that name (``fields``
    maps the service's names to the form's), anything else on the form itself."""
    fields = fields or {}
    placed = False
    for name, errors in error.field_errors.items():
        target = fields.get(name, name)
        if target in form.fields:
            for message in errors:
                form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class ServiceFormMixin:
    """An add/change page whose save is ``service_save(request, form, obj)`` (a service that
    opens its own durable transaction). GET requests are the admin's own pages."""

    service_field_names: dict[str, str] = {}
    service_stay_on_page = False

    def service_save(self, request: HttpRequest, form, obj):
        raise NotImplementedError

    def service_saved_message(self, obj, *, added: bool) -> str:
        return _("“%(object)s” was saved.") % {"object": obj}

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if request.method != "POST":
            return super().add_view(request, form_url, extra_context)
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._service_post(request, None, form_url, extra_context)

    def change_view(self, request: HttpRequest, object_id, form_url: str = "", extra_context=None):
        if request.method != "POST":
            return super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return self._service_post(request, obj, form_url, extra_context)

    def _service_post(self, request: HttpRequest, obj, form_url: str, extra_context) -> HttpResponse:
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            try:
                saved = self.service_save(request, form, obj)
            except ApplicationError as error:
                form_errors_from(form, error, fields=self.service_field_names)
            else:
                return self._service_saved(request, saved, added=obj is None)
        return self._service_form_page(request, form, obj, form_url, extra_context)

    def _service_saved(self, request: HttpRequest, obj, *, added: bool) -> HttpResponseRedirect:
        if added:
            self.log_addition(request, obj, [{"added": {}}])
        else:
            self.log_change(request, obj, [{"changed": {}}])
        self.message_user(request, self.service_saved_message(obj, added=added), messages.SUCCESS)
        return HttpResponseRedirect(self.service_redirect_url(request, obj))

    def service_redirect_url(self, request: HttpRequest, obj) -> str:
        """The admin's usual "Save and add another" and "Save and continue editing"; a plain save
        goes back to the list (or stays on the page when ``service_stay_on_page``)."""
        prefix = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        if "_addanother" in request.POST:
            return reverse(f"{prefix}_add")
        if "_continue" in request.POST or self.service_stay_on_page:
            return reverse(f"{prefix}_change", args=(obj.pk,))
        return reverse(f"{prefix}_changelist")

    def _service_form_page(self, request: HttpRequest, form, obj, form_url: str, extra_context) -> HttpResponse:
        """The add or change page again, with the posted values and their errors."""
        fieldsets = list(self.get_fieldsets(request, obj))
        readonly = self.get_readonly_fields(request, obj)
        admin_form = AdminForm(form, fieldsets, {}, readonly, model_admin=self)
        add = obj is None
        context = {
            **self.admin_site.each_context(request),
            "title": (_("Add %s") if add else _("Change %s")) % self.opts.verbose_name,
            "subtitle": None if add else str(obj),
            "adminform": admin_form,
            "object_id": None if add else obj.pk,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=add, change=not add, obj=obj, form_url=form_url)


def due_text(thread, now=None) -> str:
    """When the answer is due: red and "overdue by …" once breached; "-" when none is owed."""
    if thread.response_due_at is None:
        return "-"
    now = now or timezone.now()
    if thread.response_due_at < now:
        return format_html(
            '<span class="font-semibold text-red-600 whitespace-nowrap dark:text-red-500" data-breached>{}</span>',
            gettext("overdue by %(time)s") % {"time": timesince(thread.response_due_at, now, depth=1)},
        )
    return format_html(
        '<span class="whitespace-nowrap" title="{}">{}</span>',
        thread.response_due_at.isoformat(),
        gettext("in %(time)s") % {"time": timesince(now, thread.response_due_at, depth=1)},
    )
