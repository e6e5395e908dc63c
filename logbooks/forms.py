"""Forms of the logbook. Choices that point at tenant-owned rows are set in __init__."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from logbooks.models import Absence, Entry, LogbookSettings

STARR_PROMPTS = [
    _("Situation: where and when?"),
    _("Task: what was expected of you?"),
    _("Action: what did you do?"),
    _("Result: what came of it?"),
    _("Reflection: what do you take with you?"),
]


def ISODateInput() -> forms.DateInput:  # noqa: N802 - reads like the widget class it returns
    """<input type=date> needs its value as YYYY-MM-DD, whatever the locale's date format."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(forms.Form):
    """The day's entry; the student's text is kept in the form when a rule refuses it."""

    date = forms.DateField(label=_("Date"), widget=ISODateInput())
    # Text, so "7,5" and "7.5" both work; the service checks the number and says why.
    hours = forms.CharField(
        label=_("Hours"), required=False, max_length=6, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    start_time = forms.TimeField(
        label=_("Start"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(label=_("End"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    break_minutes = forms.IntegerField(label=_("Break (minutes)"), required=False, min_value=0, max_value=600)
    site = forms.TypedChoiceField(label=_("Site"), required=False, coerce=int, empty_value=None)
    activities = forms.CharField(
        label=_("What did you do today?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    objectives = forms.TypedMultipleChoiceField(
        label=_("Learning objectives"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    competences = forms.TypedMultipleChoiceField(
        label=_("Competences"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    roles = forms.TypedMultipleChoiceField(
        label=_("Professional roles"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    reflection_kind = forms.ChoiceField(
        label=_("Reflection"), choices=Entry.ReflectionKind.choices, initial=Entry.ReflectionKind.FREE
    )
    reflection = forms.CharField(
        label=_("Reflection (optional)"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "—")] + [(s.pk, s.name) for s in choices["sites"]]
        self.fields["objectives"].choices = [(o.pk, o.text[:120]) for o in choices["objectives"]]
        self.fields["competences"].choices = [
            (c.pk, f"{c.code} {c.name}".strip()[:120]) for c in choices["competences"]
        ]
        self.fields["roles"].choices = [(r.pk, r.name) for r in choices["roles"]]
        for name in ("objectives", "competences", "roles", "site"):
            if not self.fields[name].choices or self.fields[name].choices == [("", "—")]:
                self.fields[name].widget = (
                    forms.MultipleHiddenInput() if name != "site" else forms.HiddenInput()
                )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AbsenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Absence.Kind.choices)
    start_date = forms.DateField(label=_("First day"), widget=ISODateInput())
    end_date = forms.DateField(label=_("Last day"), widget=ISODateInput())
    hours_per_day = forms.DecimalField(
        label=_("Part day: hours missed per day"),
        required=False,
        max_digits=4,
        decimal_places=2,
        min_value=0.25,
        max_value=24,
        help_text=_("Leave empty for whole days."),
    )
    reason = forms.CharField(
        label=_("Reason (other absence only)"),
        required=False,
        max_length=200,
        help_text=_("Never write a diagnosis."),
    )
    sick_note = forms.FileField(
        label=_("Sick note (PDF, JPEG or PNG, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class SickNoteForm(forms.Form):
    sick_note = forms.FileField(
        label=_("Sick note (PDF, JPEG or PNG, at most 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class IncidentForm(forms.Form):
    date = forms.DateField(label=_("Date of the accident"), widget=ISODateInput())
    description = forms.CharField(
        label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class LogbookSettingsForm(forms.ModelForm):
    class Meta:
        model = LogbookSettings
        fields = [
            "only_inside_placement",
            "allow_future",
            "full_day_min_hours",
            "day_max_hours",
            "sunday_holiday_factor",
            "flag_outside_weekdays",
            "flag_school_holidays",
            "behind_threshold_percent",
            "not_logged_wpl_days",
            "review_backlog_days",
        ]


class InsuranceForm(forms.Form):
    """The school's work-accident insurance: for every programme, or one programme's own."""

    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=None,
        required=False,
        empty_label=_("Every programme"),
        help_text=_("Empty: for every programme that has no insurance of its own."),
    )
    insurer = forms.CharField(label=_("Insurer"), max_length=200)
    policy_number = forms.CharField(label=_("Policy number"), max_length=100)
    contact = forms.CharField(label=_("Contact for claims"), max_length=200, required=False)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["programme"].error_messages["invalid_choice"] = _("Choose a programme from the list.")
        for name in ("insurer", "policy_number"):
            self.fields[name].error_messages["required"] = _("Fill in the insurer and the policy number.")
