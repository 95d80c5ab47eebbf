"""Every portal page renders in English and in Arabic (right to left), with no English left over."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.accounts import tokens
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# url name -> (English title, Arabic title, status, needs a signed-in user)
PAGES = {
    "home": ("Welcome", "أهلًا بك", 200, False),
    "signup": ("Create your account", "أنشئ حسابك", 200, False),
    "signup_referral": ("Create your account", "أنشئ حسابك", 200, False),
    "login": ("Log in", "تسجيل الدخول", 200, False),
    "password_forgot": ("Forgot your password?", "نسيت كلمة المرور؟", 200, False),
    "password_reset_confirm": ("Choose a new password", "اختر كلمة مرور جديدة", 200, False),
    "password_reset_invalid": ("This link does not work", "هذا الرابط لا يعمل", 400, False),
    "verify_email": ("Email confirmation", "تأكيد البريد الإلكتروني", 200, False),
    "verify_email_invalid": ("Email confirmation", "تأكيد البريد الإلكتروني", 400, False),
    "profile": ("Your profile", "ملفك الشخصي", 200, True),
    "password_change": ("Change your password", "غيّر كلمة المرور", 200, True),
    "logout": ("Log out", "تسجيل الخروج", 405, True),
}


def english_words_left(html: str, allowed: set[str]) -> list[str]:
    """Latin-script words a reader sees on the page (text outside tags), minus names and data."""
    text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S)
    words = re.findall(r"[A-Za-z][A-Za-z.@]+[A-Za-z]", text)
    return [word for word in words if not any(word in allowed_text for allowed_text in allowed)]


def page_url(name: str, user) -> str:
    if name == "signup_referral":
        return reverse(name.join(("portal:", "")), kwargs={"code": user.referral_code})
    if name == "password_reset_confirm":
        return reverse("portal:password_reset_confirm", kwargs={"token": tokens.password_reset_token_make(user=user)})
    if name == "password_reset_invalid":
        return reverse("portal:password_reset_confirm", kwargs={"token": "tampered"})
    if name == "verify_email":
        return reverse("portal:verify_email", kwargs={"token": tokens.email_verification_token_make(user=user)})
    if name == "verify_email_invalid":
        return reverse("portal:verify_email", kwargs={"token": "tampered"})
    return reverse(f"portal:{name}")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_page_renders_in_both_languages(name, language):
    english, arabic, status, signed_in = PAGES[name]
    user = UserFactory(is_email_verified=False, username="mona", first_name="منى", last_name="حداد")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if signed_in:
        client.force_login(user)
    response = client.get(page_url(name, user))
    assert response.status_code == status
    html = response.content.decode()
    if language == "ar":
        assert '<html lang="ar" dir="rtl">' in html
        assert f"<title>{arabic} · Bursar</title>" in html
        assert "انتقل إلى المحتوى" in html
        assert "Skip to content" not in html
        assert "Investing involves risk" not in html
        assert english_words_left(html, allowed={"Bursar", "English", "KYC", user.referral_code, user.email}) == []
    else:
        assert '<html lang="en" dir="ltr">' in html
        assert f"<title>{english} · Bursar</title>" in html
        assert "Skip to content" in html


@pytest.mark.parametrize("language", ["en", "ar"])
def test_home_is_the_dashboard_for_a_signed_in_user(investor_client, language):
    investor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = investor_client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:1] == ["portal/dashboard.html"]
    assert response.context["dashboard"].figures.balances.total == 0


def test_language_switch_offers_both_languages_and_marks_the_current_one(client_ar):
    html = client_ar.get(reverse("portal:login")).content.decode()
    assert '<button type="submit" name="language" value="en" lang="en" aria-pressed="false">English</button>' in html
    assert '<button type="submit" name="language" value="ar" lang="ar" aria-pressed="true">العربية</button>' in html
    assert '<input type="hidden" name="next" value="/login/">' in html


def test_pages_work_without_javascript_and_use_no_cdn(client):
    html = client.get(reverse("portal:signup")).content.decode()
    assert '<form method="post" novalidate>' in html
    assert "//cdn" not in html
    assert "https://" not in html
    assert '<script src="/static/portal/portal.js" defer></script>' in html


def test_static_files_exist():
    from django.contrib.staticfiles import finders

    assert finders.find("portal/portal.css")
    assert finders.find("portal/portal.js")
