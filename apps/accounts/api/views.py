"""Auth and profile endpoints: parse with a serializer, call one service or selector, render."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenRefreshView as SimpleJWTTokenRefreshView

from apps.accounts import selectors, services
from apps.accounts.api import serializers
from apps.accounts.api.throttling import AUTH_THROTTLE_CLASSES, LOGIN_SCOPE, PASSWORD_FORGOT_SCOPE, SIGNUP_SCOPE
from apps.accounts.models import User
from apps.common.api.schema import NOT_AUTHENTICATED, THROTTLED, bad_request, error_response

AUTH_TAG = "auth"
USER_TAG = "users"
TOKEN_INVALID = ("token_invalid", "token")


def _profile_data(user: User) -> dict:
    context = {"balances": selectors.user_balances_get(user=user)}
    return serializers.ProfileSerializer(user, context=context).data


def _message(text: str) -> Response:
    return Response({"message": text})


class PublicAPIView(APIView):
    # No authentication at all, so a stale ``Authorization`` header never turns it into a 401.
    authentication_classes = []
    permission_classes = [AllowAny]


class SignupView(PublicAPIView):
    throttle_classes = AUTH_THROTTLE_CLASSES
    throttle_scope = SIGNUP_SCOPE

    @extend_schema(
        tags=[AUTH_TAG],
        summary="Create an investor account",
        description="Sends an email-verification link. Email is unique ignoring case; the password validators apply.",
        request=serializers.SignupSerializer,
        responses={
            201: serializers.SignupResponseSerializer,
            400: bad_request(
                ("email_taken", "email"),
                ("password_invalid", "password"),
                ("referral_code_invalid", "referral_code"),
                ("username_taken", "username"),
            ),
            429: THROTTLED,
        },
    )
    def post(self, request):
        serializer = serializers.SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("password_confirm")
        user = services.user_signup(**data)
        message = _("Account created. Check your inbox to confirm your email address.")
        return Response({"message": message, "user": _profile_data(user)}, status=status.HTTP_201_CREATED)


class LoginView(PublicAPIView):
    throttle_classes = AUTH_THROTTLE_CLASSES
    throttle_scope = LOGIN_SCOPE

    @extend_schema(
        tags=[AUTH_TAG],
        summary="Sign in with an email or a username",
        description=(
            "Repeated failures lock the account out for a while (429), even with the right password. Staff, and "
            "investors who set up an authenticator app, also send `otp` (the app's 6-digit code or a recovery "
            "code): without it the answer is 401 `otp_required` and no token; a wrong code is 401 `otp_invalid` "
            "and counts as a failed sign-in. A staff member who has not set up an app yet gets 401 "
            "`otp_enrolment_required`: they sign in to the back office (`/admin/`) once to set it up. Tokens of a "
            "sign-in that checked a code carry its time (claim `otp_verified_at`, kept by refreshed tokens): staff "
            "approvals more than `MFA_STEP_UP_MINUTES` later also need the `X-OTP` header (step-up)."
        ),
        request=serializers.LoginSerializer,
        responses={
            200: serializers.LoginResponseSerializer,
            400: bad_request(),
            401: error_response(
                "Wrong email/username or password, or the second factor is missing, wrong or not set up yet.",
                "invalid_credentials",
                "otp_required",
                "otp_invalid",
                "otp_enrolment_required",
            ),
            403: error_response("The account is deactivated.", "account_inactive"),
            429: error_response("Locked out after repeated failures, or throttled.", "login_locked", "throttled"),
        },
    )
    def post(self, request):
        serializer = serializers.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, tokens = services.auth_login(
            request=request._request,
            identifier=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
            otp=serializer.validated_data.get("otp"),
        )
        return Response({**tokens, "user": _profile_data(user)})


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[AUTH_TAG],
        summary="Sign out: revoke a refresh token, or every one of the caller's",
        description=(
            "With `refresh`, that token (it must be the caller's) is revoked. Without it (the original client "
            "sends no body), every refresh token of the caller is: every device must sign in again once its "
            "access token expires."
        ),
        request=serializers.LogoutSerializer,
        responses={
            200: serializers.MessageSerializer,
            400: bad_request(("token_invalid", "refresh")),
            401: NOT_AUTHENTICATED,
        },
    )
    def post(self, request):
        serializer = serializers.LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh = serializer.validated_data.get("refresh")
        if refresh is None:
            services.auth_tokens_revoke_all(user=request.user)
        else:
            services.auth_refresh_revoke(user=request.user, refresh=refresh)
        return _message(_("Signed out."))


class TokenRefreshView(SimpleJWTTokenRefreshView):
    """simplejwt's refresh: rotates the refresh token and blacklists the one it was given."""

    @extend_schema(
        tags=[AUTH_TAG],
        summary="Exchange a refresh token for a new access and refresh token",
        description="The refresh token sent is revoked: a used or signed-out refresh token is refused.",
        responses={
            200: serializers.TokenPairSerializer,
            400: bad_request(),
            401: error_response(
                "Invalid, expired, used or revoked refresh token, or a deactivated account.",
                "token_not_valid",
                "no_active_account",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class EmailVerifyView(PublicAPIView):
    @extend_schema(
        tags=[AUTH_TAG],
        summary="Confirm an email address with the emailed token",
        request=serializers.TokenSerializer,
        responses={200: serializers.MessageSerializer, 400: bad_request(TOKEN_INVALID)},
    )
    def post(self, request):
        serializer = serializers.TokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_email_verify(token=serializer.validated_data["token"])
        return _message(_("Your email address is confirmed."))


class PasswordForgotView(PublicAPIView):
    throttle_classes = AUTH_THROTTLE_CLASSES
    throttle_scope = PASSWORD_FORGOT_SCOPE

    @extend_schema(
        tags=[AUTH_TAG],
        summary="Email a password-reset token",
        description="Answers the same whether or not an account uses the address.",
        request=serializers.PasswordForgotSerializer,
        responses={200: serializers.MessageSerializer, 400: bad_request(), 429: THROTTLED},
    )
    def post(self, request):
        serializer = serializers.PasswordForgotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        return _message(_("If an account uses this address, we have sent it a link to reset the password."))


class PasswordResetView(PublicAPIView):
    @extend_schema(
        tags=[AUTH_TAG],
        summary="Choose a new password with the emailed token",
        description="The token works once.",
        request=serializers.PasswordResetSerializer,
        responses={
            200: serializers.MessageSerializer,
            400: bad_request(TOKEN_INVALID, ("password_invalid", "new_password")),
        },
    )
    def post(self, request):
        serializer = serializers.PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(
            token=serializer.validated_data["token"], new_password=serializer.validated_data["new_password"]
        )
        return _message(_("Your password has been changed. You can sign in with it now."))


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[AUTH_TAG],
        summary="Change the password",
        request=serializers.PasswordChangeSerializer,
        responses={
            200: serializers.MessageSerializer,
            400: bad_request(("password_wrong", "old_password"), ("password_invalid", "new_password")),
            401: NOT_AUTHENTICATED,
        },
    )
    def post(self, request):
        serializer = serializers.PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_change(user=request.user, **serializer.validated_data)
        return _message(_("Your password has been changed."))


class ProfileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[USER_TAG],
        summary="The caller's profile and balances",
        responses={200: serializers.ProfileSerializer, 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        return Response(_profile_data(request.user))


class ProfileUpdateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[USER_TAG],
        summary="Change profile fields",
        description=(
            "Only `username`, `first_name`, `last_name`, `phone`, `country` and `language`; any other key "
            "(email, role, balances, KYC, referral code, staff flags) is refused with 400 on that key "
            "(error code `field_not_editable`) and nothing changes."
        ),
        request=serializers.ProfileUpdateSerializer,
        responses={
            200: serializers.ProfileSerializer,
            400: bad_request(("username_taken", "username"), ("invalid", "phone")),
            401: NOT_AUTHENTICATED,
        },
    )
    def patch(self, request):
        serializer = serializers.ProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(user=request.user, fields=serializer.validated_data)
        return Response(_profile_data(user))
