"""Forms of the agreements pages (validation of input only; rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Kind, Language

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class AgreementFieldsForm(forms.Form):
    representative = forms.CharField(
        label=_("Legal representative of the organisation"), required=False, max_length=200
    )
    start = forms.DateField(label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.CharField(
        label=_("Weekdays"),
        required=False,
        max_length=20,
        help_text=_("ISO numbers, e.g. 3,4 for Wednesday and Thursday"),
    )
    hours_per_week = forms.DecimalField(label=_("Hours per week"), required=False, min_value=0, max_value=60)
    total_hours = forms.DecimalField(label=_("Total hours"), required=False, min_value=0, max_value=3000)
    pay_kind = forms.ChoiceField(
        label=_("Pay"),
        choices=[("unpaid", _("Unpaid")), ("allowance", _("Learning allowance")), ("paid", _("Paid"))],
    )
    allowance = forms.DecimalField(
        label=_("Allowance per month (EUR)"), required=False, min_value=0, max_value=10000
    )
    insurer = forms.CharField(label=_("Insurer"), required=False, max_length=200)
    policy_number = forms.CharField(label=_("Policy number"), required=False, max_length=100)
    expenses = forms.CharField(label=_("Expenses borne by the workplace"), required=False, widget=TEXTAREA)
    confidentiality = forms.CharField(label=_("Confidentiality"), required=False, widget=TEXTAREA)
    sickness = forms.CharField(label=_("On sickness"), required=False, widget=TEXTAREA)
    accident = forms.CharField(label=_("On a work accident"), required=False, widget=TEXTAREA)
    semester = forms.CharField(label=_("Semester or period (plan)"), required=False, max_length=100)
    birth_date = forms.DateField(
        label=_("Student's date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needed when the programme asks a minor's legal representative to sign."),
    )
    guardian_name = forms.CharField(
        label=_("Legal representative of the minor student"), required=False, max_length=200
    )
    guardian_email = forms.EmailField(label=_("E-mail address of the legal representative"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end comes before the start."))
        return data

    def values(self) -> dict:
        """Cleaned data as the strings stored in a version's fields."""
        out = {}
        for key, value in self.cleaned_data.items():
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif value is None:
                value = ""
            elif not isinstance(value, str):
                value = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
            out[key] = value
        return out


class PlanRowForm(forms.Form):
    objective = forms.CharField(
        label=_("Competence or learning objective"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tasks = forms.CharField(
        label=_("Tasks and activities"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    period = forms.CharField(label=_("Period or semester"), required=False, max_length=100)
    evidence = forms.CharField(
        label=_("How progress will show"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


PlanRowFormSet = forms.formset_factory(PlanRowForm, extra=2, max_num=60)


class OpenForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the document"), choices=Language.choices)


class SignForm(forms.Form):
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    consent = forms.BooleanField(label=_("I agree (simple electronic signature)"), required=False)


class OutsideForm(forms.Form):
    file = forms.FileField(label=_("Signed PDF"))
    note = forms.CharField(
        label=_("How was it signed?"), max_length=200, help_text=_("e.g. on paper, with Belgian eID")
    )


class AmendForm(forms.Form):
    reason = forms.CharField(label=_("Why does the agreement change?"), widget=TEXTAREA, max_length=2000)


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Template"), widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"})
    )


class TemplateChoiceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Document"),
        choices=[(k, Kind(k).label) for k in (Kind.AGREEMENT, Kind.ANNEX, Kind.ATTENDANCE, Kind.PLAN)],
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    programme = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CertificateForm(forms.Form):
    file = forms.FileField(label=_("Certificate (PKCS#12, .p12 or .pfx)"))
    password = forms.CharField(label=_("Password of the file"), widget=forms.PasswordInput, required=False)


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("PDF to check"))


class BatchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Documents"), choices=[(Kind.AGREEMENT, Kind.AGREEMENT.label), (Kind.PLAN, Kind.PLAN.label)]
    )
    placements = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Placements"))

    def __init__(self, *args, placement_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placements"].choices = placement_choices
