"""The users admin: investors and staff. Every write goes through ``apps.accounts.services``;
users are deactivated, never deleted. The back office registers it again with an investor's money
on their page (``apps.backoffice.users.admin``: the Investor 360 and the statement tab), which
accounts cannot read: it sits below the wallet."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from unfold.contrib.filters.admin import (
    BooleanRadioFilter,
    ChoicesDropdownFilter,
    FieldTextFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display

from apps.accounts import services
from apps.accounts.admin.events import UserEventInline
from apps.accounts.admin.forms import (
    AdminPasswordChangeForm,
    UserChangeForm,
    UserCreationForm,
)
from apps.accounts.admin.user_actions import UserActionsMixin
from apps.accounts.models import KycStatus, User
from apps.accounts.services import PROFILE_FIELDS
from apps.common.admin.changelist import ModelAdmin
from apps.common.admin.exports import CsvExportMixin
from apps.common.admin.filters import DateRangeFilter
from apps.common.errors import ApplicationError

KYC_LABELS = {
    KycStatus.NOT_SUBMITTED: "",
    KycStatus.PENDING: "warning",
    KycStatus.APPROVED: "success",
    KycStatus.REJECTED: "danger",
}
ROLE_LABELS = {"superuser": "danger", "staff": "primary", "investor": "info"}
ROLE_FIELDS = ("is_staff", "is_superuser", "groups")
ALWAYS_READONLY = (
    "email",
    "referral_code",
    "display_referred_by",
    "display_referral_count",
    "display_kyc",
    "display_kyc_submissions",
    "is_email_verified",
    "date_joined",
    "last_login",
    "updated_at",
)


@admin.register(User)
class UserAdmin(CsvExportMixin, UserActionsMixin, BaseUserAdmin, ModelAdmin):
    export_columns = (
        "id",
        "email",
        "username",
        "first_name",
        "last_name",
        "phone",
        "country",
        "language",
        "is_staff",
        "is_superuser",
        "is_active",
        "kyc_status",
        "is_email_verified",
        "referral_code",
        ("referred_by_email", "referred_by__email"),
        "date_joined",
        "last_login",
    )
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = (
        "display_user",
        "display_role",
        "display_kyc_status",
        "display_email_verified",
        "display_active",
        "display_joined",
        "display_referrer",
    )
    list_display_links = ("display_user",)
    list_filter = (
        ("is_staff", BooleanRadioFilter),
        ("is_active", BooleanRadioFilter),
        ("kyc_status", ChoicesDropdownFilter),
        ("is_email_verified", BooleanRadioFilter),
        ("language", ChoicesDropdownFilter),
        ("country", FieldTextFilter),
        ("groups", RelatedDropdownFilter),
        ("date_joined", DateRangeFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("email", "username", "first_name", "last_name", "phone", "=referral_code")
    search_help_text = _("Email, username, name, phone or exact referral code")
    ordering = ("-date_joined", "-id")
    filter_horizontal = ()
    readonly_fields = ALWAYS_READONLY
    inlines = (UserEventInline,)
    fieldsets = (
        (_("Identity"), {"fields": ("email", "username", "password")}),
        (_("Profile"), {"fields": (("first_name", "last_name"), "phone", ("country", "language"))}),
        (_("Referral"), {"fields": ("referral_code", "display_referred_by", "display_referral_count")}),
        (_("Roles"), {"fields": ("is_staff", "is_superuser", "groups")}),
        (
            _("Status"),
            {"fields": ("is_active", "display_kyc", "is_email_verified", ("date_joined", "last_login"), "updated_at")},
        ),
    )
    add_fieldsets = (
        (_("Identity"), {"fields": ("email", ("first_name", "last_name"), "phone", ("country", "language"))}),
        (_("Password"), {"fields": ("usable_password", "password1", "password2")}),
    )
    actions = ("deactivate_users", "reactivate_users", "send_password_reset")
    actions_detail = (
        "note_add_detail",
        "unlock_detail",
        "adjust_balance_detail",
        "resend_verification_detail",
        "password_reset_detail",
        "mfa_reset_detail",
        "deactivate_detail",
        "reactivate_detail",
    )

    # --- queryset and permissions ---------------------------------------------------------------

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("referred_by").prefetch_related("groups")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_inline_instances(self, request: HttpRequest, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """Staff accounts other than one's own are a superuser's to change."""
        if obj is not None and obj.is_staff and obj.pk != request.user.pk and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    # --- forms ----------------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if request.user.has_perm("kyc.view_submission"):
            fieldsets = self._with_kyc_submissions_link(fieldsets)
        if request.user.is_superuser:
            return fieldsets
        # Only superusers set passwords: the others do not see the link to the password form.
        identity = (fieldsets[0][0], {"fields": ("email", "username")})
        return (identity, *fieldsets[1:])

    @staticmethod
    def _with_kyc_submissions_link(fieldsets):
        """The Status fieldset with the link to the user's KYC submissions after the status."""
        linked = []
        for name, options in fieldsets:
            fields = tuple(
                ("display_kyc", "display_kyc_submissions") if field == "display_kyc" else field
                for field in options["fields"]
            )
            linked.append((name, {**options, "fields": fields}))
        return tuple(linked)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            formfield.label = _("Roles")
            formfield.help_text = _("Each role grants its permissions. Only staff hold roles.")
            # Roles are few and fixed here: no add/change/view buttons beside the checkboxes.
            for flag in ("can_add_related", "can_change_related", "can_view_related", "can_delete_related"):
                setattr(formfield.widget, flag, False)
        return formfield

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ()
        readonly = list(ALWAYS_READONLY)
        if not request.user.is_superuser:
            readonly += ROLE_FIELDS
        if not self.has_deactivate_user_permission(request):
            readonly.append("is_active")
        return readonly

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service refusing the save (after the form validated) rolls the save back and shows
        its message on the page instead of a server error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        if not change:
            created = services.user_create(
                email=form.cleaned_data["email"],
                password=form.password_for_service(),
                actor=request.user,
                **{name: form.cleaned_data[name] for name in PROFILE_FIELDS if name in form.cleaned_data},
            )
            obj.__dict__.update(created.__dict__)
            return
        user = User.objects.get(pk=obj.pk)  # ``obj`` already carries the posted values
        changed = set(form.changed_data)
        profile = {name: form.cleaned_data[name] for name in PROFILE_FIELDS if name in changed}
        if profile:
            user = services.user_profile_update(user=user, fields=profile, actor=request.user)
        if "is_active" in changed:
            services.user_active_set(user=user, is_active=form.cleaned_data["is_active"], actor=request.user)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Roles change through one service call. The events inline is view-only: saving its
        formset writes nothing, but gives the change message what it expects."""
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        if not change or not set(ROLE_FIELDS) & set(form.changed_data):
            return
        user = form.instance
        services.user_roles_set(
            user=user,
            actor=request.user,
            is_staff=form.cleaned_data.get("is_staff", user.is_staff),
            is_superuser=form.cleaned_data.get("is_superuser", user.is_superuser),
            groups=form.cleaned_data.get("groups"),
        )

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id, form_url=""):
        """Django's password view, with the write done by ``services.user_password_set``."""
        if not request.user.is_superuser:
            raise PermissionDenied
        user = self.get_object(request, unquote(id))
        if user is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, id)
        form = self.change_password_form(user, request.POST if request.method == "POST" else None)
        # Turning password sign-in off takes the form's own "unset-password" button.
        submitted = form.is_bound and form.is_valid()
        if submitted and (form.cleaned_data["set_usable_password"] or "unset-password" in request.POST):
            try:
                updated = services.user_password_set(
                    user=user, password=form.password_for_service(), actor=request.user
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self.log_change(request, updated, [{"changed": {"fields": ["password"]}}])
                self.message_user(request, _("Password changed."), messages.SUCCESS)
                update_session_auth_hash(request, updated)
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=(updated.pk,)))
        return self._password_page(request, user, form, form_url)

    def _password_page(self, request, user, form, form_url) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set password: %s") % user.email,
            "adminForm": helpers.AdminForm(form, [(None, {"fields": list(form.base_fields)})], {}),
            "form_url": form_url,
            "form": form,
            "is_popup": False,
            "add": True,
            "change": False,
            "has_delete_permission": False,
            "has_change_permission": True,
            "has_absolute_url": False,
            "opts": self.opts,
            "original": user,
            "save_as": False,
            "show_save": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/auth/user/change_password.html", context)

    # --- columns --------------------------------------------------------------------------------

    @display(description=_("User"), header=True, ordering="email")
    def display_user(self, obj: User):
        initials = "".join(part[0] for part in (obj.first_name, obj.last_name) if part) or obj.email[0]
        return [obj.full_name or obj.email, obj.email if obj.full_name else obj.username or "", initials.upper()]

    @display(description=_("Role"), label=ROLE_LABELS)
    def display_role(self, obj: User):
        if obj.is_superuser:
            return "superuser", _("Superuser")
        if obj.is_staff:
            roles = sorted(group.name for group in obj.groups.all())
            return "staff", ", ".join(roles) or _("Staff")
        return "investor", _("Investor")

    @display(description=_("KYC"), label=KYC_LABELS, ordering="kyc_status")
    def display_kyc_status(self, obj: User):
        return obj.kyc_status, obj.get_kyc_status_display()

    @display(description=_("KYC status"))
    def display_kyc(self, obj: User) -> str:
        """The status follows the user's current KYC submission: only a review changes it."""
        return render_to_string(
            "unfold/helpers/label.html",
            {"text": obj.get_kyc_status_display(), "variant": KYC_LABELS.get(obj.kyc_status) or "default"},
        )

    @display(description=_("KYC submissions"))
    def display_kyc_submissions(self, obj: User) -> str:
        url = f"{reverse('admin:kyc_submission_changelist')}?{urlencode({'user__id__exact': obj.pk})}"
        return format_html(
            '<a href="{}" class="text-primary-600 dark:text-primary-500" id="user-kyc-submissions">{}</a>',
            url,
            _("Open this user's submissions in the KYC queue"),
        )

    @display(description=_("Email verified"), boolean=True, ordering="is_email_verified")
    def display_email_verified(self, obj: User) -> bool:
        return obj.is_email_verified

    @display(description=_("Active"), boolean=True, ordering="is_active")
    def display_active(self, obj: User) -> bool:
        return obj.is_active

    @display(description=_("Joined"), ordering="date_joined")
    def display_joined(self, obj: User) -> str:
        return formats.date_format(timezone.localtime(obj.date_joined), "j M Y")

    @display(description=_("Referred by"), ordering="referred_by__email")
    def display_referrer(self, obj: User):
        if obj.referred_by is None:
            return "-"
        url = reverse("admin:accounts_user_change", args=(obj.referred_by_id,))
        return format_html('<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>', url, obj.referred_by)

    @display(description=_("Referred by"))
    def display_referred_by(self, obj: User):
        return self.display_referrer(obj)

    @display(description=_("Referrals"))
    def display_referral_count(self, obj: User) -> int:
        return obj.referrals.count()
