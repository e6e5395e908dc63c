"""Forms of the people pages (students, imports): they validate input; the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Programme
from students.models import Student
from students.services import STUDENT_FIELDS
from wpl.models import Membership


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
    signed_in = forms.ChoiceField(
        label=_("Signed in"),
        required=False,
        choices=[("", _("Everyone")), ("no", _("Not signed in yet")), ("yes", _("Has signed in"))],
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"placeholder": _("Name, number or e-mail")})
        self.fields["year"].choices = [("", _("All years"))] + [(str(y), str(y)) for y in range(1, 7)]

    def filters(self) -> dict:
        """Valid filters only: a bad value is ignored, never a server error."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        keys = ("q", "programme", "year", "signed_in")
        return {key: data[key] for key in keys if data.get(key) not in (None, "")}
