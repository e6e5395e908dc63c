"""Form helpers shared by every app."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wpl.branding import LOGO_FORMATS, MAX_LOGO_BYTES, validate_accent_colour, validate_logo
from wpl.design import DEFAULT_ACCENT
from wpl.errors import ServiceError, field_messages


def add_service_errors(form: forms.BaseForm, error: ValidationError | ServiceError) -> None:
    """Put a service's error on the form's fields (unknown fields: on the form).

    The mapping is `wpl.errors.field_messages`, the same the API answers with.
    """
    for field, messages in field_messages(error).items():
        form.add_error(field if field in form.fields else None, messages)


class InstitutionSettingsForm(forms.Form):
    """The institution admin's settings: name, logo and accent colour."""

    name = forms.CharField(label=_("Name of the institution"), max_length=200)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(LOGO_FORMATS.values())}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    accent_colour = forms.CharField(
        label=_("Accent colour"),
        required=False,  # <input type=color> always has a value; empty means the default
        initial=DEFAULT_ACCENT,
        help_text=_(
            "Used for buttons, the bar at the top and the current page in the menu. It must "
            "stand out on white (contrast at least 3 : 1); text on it is set to black or white, "
            "whichever reads better."
        ),
        widget=forms.TextInput(attrs={"type": "color"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, so the text follows the person's language.
        self.fields["logo"].help_text = gettext(
            "PNG, JPEG or WebP, at most %(kb)s kB; shown at the top left of every page."
        ) % {"kb": MAX_LOGO_BYTES // 1024}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo:
            validate_logo(logo)
        return logo

    def clean_accent_colour(self):
        value = self.cleaned_data.get("accent_colour", "")
        return validate_accent_colour(value) if value else ""
