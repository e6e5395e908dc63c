"""Template tags of the design system (docs/design.md).

`nav_item` and `icon` build their few elements in Python: the main navigation is on every
page (some fifteen entries), and rendering one inclusion template per entry plus one per
icon was a third of a start page's rendering time. The markup is the same as
templates/components/nav_item.html and icon.html, which stay the reference.
"""

from __future__ import annotations

import functools

from django import template
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@functools.cache
def _sprite_url() -> str:
    # The static files storage gives the same URL for the whole life of the process.
    return static("vendor/lucide/sprite.svg")


def icon_html(name: str, label: str | None = None, css_class: str | None = None) -> str:
    """A Lucide icon from the local sprite, as components/icon.html renders it.

    With its trailing newline: between an icon and its label it reads as a space.
    """
    classes = f"icon {css_class}" if css_class else "icon"
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}" focusable="false"><use href="{}#{}"></use></svg>\n',
            classes,
            label,
            _sprite_url(),
            name,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>\n',
        classes,
        _sprite_url(),
        name,
    )


@register.simple_tag
def icon(name: str, label: str | None = None, css_class: str | None = None) -> str:
    """`{% icon "inbox" %}`: the same as including components/icon.html."""
    return icon_html(name, label, css_class)


@register.simple_tag(takes_context=True)
def nav_item(context, url_name: str, label: str, icon: str, query: str = "") -> str:
    """One entry of the main navigation, marked aria-current when the page is under it."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        url = url_name  # an already built URL (extra_nav items)
    request = context.get("request")
    path = request.path if request is not None else ""
    current = path == url if url == "/" else path.startswith(url)
    return format_html(
        '<li><a href="{}"{}>{}{}</a></li>\n',
        url + query,
        mark_safe(' aria-current="page"') if current else "",  # noqa: S308 - a constant
        icon_html(icon),
        label,
    )
