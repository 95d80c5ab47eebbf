"""Plans: staff add and change them through ``services.plans`` (which validates and records every
change, with its actor, as a ``PlanChange``), activate and deactivate them, never delete them.
Changing a plan never changes an open position: positions keep the terms they were bought with.

A refusal of the service (a negative rate, a maximum below the minimum, …) comes back as a form
error on its field: the save runs inside the admin's transaction, which the refusal rolls back,
and the form is shown again with the error (``changeform_view``)."""

from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import BooleanRadioFilter, ChoicesDropdownFilter
from unfold.decorators import action, display
from unfold.enums import ActionVariant

from apps.backoffice.changelist import ModelAdmin
from apps.common.errors import ApplicationError
from apps.investments.admin.common import (
    LINK_CLASS,
    SCHEDULE_LABELS,
    ConfirmDialogForm,
    PlanForm,
    rate_text,
    term_text,
)
from apps.investments.models import Plan, PlanChange, PositionStatus
from apps.investments.selectors import plan_list_for_admin, risk_acceptance_count_current
from apps.investments.services.plans import PLAN_FIELDS, plan_create, plan_deactivate, plan_update
from apps.wallet.admin.base import money, short_date

ACTIVE_LABELS = {"active": "success", "inactive": "danger"}


class PlanRefused(Exception):
    """The plan service refused the save; carries its ``ApplicationError`` to ``changeform_view``."""

    def __init__(self, error: ApplicationError):
        super().__init__(error.message)
        self.error = error


class PlanChangeInline(TabularInline):
    """The plan's history as the services recorded it: who changed what, when (read-only)."""

    model = PlanChange
    fields = ("display_when", "display_actor", "display_changes")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    tab = True
    hide_title = True
    per_page = 20
    verbose_name = _("change")
    verbose_name_plural = _("History of changes")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("actor").order_by("-created_at", "-id")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("investments.view_plan")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @display(description=_("When"))
    def display_when(self, obj: PlanChange) -> str:
        return short_date(obj.created_at)

    @display(description=_("By"))
    def display_actor(self, obj: PlanChange) -> str:
        return obj.actor.email if obj.actor else _("system")

    @display(description=_("Changes"))
    def display_changes(self, obj: PlanChange) -> str:
        """One line per field: ``daily rate: 5.0000 → 4.5000`` (a new plan: its values)."""
        labels = {field.name: field.verbose_name for field in Plan._meta.get_fields() if hasattr(field, "verbose_name")}
        rows = []
        for name, values in sorted(obj.changes.items()):
            before, after = values if isinstance(values, list | tuple) and len(values) == 2 else (None, values)
            shown = after if before in (None, "None") else f"{before} → {after}"
            rows.append((labels.get(name, name), shown))
        return format_html(
            '<ul class="flex flex-col gap-0.5">{}</ul>',
            format_html_join("", '<li><span class="font-medium">{}</span>: {}</li>', rows),
        )


@admin.register(Plan)
class PlanAdmin(ModelAdmin):
    form = PlanForm
    list_display = (
        "name",
        "display_rate",
        "display_term",
        "display_schedule",
        "display_capital_back",
        "display_limits",
        "display_active",
        "display_order",
        "display_open_positions",
    )
    list_display_links = ("name",)
    list_filter = (
        ("is_active", BooleanRadioFilter),
        ("payout_schedule", ChoicesDropdownFilter),
        ("capital_back", BooleanRadioFilter),
    )
    list_filter_submit = True
    search_fields = ("name",)
    search_help_text = _("Plan name")
    ordering = ("display_order", "id")
    fieldsets = (
        (
            _("Offer"),
            {
                "fields": ("name", "description", "risk_disclosure", "risk_disclosure_version", "display_acceptances"),
                "description": _(
                    "Changing the risk disclosure raises its version: investors accept the new text on their "
                    "next purchase."
                ),
            },
        ),
        (
            _("Terms"),
            {
                "fields": (
                    ("min_amount", "max_amount"),
                    ("daily_rate", "term_days"),
                    ("payout_schedule", "capital_back"),
                ),
                "description": _(
                    "New terms apply to new purchases only: open positions keep the terms they were bought with."
                ),
            },
        ),
        (_("Listing"), {"fields": ("is_active", "display_order")}),
    )
    readonly_fields = ("risk_disclosure_version", "display_acceptances")
    inlines = (PlanChangeInline,)
    actions = ("activate_plans", "deactivate_plans")
    actions_detail = ("activate_detail", "deactivate_detail")

    def get_queryset(self, request: HttpRequest):
        return plan_list_for_admin(queryset=super().get_queryset(request))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        """Positions point at their plan: a plan is deactivated, never deleted."""
        return False

    def get_fieldsets(self, request: HttpRequest, obj=None):
        """The link to the plan's acceptances only on a saved plan, for staff who may see them."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.has_perm("investments.view_riskdisclosureacceptance"):
            return fieldsets
        hidden = {"display_acceptances"}
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in hidden)})
            for name, options in fieldsets
        ]

    def has_toggle_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("investments.change_plan")

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Daily rate"), ordering="daily_rate")
    def display_rate(self, obj: Plan) -> str:
        return format_html('<span class="whitespace-nowrap">{}</span>', rate_text(obj.daily_rate))

    @display(description=_("Term"), ordering="term_days")
    def display_term(self, obj: Plan) -> str:
        return term_text(obj.term_days)

    @display(description=_("Payout"), label=SCHEDULE_LABELS, ordering="payout_schedule")
    def display_schedule(self, obj: Plan):
        return obj.payout_schedule, obj.get_payout_schedule_display()

    @display(description=_("Capital back"), boolean=True, ordering="capital_back")
    def display_capital_back(self, obj: Plan) -> bool:
        return obj.capital_back

    @display(description=_("Amount (min – max)"))
    def display_limits(self, obj: Plan) -> str:
        return format_html(
            '<span class="whitespace-nowrap">{} – {}</span>',
            f"{obj.min_amount:,.2f}",
            money(obj.max_amount, settings.PLATFORM_CURRENCY),
        )

    @display(description=_("Status"), label=ACTIVE_LABELS, ordering="is_active")
    def display_active(self, obj: Plan):
        return ("active", _("Active")) if obj.is_active else ("inactive", _("Inactive"))

    @display(description=_("Open positions"), ordering="open_positions")
    def display_open_positions(self, obj: Plan) -> str:
        query = urlencode({"plan__id__exact": obj.pk, "status__exact": PositionStatus.ACTIVE})
        url = f"{reverse('admin:investments_position_changelist')}?{query}"
        return format_html('<a href="{}" class="{}">{}</a>', url, LINK_CLASS, f"{obj.open_positions:,}")

    @display(description=_("Risk disclosure acceptances"))
    def display_acceptances(self, obj: Plan) -> str:
        """How many investors accepted the current version, linked to every acceptance of the plan."""
        current = risk_acceptance_count_current(plan=obj)
        url = f"{reverse('admin:investments_riskdisclosureacceptance_changelist')}?plan__id__exact={obj.pk}"
        text = ngettext(
            "%(count)d investor accepted the current version",
            "%(count)d investors accepted the current version",
            current,
        ) % {"count": current}
        return format_html('<a href="{}" class="{}">{}</a>', url, LINK_CLASS, text)

    # --- add and change: the save is the service --------------------------------------------------

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_plan_refusal", None)
        if refusal is None:
            return form

        class RefusedPlanForm(form):
            """The posted form again, with the service's refusal on its field."""

            def clean(self):
                cleaned = super().clean()
                self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
                return cleaned

        return RefusedPlanForm

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PlanRefused as refused:
            request._plan_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Plan, form, change: bool) -> None:
        names = [name for name in PLAN_FIELDS if name in form.cleaned_data]
        if change:
            names = [name for name in names if name in form.changed_data]
        fields = {name: form.cleaned_data[name] for name in names}
        try:
            if change:
                plan = plan_update(plan_id=obj.pk, actor=request.user, fields=fields)
            else:
                plan = plan_create(actor=request.user, **fields)
        except ApplicationError as error:
            raise PlanRefused(error) from error
        obj.__dict__.update(plan.__dict__)

    # --- actions ----------------------------------------------------------------------------------

    def _set_active(self, request: HttpRequest, plans, *, is_active: bool) -> int:
        changed = 0
        for plan in plans:
            if plan.is_active == is_active:
                continue
            try:
                if is_active:
                    plan_update(plan_id=plan.pk, actor=request.user, fields={"is_active": True})
                else:
                    plan_deactivate(plan_id=plan.pk, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{plan.name}: {error.message}", messages.ERROR)
            else:
                changed += 1
        return changed

    @action(description=_("Activate selected plans"), permissions=["toggle"], icon="check_circle")
    def activate_plans(self, request: HttpRequest, queryset) -> None:
        count = self._set_active(request, queryset.order_by("pk"), is_active=True)
        message = ngettext(
            "Activated %(count)d plan: investors can buy it again.",
            "Activated %(count)d plans: investors can buy them again.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS if count else messages.WARNING)

    @action(description=_("Deactivate selected plans"), permissions=["toggle"], icon="block")
    def deactivate_plans(self, request: HttpRequest, queryset) -> None:
        count = self._set_active(request, queryset.order_by("pk"), is_active=False)
        message = ngettext(
            "Deactivated %(count)d plan: no new purchases; open positions are unchanged.",
            "Deactivated %(count)d plans: no new purchases; open positions are unchanged.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS if count else messages.WARNING)

    def get_actions_detail(self, request: HttpRequest, object_id):
        """Offer "Activate" on an inactive plan and "Deactivate" on an active one."""
        plan = self.get_object(request, object_id)
        hidden = "deactivate_detail" if plan is None or not plan.is_active else "activate_detail"
        hidden_name = f"{self.opts.app_label}_{self.opts.model_name}_{hidden}"
        return [item for item in super().get_actions_detail(request, object_id) if item.action_name != hidden_name]

    @action(
        description=_("Activate"),
        permissions=["toggle"],
        icon="check_circle",
        variant=ActionVariant.SUCCESS,
        dialog={
            "title": _("Activate this plan?"),
            "description": _("Investors can buy it again."),
            "form_class": ConfirmDialogForm,
            "form_submit_text": _("Activate"),
        },
    )
    def activate_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        return self._detail_set_active(request, object_id, is_active=True)

    @action(
        description=_("Deactivate"),
        permissions=["toggle"],
        icon="block",
        variant=ActionVariant.DANGER,
        dialog={
            "title": _("Deactivate this plan?"),
            "description": _(
                "Investors can no longer buy it. Open positions keep their terms, their returns and their maturity."
            ),
            "form_class": ConfirmDialogForm,
            "form_submit_text": _("Deactivate"),
        },
    )
    def deactivate_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        return self._detail_set_active(request, object_id, is_active=False)

    def _detail_set_active(self, request: HttpRequest, object_id, *, is_active: bool) -> HttpResponse:
        plan = self.get_object(request, object_id)
        if plan is None:
            raise Http404
        if self._set_active(request, [plan], is_active=is_active):
            message = _("The plan is on offer.") if is_active else _("The plan is no longer on offer.")
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponse(headers={"HX-Redirect": reverse("admin:investments_plan_change", args=(plan.pk,))})
