"""Columns shared by the referrals admins."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

TREE_LINK = '<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>'


def tree_url(user_id: int) -> str:
    return reverse("admin:referrals_referrer_change", args=(user_id,))


def tree_link(user, label=None) -> str:
    """The user's email, linking to their referral tree."""
    if user is None:
        return "-"
    return format_html(TREE_LINK, tree_url(user.pk), label or user.email)


def level_label(level: int) -> str:
    return _("Level %(level)d") % {"level": level}
