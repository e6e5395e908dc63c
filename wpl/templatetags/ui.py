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


def _choice(item) -> tuple[str, str]:
    if isinstance(item, str | int):
        return str(item), str(item)
    if isinstance(item, list | tuple):
        value, text = item
        return str(value), str(text)
    return str(item.pk), str(item)


@register.inclusion_tag("components/select.html")
def select_field(
    name: str,
    label: str,
    choices,
    selected="",
    *,
    id: str = "",
    empty_label: str | None = None,
    hide_label: bool = False,
    help: str = "",
    disabled: bool = False,
):
    """A labelled <select> outside a Django form (a filter, a row's control); see docs/design.md."""
    chosen = "" if selected is None else str(selected)
    options = [(value, text, value == chosen) for value, text in map(_choice, choices)]
    return {
        "id": id or f"id_{name}",
        "name": name,
        "label": label,
        "options": options,
        "empty_label": empty_label,
        "hide_label": hide_label,
        "help": help,
        "disabled": disabled,
    }


@register.inclusion_tag("components/check.html")
def check_field(
    name: str,
    value,
    label: str,
    *,
    id: str,
    checked: bool = False,
    type: str = "checkbox",
    required: bool = False,
    hide_label: bool = False,
):
    """A checkbox (or radio) with its label, outside a Django form; see docs/design.md."""
    return {
        "name": name,
        "value": value,
        "label": label,
        "id": id,
        "checked": checked,
        "type": type,
        "required": required,
        "hide_label": hide_label,
    }
