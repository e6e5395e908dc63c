"""An institution's look: checks for the uploaded logo and the accent colour."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wpl.design import HEX_COLOUR, MIN_ACCENT_CONTRAST_ON_WHITE, contrast_ratio

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 2000
# Raster formats only: an SVG could carry script, and the logo is served from our origin.
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def validate_logo(upload) -> str:
    """Check an uploaded logo by its content, not its name; return its content type.

    Raises ValidationError with a translated message for a file that is too large, not a
    PNG, JPEG or WebP image, damaged, or larger than 2000 x 2000 pixels.
    """
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError(
            _("The logo is too large (%(size)s kB); at most %(max)s kB.")
            % {"size": upload.size // 1024, "max": MAX_LOGO_BYTES // 1024}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()  # reads the whole file: a truncated or forged image fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The logo is not a readable PNG, JPEG or WebP image.")) from None
    finally:
        upload.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(_("The logo is not a readable PNG, JPEG or WebP image."))
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise ValidationError(
            _("The logo is %(w)s × %(h)s pixels; at most %(max)s × %(max)s.")
            % {"w": width, "h": height, "max": MAX_LOGO_PIXELS}
        )
    return LOGO_FORMATS[image_format]


def validate_accent_colour(value: str) -> str:
    """A #rrggbb colour with at least 3:1 contrast on white; returns it in lower case."""
    value = (value or "").strip()
    if not HEX_COLOUR.match(value):
        raise ValidationError(_("Give the colour as #rrggbb, for example #0b5394."))
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < MIN_ACCENT_CONTRAST_ON_WHITE:
        raise ValidationError(
            _(
                "This colour is too light to see on white (contrast %(ratio)s : 1, at least "
                "%(min)s : 1 is needed). Choose a darker shade."
            )
            % {"ratio": f"{ratio:.1f}", "min": f"{MIN_ACCENT_CONTRAST_ON_WHITE:.0f}"}
        )
    return value.lower()
