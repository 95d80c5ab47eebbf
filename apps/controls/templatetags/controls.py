"""``{% maintenance_banner %}``: the maintenance-mode notice on every portal and staff page while
it is on (the portal's base and the admin's ``base`` include it). No logic: the selector says."""

from django import template

from apps.controls.selectors import maintenance_notice

register = template.Library()


@register.inclusion_tag("controls/maintenance_banner.html", takes_context=True)
def maintenance_banner(context, *, admin: bool = False) -> dict:
    return {"notice": maintenance_notice(), "admin": admin, "perms": context.get("perms")}
