"""Top referrers and each user's referral tree.

The list is every user who referred someone, best first (qualified referrals, then commissions
earned), each figure computed in the list's one query. A search looks through every user, so the
tree of someone who referred nobody (yet) can be opened too. A row opens the user's referral
tree: their referrers upwards, and the users below them three levels down."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from apps.accounts.models import User
from apps.backoffice.changelist import ModelAdmin
from apps.referrals.models import Referrer
from apps.referrals.selectors import TREE_DEPTH, referral_tree_get, referrer_list_for_staff
from apps.wallet.admin.base import ReadOnlyAdminMixin, money_cell

TOP_ORDERING = ("-qualified_referrals", "-total_commission", "-total_referrals", "id")


@admin.register(Referrer)
class ReferrerAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "display_user",
        "referral_code",
        "display_total",
        "display_qualified",
        "display_commission",
        "display_rewards",
        "display_joined",
    )
    list_display_links = ("display_user",)
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("email", "first_name", "last_name", "=referral_code")
    search_help_text = _("Any user's email, name or exact referral code (to open their tree)")
    actions = None

    def get_queryset(self, request: HttpRequest):
        return referrer_list_for_staff(everyone=bool(request.GET.get("q", "").strip()))

    def get_ordering(self, request: HttpRequest):
        return TOP_ORDERING

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {"title": _("Top referrers"), **(extra_context or {})})

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        """The user's referral tree (read-only), instead of a change form."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            user = User.objects.filter(pk=int(unquote(str(object_id)))).first()
        except ValueError:
            user = None
        if user is None:
            raise Http404
        tree = referral_tree_get(user=user)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Referral tree of %(email)s") % {"email": user.email},
            "opts": self.opts,
            "tree": tree,
            "depth": TREE_DEPTH,
            "currency": settings.PLATFORM_CURRENCY,
            "user_url": reverse("admin:accounts_user_change", args=(user.pk,)),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/referrals/referral_tree.html", context)

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("User"), header=True, ordering="email")
    def display_user(self, obj: Referrer):
        return [obj.email, obj.full_name]

    @display(description=_("Referred users"), ordering="total_referrals")
    def display_total(self, obj: Referrer) -> int:
        return obj.total_referrals

    @display(description=_("Qualified"), ordering="qualified_referrals")
    def display_qualified(self, obj: Referrer) -> int:
        return obj.qualified_referrals

    @display(description=_("Commissions earned"), ordering="total_commission")
    def display_commission(self, obj: Referrer) -> str:
        return money_cell(obj.total_commission, settings.PLATFORM_CURRENCY)

    @display(description=_("Milestone rewards"), ordering="rewards")
    def display_rewards(self, obj: Referrer) -> str:
        return money_cell(obj.rewards, settings.PLATFORM_CURRENCY)

    @display(description=_("Joined"), ordering="date_joined")
    def display_joined(self, obj: Referrer) -> str:
        return formats.date_format(obj.date_joined, "j M Y")
