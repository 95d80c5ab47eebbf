"""The daily close in the admin: a page with a date picker (``?date=YYYY-MM-DD``, default the
previous business date) and the same figures as CSV.

Who may see it: staff holding ``wallet.view_entry`` (the ledger: every figure is read from its
entries), i.e. Finance and Operations and superusers. The ledger check and the jobs' outcome
are shown to those who also hold ``workers.view_jobrun`` (both roles do); the CSV carries
exactly what the page shows. A malformed or future date is a form error on the page, never a
server error.
"""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget

from apps.backoffice.reports.figures import daily_close_csv_lines
from apps.backoffice.reports.page import daily_close_page
from apps.backoffice.reports.selectors import daily_close_get
from apps.common.admin.exports import csv_response
from apps.common.dates import business_date_today

PERMISSION = "wallet.view_entry"
JOBS_PERMISSION = "workers.view_jobrun"


def daily_close_permitted(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perm(PERMISSION)


class NativeDateWidget(UnfoldAdminTextInputWidget):
    """The browser's own date picker: no admin calendar script, works on phones."""

    input_type = "date"


class DailyCloseForm(forms.Form):
    date = forms.DateField(
        label=_("Business date"),
        required=False,
        widget=NativeDateWidget,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, for example 2026-03-02.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = business_date_today()
        self.fields["date"].widget.attrs["max"] = self.today.isoformat()

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data.get("date") or self.today - datetime.timedelta(days=1)
        if day > self.today:
            raise ValidationError(
                _("%(date)s is in the future: a close can be read for dates up to today (%(today)s).")
                % {"date": day.isoformat(), "today": self.today.isoformat()},
                code="future_date",
            )
        return day


def _form(request: HttpRequest) -> DailyCloseForm:
    if not daily_close_permitted(request):
        raise PermissionDenied
    form = DailyCloseForm({"date": request.GET.get("date", "")})
    form.is_valid()
    return form


def daily_close_view(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Daily close"),
        "form": form,
        "csv_url": None,
    }
    if form.is_valid():
        day = form.cleaned_data["date"]
        close = daily_close_get(business_date=day, with_jobs=request.user.has_perm(JOBS_PERMISSION))
        context.update(daily_close_page(close, today=form.today))
        context["csv_url"] = f"{reverse('reports:daily_close_csv')}?{urlencode({'date': day.isoformat()})}"
    request.current_app = admin.site.name
    return TemplateResponse(request, "backoffice/reports/daily_close.html", context)


def daily_close_csv_view(request: HttpRequest) -> HttpResponse:
    """The page's figures as CSV; a bad date gets the page with its error instead."""
    form = _form(request)
    if not form.is_valid():
        return daily_close_view(request)
    day = form.cleaned_data["date"]
    close = daily_close_get(business_date=day, with_jobs=request.user.has_perm(JOBS_PERMISSION))
    return csv_response(lines=daily_close_csv_lines(close), filename=f"daily-close-{day.isoformat()}.csv")
