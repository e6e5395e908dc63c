"""Forms of the matching area; they validate input, the services do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from placements.matching import DEFERRED_ACCEPTANCE
from placements.models import MatchingRound, Programme
from placements.models.placements import academic_year_validator
from placements.selectors.matching import MODES


class RoundForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.all_tenants.none())
    year = forms.IntegerField(label=_("Programme year"), min_value=1, max_value=6, initial=1)
    academic_year = forms.CharField(
        label=_("Academic year"),
        max_length=9,
        validators=[academic_year_validator],
        help_text=_("e.g. 2026-2027"),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    preferences_deadline = forms.DateTimeField(
        label=_("Students' preferences due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ratings_deadline = forms.DateTimeField(
        label=_("Workplaces' ratings due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    max_choices = forms.IntegerField(
        label=_("Maximum choices per student"), min_value=1, max_value=50, initial=5
    )

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programmes is not None:
            self.fields["programme"].queryset = programmes

    def clean(self):
        data = super().clean()
        programme, year = data.get("programme"), data.get("year")
        if programme and year and year > programme.years:
            self.add_error("year", _("This programme has only %(n)s year(s).") % {"n": programme.years})
        prefs, ratings = data.get("preferences_deadline"), data.get("ratings_deadline")
        if prefs and ratings and ratings < prefs:
            self.add_error("ratings_deadline", _("Workplaces rate after the students' preferences are due."))
        if programme and year and data.get("academic_year"):
            exists = MatchingRound.objects.filter(
                programme=programme, year=year, academic_year=data["academic_year"]
            ).exists()
            if exists:
                raise forms.ValidationError(
                    _("There already is a round for this programme, year and academic year.")
                )
        return data


class ProposeForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Method"), choices=list(MODES.items()), initial=DEFERRED_ACCEPTANCE, widget=forms.RadioSelect
    )
    seed = forms.IntegerField(
        label=_("Lottery seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("Leave empty for a new random draw; enter a recorded seed to reproduce a result."),
    )


class AssignForm(forms.Form):
    """One board action; `expected` is the offer the coordinator saw (empty = unassigned)."""

    student = forms.IntegerField(min_value=1)
    offer = forms.IntegerField(min_value=1, required=False)
    expected = forms.CharField(required=False)
    locked = forms.CharField(required=False)

    def clean_expected(self):
        value = (self.cleaned_data.get("expected") or "").strip()
        if value in ("", "none"):
            return None
        if not value.isdigit():
            raise forms.ValidationError(_("Reload the board and try again."))
        return int(value)

    def clean_locked(self):
        return (self.cleaned_data.get("locked") or "").strip() in ("1", "true", "on", "yes")


class SupervisorForm(forms.Form):
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=None, required=False)

    def __init__(self, *args, supervisors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
