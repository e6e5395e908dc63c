"""Forms of the meetings area; dates and times are entered in Europe/Brussels."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import Kind, Participant

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
KINDS = [(k.value, k.label) for k in Kind if k not in (Kind.MENTOR_DAY, Kind.MATCHING_SESSION)]


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


ERROR_KEYS = ("required", "min_value", "max_value", "invalid")


class MeetingTypesForm(forms.Form):
    """A programme's meetings per school year: how many of each kind and how long they last."""

    NUMBER_ERROR = _("Give a number from 0 to 20.")
    DURATION_ERROR = _("Give a duration from 15 to 600 minutes.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in KINDS:
            self.fields[f"{value}_required"] = forms.IntegerField(
                label=_("%(kind)s: required per school year") % {"kind": label},
                min_value=0,
                max_value=20,
                error_messages=dict.fromkeys(
                    ("required", "min_value", "max_value", "invalid"), self.NUMBER_ERROR
                ),
            )
            self.fields[f"{value}_duration"] = forms.IntegerField(
                label=_("%(kind)s: duration (minutes)") % {"kind": label},
                min_value=15,
                max_value=600,
                error_messages=dict.fromkeys(
                    ("required", "min_value", "max_value", "invalid"), self.DURATION_ERROR
                ),
            )

    @staticmethod
    def base_kinds():
        return KINDS

    def clean(self):
        data = super().clean()
        if all(data.get(f"{k}_required") == 0 for k, _label in KINDS):
            raise forms.ValidationError(_("A programme needs at least one meeting per school year."))
        return data

    def values(self) -> dict[str, tuple[int, int]]:
        return {
            k: (self.cleaned_data[f"{k}_required"], self.cleaned_data[f"{k}_duration"]) for k, _l in KINDS
        }


class MentorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.first_name} {obj.last_name} · {obj.organisation.name}"


class MentorDayForm(forms.Form):
    """The mentor start day (10:00-16:00 in the guide) with its matching session."""

    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Mentor start day"))
    starts_at = forms.DateTimeField(label=_("Start"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("End"), widget=DATETIME_WIDGET)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    session_starts_at = forms.DateTimeField(
        label=_("Matching session: start"), widget=DATETIME_WIDGET, required=False
    )
    session_ends_at = forms.DateTimeField(
        label=_("Matching session: end"), widget=DATETIME_WIDGET, required=False
    )
    mentors = MentorChoiceField(
        label=_("Mentors to invite"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    all_mentors = forms.BooleanField(label=_("Invite every mentor in the list"), required=False)

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentors"].queryset = mentors
        self.fields["mentors"].error_messages["invalid_choice"] = _("Choose mentors from the list.")

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must come after the start."))
        s_start, s_end = data.get("session_starts_at"), data.get("session_ends_at")
        if bool(s_start) != bool(s_end):
            self.add_error("session_ends_at", _("Give both the start and the end of the matching session."))
        elif s_start and s_end:
            if s_end <= s_start:
                self.add_error("session_ends_at", _("The end must come after the start."))
            elif start and end and (s_start < start or s_end > end):
                self.add_error("session_starts_at", _("The matching session must fall within the start day."))
        if not data.get("all_mentors") and not data.get("mentors"):
            self.add_error("mentors", _("Choose at least one mentor to invite."))
        return data

    def chosen(self):
        if self.cleaned_data.get("all_mentors"):
            return self.fields["mentors"].queryset
        return self.cleaned_data["mentors"]


class InviteMentorsForm(forms.Form):
    mentors = MentorChoiceField(
        label=_("Mentors to invite"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentors"].queryset = mentors
        self.fields["mentors"].error_messages.update(
            {
                "required": _("Choose at least one mentor to invite."),
                "invalid_choice": _("Choose mentors from the list."),
            }
        )
