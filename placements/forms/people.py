"""Forms of the people pages (students, imports): they validate input; the services write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from placements.models import Programme, Student
from placements.services.people import STUDENT_FIELDS
from wpl.models import Membership


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields: on the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class StudentForm(forms.ModelForm):
    # Declared so the queryset is built per request (scoped), never at import time.
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None)

    class Meta:
        model = Student
        fields = list(STUDENT_FIELDS)
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.visible_to(membership).order_by("name")
        self.fields["year"].min_value = 1
        self.fields["year"].widget.attrs.update({"min": 1, "max": 10})

    def clean_student_number(self) -> str:
        return self.cleaned_data["student_number"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()


class StudentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        required=False,
        queryset=None,
        empty_label=_("All programmes"),
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("Name, number or e-mail")})
        self.fields["year"].choices = [("", _("All years"))] + [(str(y), str(y)) for y in range(1, 7)]

    def filters(self) -> dict:
        """Valid filters only: a bad value is ignored, never a server error."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: data[key] for key in ("q", "programme", "year") if data.get(key) not in (None, "")}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (separated by ; or ,) in UTF-8, or Excel .xlsx. The first row holds the column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class ImportConfirmForm(forms.Form):
    only_valid = forms.BooleanField(required=False)
