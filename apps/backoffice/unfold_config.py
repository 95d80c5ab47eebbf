"""django-unfold settings, imported into ``settings.UNFOLD``.

Callbacks are dotted paths so this module imports nothing from the apps (settings load first).
"""

from django.utils.translation import gettext_lazy as _

# A deep teal: reads as "money", keeps white text legible on the 600 shade.
PRIMARY = {
    "50": "oklch(98.2% .014 181)",
    "100": "oklch(95.3% .05 181)",
    "200": "oklch(90.5% .09 181)",
    "300": "oklch(84% .125 182)",
    "400": "oklch(74% .135 183)",
    "500": "oklch(64.5% .125 184)",
    "600": "oklch(55.5% .108 186)",
    "700": "oklch(47.5% .09 188)",
    "800": "oklch(40.5% .075 190)",
    "900": "oklch(35% .06 191)",
    "950": "oklch(25.5% .045 193)",
}

UNFOLD = {
    "SITE_TITLE": "Bursar",
    "SITE_HEADER": "Bursar",
    "SITE_SUBHEADER": _("Back office"),
    "SITE_SYMBOL": "account_balance",
    "SITE_URL": "/",
    "SITE_FAVICONS": [
        {"rel": "icon", "type": "image/svg+xml", "href": "apps.backoffice.unfold_links.favicon_url"},
    ],
    "STYLES": ["apps.backoffice.unfold_links.styles_url"],
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "SHOW_BACK_BUTTON": True,
    "ENVIRONMENT": "apps.backoffice.dashboard.environment_callback",
    "ENVIRONMENT_TITLE_PREFIX": "apps.backoffice.dashboard.environment_title_prefix",
    "DASHBOARD_CALLBACK": "apps.backoffice.dashboard.dashboard_callback",
    "COLORS": {"primary": PRIMARY},
    # The top search box opens unfold's command search: the menu entries it matches by name, and
    # the users, requests, positions and tickets ``apps.backoffice.search`` finds.
    "COMMAND": {
        "search_models": False,
        "search_callback": "apps.backoffice.search.admin_search_callback",
        "show_history": False,
    },
    "SIDEBAR": {
        "show_search": True,
        "command_search": True,
        "show_all_applications": "apps.backoffice.unfold_links.show_all_applications",
        "navigation": "apps.backoffice.navigation.sidebar_navigation",
    },
}
