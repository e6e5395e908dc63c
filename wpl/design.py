"""The design system's server side: the form renderer and the institution's colours.

docs/design.md describes the tokens and components; static/css/wpl.css holds them.
"""

from __future__ import annotations

import functools
import re

from django.forms.renderers import TemplatesSetting

DEFAULT_ACCENT = "#0b5394"
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# The accent colours borders, the current-page marker and button backgrounds on white:
# WCAG 1.4.11 asks 3:1 for such non-text parts. Text on the accent is black or white,
# whichever reads better (always at least 4.5:1, WCAG 1.4.3).
MIN_ACCENT_CONTRAST_ON_WHITE = 3.0
MIN_TEXT_CONTRAST = 4.5


class FormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with templates/components/form.html and form_field.html."""

    form_template_name = "components/form.html"
    field_template_name = "components/form_field.html"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours, from 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever has the higher contrast on `background`."""
    return (
        "#ffffff"
        if contrast_ratio(background, "#ffffff") >= contrast_ratio(background, "#000000")
        else "#000000"
    )


def accent_tokens(accent: str | None) -> dict[str, str]:
    """The CSS custom properties for an institution's accent (the default when unset or unusable)."""
    return dict(_accent_tokens(accent))


@functools.lru_cache(maxsize=512)
def _accent_tokens(accent: str | None) -> tuple[tuple[str, str], ...]:
    # Every page's header asks; the answer depends on the colour alone.
    if (
        not accent
        or not HEX_COLOUR.match(accent)
        or contrast_ratio(accent, "#ffffff") < MIN_ACCENT_CONTRAST_ON_WHITE
    ):
        accent = DEFAULT_ACCENT
    accent = accent.lower()
    return (("accent", accent), ("on_accent", text_colour_on(accent)))
