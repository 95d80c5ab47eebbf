"""The platform's deposit addresses, shown to investors on the deposit form. Added, relabelled,
activated and deactivated through ``services.deposits.deposit_address_save``; never deleted (an
old address may still receive money), and a saved network/address pair never changes."""

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import AllValuesCheckboxFilter, BooleanRadioFilter
from unfold.decorators import action, display
from unfold.enums import ActionVariant

from apps.backoffice.changelist import ModelAdmin
from apps.common.errors import ApplicationError
from apps.wallet.admin.base import short_date
from apps.wallet.admin.forms import ConfirmDialogForm, DepositAddressForm
from apps.wallet.models import DepositAddress
from apps.wallet.services.deposits import deposit_address_save


@admin.register(DepositAddress)
class DepositAddressAdmin(ModelAdmin):
    form = DepositAddressForm
    list_display = ("display_address", "network", "display_active", "display_created")
    list_display_links = ("display_address",)
    list_filter = (("is_active", BooleanRadioFilter), ("network", AllValuesCheckboxFilter))
    search_fields = ("address", "label", "network")
    ordering = ("network", "id")
    fields = ("network", "address", "label", "is_active", "created_at")
    actions = ("activate_addresses", "deactivate_addresses")
    actions_detail = ("activate_detail", "deactivate_detail")

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        """A saved address keeps its network and address: add a new one instead."""
        return ("created_at",) if obj is None else ("network", "address", "created_at")

    def get_fields(self, request: HttpRequest, obj=None):
        return ("network", "address", "label", "is_active") if obj is None else self.fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_toggle_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("wallet.change_depositaddress")

    def save_model(self, request: HttpRequest, obj: DepositAddress, form, change: bool) -> None:
        saved = deposit_address_save(
            network=obj.network, address=obj.address, label=obj.label or "", is_active=obj.is_active
        )
        obj.__dict__.update(saved.__dict__)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Address"), header=True, ordering="address")
    def display_address(self, obj: DepositAddress):
        return [obj.address, obj.label]

    @display(description=_("Active"), boolean=True, ordering="is_active")
    def display_active(self, obj: DepositAddress) -> bool:
        return obj.is_active

    @display(description=_("Added"), ordering="created_at")
    def display_created(self, obj: DepositAddress) -> str:
        return short_date(obj.created_at)

    # --- actions ----------------------------------------------------------------------------------

    def _set_active(self, request: HttpRequest, addresses, *, is_active: bool) -> int:
        changed = 0
        for address in addresses:
            if address.is_active == is_active:
                continue
            deposit_address_save(
                network=address.network, address=address.address, label=address.label, is_active=is_active
            )
            changed += 1
        return changed

    @action(description=_("Activate selected addresses"), permissions=["toggle"], icon="check_circle")
    def activate_addresses(self, request: HttpRequest, queryset) -> None:
        count = self._set_active(request, queryset, is_active=True)
        message = ngettext("Activated %(count)d address.", "Activated %(count)d addresses.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @action(description=_("Deactivate selected addresses"), permissions=["toggle"], icon="block")
    def deactivate_addresses(self, request: HttpRequest, queryset) -> None:
        count = self._set_active(request, queryset, is_active=False)
        message = ngettext("Deactivated %(count)d address.", "Deactivated %(count)d addresses.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    def get_actions_detail(self, request: HttpRequest, object_id):
        """Offer "Activate" on an inactive address and "Deactivate" on an active one."""
        address = self.get_object(request, object_id)
        hidden = "deactivate_detail" if address is None or not address.is_active else "activate_detail"
        hidden_name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_{hidden}"  # unfold's naming
        return [item for item in super().get_actions_detail(request, object_id) if item.action_name != hidden_name]

    @action(
        description=_("Activate"),
        permissions=["toggle"],
        icon="check_circle",
        variant=ActionVariant.SUCCESS,
        dialog={
            "title": _("Activate this address?"),
            "description": _("Investors see it on the deposit form again."),
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
            "title": _("Deactivate this address?"),
            "description": _("Investors no longer see it on the deposit form. Nothing is deleted."),
            "form_class": ConfirmDialogForm,
            "form_submit_text": _("Deactivate"),
        },
    )
    def deactivate_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        return self._detail_set_active(request, object_id, is_active=False)

    def _detail_set_active(self, request: HttpRequest, object_id, *, is_active: bool) -> HttpResponse:
        address = self.get_object(request, object_id)
        if address is None:
            raise Http404
        self._set_active(request, [address], is_active=is_active)
        message = _("The address is active.") if is_active else _("The address is inactive.")
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponse(headers={"HX-Redirect": reverse("admin:wallet_depositaddress_change", args=(address.pk,))})
