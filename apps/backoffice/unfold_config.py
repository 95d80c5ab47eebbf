"""django-unfold settings (imported into ``settings.UNFOLD``). Filled in by the back-office work."""

from django.utils.translation import gettext_lazy as _

UNFOLD = {
    "SITE_TITLE": "Bursar",
    "SITE_HEADER": _("Bursar back office"),
}
