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
