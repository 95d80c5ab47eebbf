"""Small per-request values for ``UNFOLD`` (kept apart so the settings import stays light)."""

from django.http import HttpRequest
from django.templatetags.static import static


def favicon_url(request: HttpRequest) -> str:
    return static("backoffice/bursar.svg")


def styles_url(request: HttpRequest) -> str:
    """Bursar's own rules on every staff page (right-to-left mends)."""
    return static("backoffice/rtl.css")


def show_all_applications(request: HttpRequest) -> bool:
    """The raw list of every registered model is a superuser's tool."""
    return request.user.is_superuser
