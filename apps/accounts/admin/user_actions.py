"""The users admin's actions: bulk actions on the changelist, dialogs on the change page. Each
runs one service call per user and turns a refusal into a message.

A change-page action is offered only where it applies (unlock while locked out, resend while the
address is unverified…). Its own URL checks the role alone: a request that no longer applies (the
account was unlocked meanwhile, in another tab) reaches the service, whose refusal is a message,
and a missing or malformed id is the admin's "doesn't exist" redirect, never a 403 or a 500."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.decorators import action
from unfold.enums import ActionVariant

from apps.accounts import services
from apps.accounts.admin.forms import ConfirmDialogForm, StaffNoteDialogForm
from apps.accounts.lockout import LockoutStatus, lockout_status_for_user
from apps.accounts.mfa.reset import mfa_reset
from apps.accounts.mfa.selectors import mfa_enrolled
from apps.accounts.mfa.step_up import step_up_form
from apps.accounts.models import User
from apps.common.admin.dialogs import dialog_service_call
from apps.common.errors import ApplicationError

NOTE_DIALOG = {
    "title": _("Add a staff note"),
    "description": _("Internal: only staff see it, on this page, with your name and the time."),
    "form_class": StaffNoteDialogForm,
    "form_submit_text": _("Add note"),
}


ACTION_URL = "_user_action_url"  # set on the request while an action's own URL is served


def detail_action(**options):
    """unfold's ``@action`` for the change page, behind a check of the target: a missing or
    malformed id redirects with the admin's message before unfold checks any permission."""

    def decorator(func):
        view = action(**options)(func)

        @wraps(view)
        def guarded(model_admin, request: HttpRequest, *args, **kwargs) -> HttpResponse:
            object_id = kwargs.get("object_id")
            if model_admin._detail_target(request, object_id) is None:
                return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, str(object_id))
            setattr(request, ACTION_URL, True)
            return view(model_admin, request, *args, **kwargs)

        return guarded

    return decorator


def applies(request: HttpRequest, condition: bool) -> bool:
    """On the change page, whether to offer an action; on the action's URL always (the service
    refuses what does not apply, with a message)."""
    return bool(getattr(request, ACTION_URL, False) or condition)


class UserActionsMixin:
    """Mixed into ``UserAdmin``. ``permissions=["x"]`` on an action means ``has_x_permission``."""

    # --- permissions ----------------------------------------------------------------------------

    def has_deactivate_user_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("accounts.deactivate_user")

    def has_password_reset_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request)

    def has_deactivate_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        target = self._detail_target(request, object_id)
        return bool(self.has_deactivate_user_permission(request) and target and applies(request, target.is_active))

    def has_reactivate_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        target = self._detail_target(request, object_id)
        return bool(self.has_deactivate_user_permission(request) and target and applies(request, not target.is_active))

    def has_note_add_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        return bool(request.user.has_perm("accounts.add_staffnote") and self._detail_target(request, object_id))

    def has_unlock_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        """Offered while axes locks the account out (and to staff who may unlock)."""
        if not request.user.has_perm("accounts.unlock_user"):
            return False
        target = self._detail_target(request, object_id)
        return bool(target and applies(request, self._lockout(request, target).locked))

    def has_resend_verification_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        target = self._detail_target(request, object_id)
        return bool(
            target
            and self.has_change_permission(request, target)
            and applies(request, target.is_active and not target.is_email_verified)
        )

    def has_adjust_balance_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        target = self._detail_target(request, object_id)
        return bool(request.user.has_perm("wallet.add_adjustment") and target and not target.is_staff)

    def has_mfa_reset_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        """Superusers only; offered on another account with an authenticator app (on the action's
        URL the service refuses one's own account, with a message)."""
        if not (request.user.is_active and request.user.is_superuser):
            return False
        target = self._detail_target(request, object_id)
        return bool(target and applies(request, target.pk != request.user.pk and mfa_enrolled(user=target)))

    def _lockout(self, request: HttpRequest, user: User) -> LockoutStatus:
        """The account's lock-out, read once per request."""
        cache = request.__dict__.setdefault("_user_admin_lockouts", {})
        if user.pk not in cache:
            cache[user.pk] = lockout_status_for_user(user=user)
        return cache[user.pk]

    def _detail_target(self, request: HttpRequest, object_id) -> User | None:
        """The user a detail action is about, fetched once per request."""
        cache = request.__dict__.setdefault("_user_admin_targets", {})
        if object_id not in cache:
            cache[object_id] = self.get_object(request, unquote(str(object_id))) if object_id else None
        return cache[object_id]

    # --- bulk actions (changelist) --------------------------------------------------------------

    @action(description=_("Deactivate selected users"), permissions=["deactivate_user"], icon="block")
    def deactivate_users(self, request: HttpRequest, queryset) -> None:
        self._apply_each(
            request,
            [user for user in queryset if user.is_active],
            lambda user: services.user_active_set(user=user, is_active=False, actor=request.user),
            lambda count: ngettext("Deactivated %(count)d user.", "Deactivated %(count)d users.", count),
        )

    @action(description=_("Reactivate selected users"), permissions=["deactivate_user"], icon="check_circle")
    def reactivate_users(self, request: HttpRequest, queryset) -> None:
        self._apply_each(
            request,
            [user for user in queryset if not user.is_active],
            lambda user: services.user_active_set(user=user, is_active=True, actor=request.user),
            lambda count: ngettext("Reactivated %(count)d user.", "Reactivated %(count)d users.", count),
        )

    @action(description=_("Send a password reset link"), permissions=["password_reset"], icon="lock_reset")
    def send_password_reset(self, request: HttpRequest, queryset) -> None:
        self._apply_each(
            request,
            list(queryset),
            lambda user: services.password_reset_request(email=user.email),
            lambda count: ngettext(
                "Sent a reset link to %(count)d user (active accounts with a password only).",
                "Sent reset links to %(count)d users (active accounts with a password only).",
                count,
            ),
        )

    def _apply_each(
        self,
        request: HttpRequest,
        users: Iterable[User],
        change: Callable[[User], object],
        done_message: Callable[[int], str],
    ) -> None:
        """Run one service call per user (each its own transaction); report refusals per user."""
        done = 0
        for user in users:
            try:
                change(user)
            except ApplicationError as exc:
                self.message_user(request, f"{user.email}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)
        else:
            self.message_user(request, _("Nothing to change."), messages.INFO)

    # --- detail actions (change page) -----------------------------------------------------------

    @detail_action(
        description=_("Deactivate"),
        permissions=["deactivate_detail"],
        icon="block",
        variant=ActionVariant.DANGER,
        dialog={
            "title": _("Deactivate this user?"),
            "description": _("They are signed out everywhere and can no longer sign in. Nothing is deleted."),
            "form_class": ConfirmDialogForm,
            "form_submit_text": _("Deactivate"),
        },
    )
    def deactivate_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        user = self._detail_target(request, object_id)
        if not user.is_active:
            return self._detail_refuse(request, user, _("This account is already deactivated."))
        return self._detail_apply(
            request,
            user,
            lambda: services.user_active_set(user=user, is_active=False, actor=request.user),
            _("The user was deactivated."),
        )

    @detail_action(
        description=_("Reactivate"),
        permissions=["reactivate_detail"],
        icon="check_circle",
        variant=ActionVariant.SUCCESS,
        dialog={
            "title": _("Reactivate this user?"),
            "description": _("They can sign in again."),
            "form_class": ConfirmDialogForm,
            "form_submit_text": _("Reactivate"),
        },
    )
    def reactivate_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        user = self._detail_target(request, object_id)
        if user.is_active:
            return self._detail_refuse(request, user, _("This account is already active."))
        return self._detail_apply(
            request,
            user,
            lambda: services.user_active_set(user=user, is_active=True, actor=request.user),
            _("The user was reactivated."),
        )

    @detail_action(
        description=_("Reset password"),
        permissions=["password_reset"],
        icon="lock_reset",
        dialog={
            "title": _("Send a password reset link?"),
            "description": _("A reset link goes to the user's email address if the account is active."),
            "form_class": ConfirmDialogForm,
            "form_submit_text": _("Send"),
        },
    )
    def password_reset_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        user = self._detail_target(request, object_id)
        return self._detail_apply(
            request, user, lambda: services.password_reset_request(email=user.email), _("Reset link sent.")
        )

    @detail_action(
        description=_("Add note"),
        permissions=["note_add_detail"],
        icon="sticky_note_2",
        variant=ActionVariant.PRIMARY,
        dialog=NOTE_DIALOG,
    )
    def note_add_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        user = self._detail_target(request, object_id)
        return dialog_service_call(
            self,
            request,
            form=form,
            dialog=NOTE_DIALOG,
            call=lambda: services.staff_note_add(user=user, author=request.user, body=form.cleaned_data["body"]),
            done=_("The note was added."),
            redirect_url=reverse("admin:accounts_user_change", args=(user.pk,)),
        )

    @detail_action(
        description=_("Unlock"),
        permissions=["unlock_detail"],
        icon="lock_open",
        variant=ActionVariant.WARNING,
        dialog={
            "title": _("Unlock this account?"),
            "description": _(
                "Its failed sign-ins are forgotten and the user can sign in again at once. Make sure it is "
                "really them who is asking."
            ),
            "form_class": ConfirmDialogForm,
            "form_submit_text": _("Unlock"),
        },
    )
    def unlock_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        user = self._detail_target(request, object_id)
        return self._detail_apply(
            request,
            user,
            lambda: services.user_unlock(user=user, actor=request.user),
            _("The account was unlocked: the user can sign in again."),
        )

    @detail_action(
        description=_("Resend verification"),
        permissions=["resend_verification_detail"],
        icon="forward_to_inbox",
        dialog={
            "title": _("Send the verification email again?"),
            "description": _("A new link to verify the email address goes to the user."),
            "form_class": ConfirmDialogForm,
            "form_submit_text": _("Send"),
        },
    )
    def resend_verification_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        user = self._detail_target(request, object_id)
        return self._detail_apply(
            request,
            user,
            lambda: services.email_verification_resend(user=user, actor=request.user),
            _("The verification email was sent again."),
        )

    @detail_action(
        description=_("Reset two-factor"),
        permissions=["mfa_reset_detail"],
        icon="phonelink_erase",
        variant=ActionVariant.DANGER,
        dialog={
            "title": _("Reset this account's two-factor authentication?"),
            "description": _(
                "Their authenticator app and recovery codes are removed and their API sign-ins revoked; at their "
                "next sign-in they set up a new app (staff must). Make sure it is really them who is asking."
            ),
            "form_class": step_up_form(ConfirmDialogForm),  # a fresh code of yours when your last one is stale
            "form_submit_text": _("Reset two-factor"),
        },
    )
    def mfa_reset_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        user = self._detail_target(request, object_id)
        return self._detail_apply(
            request,
            user,
            lambda: mfa_reset(user=user, actor=request.user),
            _("Two-factor authentication was reset: they set up a new authenticator app at their next sign-in."),
        )

    @detail_action(
        description=_("Adjust balance"), permissions=["adjust_balance_detail"], icon="account_balance_wallet"
    )
    def adjust_balance_detail(self, request: HttpRequest, object_id) -> HttpResponse:
        """The adjustment form with this investor filled in (the adjustment is made there)."""
        user = self._detail_target(request, object_id)
        return HttpResponseRedirect(f"{reverse('admin:wallet_adjustment_add')}?user={user.pk}")

    def _detail_apply(self, request: HttpRequest, user: User, change: Callable, done: str) -> HttpResponse:
        """Run the service, report the outcome, and send the dialog (htmx) back to the page."""
        try:
            change()
        except ApplicationError as exc:
            return self._detail_refuse(request, user, exc.message)
        self.message_user(request, done, messages.SUCCESS)
        return self._back_to_page(user)

    def _detail_refuse(self, request: HttpRequest, user: User, message: str) -> HttpResponse:
        self.message_user(request, message, messages.ERROR)
        return self._back_to_page(user)

    @staticmethod
    def _back_to_page(user: User) -> HttpResponse:
        return HttpResponse(headers={"HX-Redirect": reverse("admin:accounts_user_change", args=(user.pk,))})
