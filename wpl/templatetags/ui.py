"""Template tags of the design system (docs/design.md)."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.inclusion_tag("components/nav_item.html", takes_context=True)
def nav_item(context, url_name: str, label: str, icon: str, query: str = ""):
    """One entry of the main navigation, marked aria-current when the page is under it."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        url = url_name  # an already built URL (extra_nav items)
    request = context.get("request")
    path = request.path if request is not None else ""
    current = path == url if url == "/" else path.startswith(url)
    return {"url": url + query, "label": label, "icon": icon, "current": current}
