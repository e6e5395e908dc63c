"""Forms of the meetings area; dates and times are entered in Europe/Brussels."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import Kind, Participant

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
KINDS = [(k.value, k.label) for k in Kind if k != Kind.MENTOR_DAY]


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME_WIDGET)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New date and time"), widget=DATETIME_WIDGET)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (Participant.Response.ACCEPTED, _("I accept")),
            (Participant.Response.DECLINED, _("I decline")),
            (Participant.Response.PROPOSED, _("I propose another time")),
        ],
        widget=forms.RadioSelect,
    )
    proposed_start = forms.DateTimeField(
        label=_("Proposed date and time"), widget=DATETIME_WIDGET, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("response") == Participant.Response.PROPOSED and not data.get("proposed_start"):
            self.add_error("proposed_start", _("Enter the date and time you propose."))
        return data


class MinutesForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    opens_plan_revision = forms.BooleanField(
        label=_("This meeting opens a revision of the learning plan"), required=False
    )

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.pk, p.name) for p in participants]
        self.fields["attended"] = forms.TypedMultipleChoiceField(
            label=_("Present"),
            choices=choices,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        owners = [("", "—")] + [(p.user_id, p.name) for p in participants if p.user_id]
        for i in range(3):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("Agreed action"), max_length=300, required=False
            )
            self.fields[f"owner_{i}"] = forms.TypedChoiceField(
                label=_("Owner"), choices=owners, coerce=int, empty_value=None, required=False
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def clean(self):
        data = super().clean()
        for i in range(3):
            if data.get(f"action_{i}") and not data.get(f"due_{i}"):
                self.add_error(f"due_{i}", _("Give the action a due date."))
        return data

    def actions(self, users: dict) -> list:
        out = []
        for i in range(3):
            text = self.cleaned_data.get(f"action_{i}")
            if text:
                out.append(
                    (text, users.get(self.cleaned_data.get(f"owner_{i}")), self.cleaned_data[f"due_{i}"])
                )
        return out
