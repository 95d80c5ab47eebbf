"""The scheduler and its jobs in the staff admin, all read-only: the heartbeat, every job run (with
its counts and, for a failed one, its traceback) and the job locks (a stuck lock shows with its
expiry; it is taken over once expired).

"Run now" (a button on the job runs page) runs a job synchronously through the same services the
schedule runs (``workers.staff_jobs``), recorded with ``trigger="staff"`` and the staff member as
actor. It needs ``workers.add_jobrun`` ("can add job run": running a job is what adds a run),
which the Operations role holds; superusers have it too. Finance and Support only look.
"""

import logging
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import (
    AllValuesCheckboxFilter,
    ChoicesDropdownFilter,
    RadioFilter,
    RangeDateFilter,
)
from unfold.decorators import action, display
from unfold.enums import ActionVariant
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminRadioSelectWidget, UnfoldAdminTextInputWidget

from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.selectors import job_locks_held, job_run_failures_unresolved, periodic_tasks_managed
from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from workers.models import Heartbeat, JobChunk, JobLock, JobRun, JobStatus
from workers.selectors import heartbeat_is_alive
from workers.staff_jobs import ACCRUE_RETURNS, LEDGER_CHECK, STAFF_JOBS, job_run_by_staff

logger = logging.getLogger("bursar.jobs")

JOB_STATUS_LABELS = {JobStatus.RUNNING: "info", JobStatus.SUCCEEDED: "success", JobStatus.FAILED: "danger"}
LINK_CLASS = "text-primary-600 dark:text-primary-500"


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def short_datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "j M Y, H:i:s") if value else "-"


def duration_text(value: timedelta | None) -> str:
    if value is None or value < timedelta(0):
        return "-"
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {seconds} s"


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Written by the heartbeat task only; staff read it to see that beat and the workers run."""

    list_display = ("name", "display_status", "last_beat_at", "beats")
    fields = ("name", "last_beat_at", "beats")
    readonly_fields = fields

    @display(description=_("Status"), label={"alive": "success", "stale": "danger"})
    def display_status(self, obj: Heartbeat):
        return ("alive", _("alive")) if heartbeat_is_alive(heartbeat=obj) else ("stale", _("stale"))


# --- Job runs -------------------------------------------------------------------------------------


class DateInputWidget(UnfoldAdminTextInputWidget):
    """The browser's own date picker (works inside the dialog, where the admin's calendar script
    does not run)."""

    input_type = "date"


class RunNowForm(BaseDialogForm):
    job = forms.ChoiceField(
        label=_("Job"), choices=STAFF_JOBS, initial=ACCRUE_RETURNS, widget=UnfoldAdminRadioSelectWidget
    )
    through = forms.DateField(
        label=_("Through business date"),
        required=False,
        widget=DateInputWidget,
        help_text=_(
            "Empty: today. Accrual catches up every business date not done yet, in order, up to this date; "
            "maturity closes the positions due by then. The ledger check ignores it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["through"].widget.attrs["max"] = business_date_today().isoformat()

    def clean_through(self):
        through = self.cleaned_data.get("through")
        if through is not None and through > business_date_today():
            raise ValidationError(
                _("%(date)s is in the future: jobs run only for dates up to today (%(today)s).")
                % {"date": through.isoformat(), "today": business_date_today().isoformat()},
                code="future_date",
            )
        return through


class FailureFilter(RadioFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin):
        return (("unresolved", _("Failures not put right by a later run")),)

    def queryset(self, request: HttpRequest, queryset):
        if self.value() == "unresolved":
            return job_run_failures_unresolved(queryset=queryset)
        return queryset


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "id",
        "job",
        "display_business_date",
        "display_status",
        "display_started",
        "display_duration",
        "display_processed",
        "display_created",
        "display_total",
        "display_chunks",
        "display_started_by",
    )
    list_display_links = ("id", "job")
    list_filter = (
        FailureFilter,
        ("status", ChoicesDropdownFilter),
        ("job", AllValuesCheckboxFilter),
        ("business_date", RangeDateFilter),
        ("trigger", AllValuesCheckboxFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("job",)
    ordering = ("-started_at", "-id")
    fieldsets = (
        (_("Run"), {"fields": ("job", "business_date", "display_status_label", "trigger", "actor")}),
        (_("Time"), {"fields": ("started_at", "finished_at", "display_duration")}),
        (_("Work done"), {"fields": ("processed", "created", "display_total", "chunks", "display_chunk_list")}),
        (_("Error"), {"fields": ("display_error",)}),
    )
    readonly_fields = (
        "job",
        "business_date",
        "display_status_label",
        "trigger",
        "actor",
        "started_at",
        "finished_at",
        "display_duration",
        "processed",
        "created",
        "display_total",
        "chunks",
        "display_chunk_list",
        "display_error",
    )
    actions = None
    actions_list = ("run_now",)
    list_before_template = "admin/workers/jobrun_overview.html"

    def get_queryset(self, request: HttpRequest):
        planned = JobChunk.objects.filter(run=OuterRef("pk")).order_by().values("run").annotate(n=Count("pk"))
        return (
            super()
            .get_queryset(request)
            .select_related("actor")
            .annotate(planned=Coalesce(Subquery(planned.values("n")), 0))
        )

    def get_fieldsets(self, request: HttpRequest, obj=None):
        """A failed run shows its error right after what it was; a run without one has no error box."""
        run, time, work, error = self.fieldsets
        if obj is not None and obj.error:
            return (run, error, time, work)
        return (run, time, work)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        context = {
            "job_schedule": periodic_tasks_managed(),
            "job_locks": job_locks_held(),
            "periodic_tasks_url": reverse("admin:django_celery_beat_periodictask_changelist"),
            "job_locks_url": reverse("admin:workers_joblock_changelist"),
            "can_view_schedule": request.user.has_perm("django_celery_beat.view_periodictask"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Business date"), ordering="business_date")
    def display_business_date(self, obj: JobRun) -> str:
        return formats.date_format(obj.business_date, "j M Y") if obj.business_date else "-"

    @display(description=_("Status"), label=JOB_STATUS_LABELS, ordering="status")
    def display_status(self, obj: JobRun):
        return obj.status, obj.get_status_display()

    @display(description=_("Status"))
    def display_status_label(self, obj: JobRun) -> str:
        """The status as a label on the run's page (``label=`` columns render only in lists)."""
        return render_to_string(
            "unfold/helpers/label.html",
            {"text": obj.get_status_display(), "variant": JOB_STATUS_LABELS.get(obj.status, "default")},
        )

    @display(description=_("Started"), ordering="started_at")
    def display_started(self, obj: JobRun) -> str:
        return format_html(
            '<span class="whitespace-nowrap" title="{}">{}</span>',
            short_datetime(obj.started_at),
            formats.date_format(timezone.localtime(obj.started_at), "j M, H:i"),
        )

    @display(description=_("Examined"), ordering="processed")
    def display_processed(self, obj: JobRun) -> str:
        return f"{obj.processed:,}"

    @display(description=_("Written"), ordering="created")
    def display_created(self, obj: JobRun) -> str:
        return f"{obj.created:,}"

    @display(description=_("Chunks"), ordering="chunks")
    def display_chunks(self, obj: JobRun) -> str:
        """Done, and of how many planned (runs of jobs that are not split show the count alone)."""
        if not obj.planned:
            return f"{obj.chunks:,}"
        return format_html('<span class="whitespace-nowrap">{} / {}</span>', f"{obj.chunks:,}", f"{obj.planned:,}")

    @display(description=_("Chunk plan"))
    def display_chunk_list(self, obj: JobRun) -> str:
        """Every chunk of the run: its investors, whether it is done, by which worker process."""
        chunks = list(obj.job_chunks.order_by("index"))
        if not chunks:
            return "-"
        return render_to_string(
            "admin/workers/job_chunks.html",
            {
                "chunks": chunks,
                "headers": [_("Chunk"), _("Investor ids"), _("Status"), _("Rows written"), _("Done by"), _("Done at")],
            },
        )

    @display(description=_("Duration"))
    def display_duration(self, obj: JobRun) -> str:
        if obj.finished_at is None:
            return _("running") if obj.status == JobStatus.RUNNING else "-"
        return format_html('<span class="whitespace-nowrap">{}</span>', duration_text(obj.finished_at - obj.started_at))

    @display(description=_("Total amount"), ordering="total_amount")
    def display_total(self, obj: JobRun) -> str:
        return format_html(
            '<span class="whitespace-nowrap">{}</span>', f"{obj.total_amount:,.2f} {settings.PLATFORM_CURRENCY}"
        )

    @display(description=_("Started by"), header=True, ordering="trigger")
    def display_started_by(self, obj: JobRun) -> list:
        """The trigger (schedule, command, staff) and, for a staff run, who."""
        return [obj.trigger, obj.actor.email if obj.actor else ""]

    @display(description=_("Traceback"))
    def display_error(self, obj: JobRun) -> str:
        if not obj.error:
            return "-"
        return format_html(
            '<pre class="bg-base-50 border border-base-200 leading-relaxed overflow-auto p-3 rounded-default text-xs '
            'dark:bg-base-900 dark:border-base-700" style="white-space: pre-wrap; max-height: 32rem" id="job-error">'
            "{}</pre>",
            obj.error,
        )

    # --- Run now ----------------------------------------------------------------------------------

    def has_run_permission(self, request: HttpRequest, obj=None) -> bool:
        """A method, not ``"workers.add_jobrun"`` in ``permissions``: unfold's system check looks
        dotted permissions up in the database, which breaks ``migrate`` on a fresh one."""
        return request.user.has_perm("workers.add_jobrun")

    @action(
        description=_("Run now"),
        permissions=["run"],
        icon="play_arrow",
        variant=ActionVariant.PRIMARY,
        url_path="run-now",
        dialog={
            "title": _("Run a job now"),
            "description": _(
                "It runs here and now, exactly as the schedule would, and is recorded as started by you. "
                "A job that is already running is not started twice."
            ),
            "form_class": RunNowForm,
            "form_submit_text": _("Run"),
        },
    )
    def run_now(self, request: HttpRequest, form: RunNowForm) -> HttpResponse:
        job, through = form.cleaned_data["job"], form.cleaned_data["through"]
        changelist = reverse("admin:workers_jobrun_changelist")
        try:
            runs = job_run_by_staff(job=job, through=through, actor=request.user)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            if error.code == "ledger_broken":
                changelist += "?" + urlencode({"status__exact": JobStatus.FAILED})
        except Exception as error:  # the run is recorded as failed, with its traceback
            logger.exception("staff run of %s failed", job)
            self.message_user(
                request,
                _("%(job)s failed: %(error)s. The failed run and its traceback are listed below.")
                % {"job": job, "error": error},
                messages.ERROR,
            )
            changelist += "?" + urlencode({"status__exact": JobStatus.FAILED})
        else:
            self.message_user(request, self._run_summary(job, runs), messages.SUCCESS)
        return HttpResponse(headers={"HX-Redirect": changelist})

    @staticmethod
    def _run_summary(job: str, runs: list[JobRun]) -> str:
        if not runs:
            return _("Nothing to do: every business date is already done.")
        if job == LEDGER_CHECK:
            return _("Ledger check passed: %(count)s postings checked.") % {"count": f"{runs[0].processed:,}"}
        first, last = runs[0].business_date, runs[-1].business_date
        dates = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
        written = sum(run.created for run in runs)
        paid = sum(run.total_amount for run in runs)
        return ngettext(
            "%(job)s: %(runs)d run for %(dates)s, %(written)s rows written, %(paid)s paid.",
            "%(job)s: %(runs)d runs for %(dates)s, %(written)s rows written, %(paid)s paid.",
            len(runs),
        ) % {
            "job": dict(STAFF_JOBS)[job],
            "runs": len(runs),
            "dates": dates,
            "written": f"{written:,}",
            "paid": f"{paid:,.2f} {settings.PLATFORM_CURRENCY}",
        }


@admin.register(JobLock)
class JobLockAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Held while a job works. A lock whose holder died expires (30 minutes after its last renewal)
    and the next run takes it over: nothing to delete by hand."""

    list_display = ("name", "display_state", "holder", "display_acquired", "display_expires")
    fields = ("name", "holder", "acquired_at", "expires_at")
    readonly_fields = fields
    ordering = ("name",)
    actions = None

    @display(description=_("State"), label={"held": "warning", "expired": "danger"})
    def display_state(self, obj: JobLock):
        return ("expired", _("expired")) if obj.expires_at < timezone.now() else ("held", _("held"))

    @display(description=_("Acquired"), ordering="acquired_at")
    def display_acquired(self, obj: JobLock) -> str:
        return short_datetime(obj.acquired_at)

    @display(description=_("Expires"), ordering="expires_at")
    def display_expires(self, obj: JobLock) -> str:
        return short_datetime(obj.expires_at)
