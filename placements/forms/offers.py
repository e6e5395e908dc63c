"""Forms for placement offers, offer decisions, host self-service and invitations."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from placements.academic_years import academic_year_choices, current_academic_year
from placements.models import (
    OfferDecision,
    Organisation,
    PlacementOffer,
    Site,
)
from wpl.models import AccessInvitation

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
]


class OfferForm(forms.Form):
    """A host's offer of places; choices are limited to what the person may see."""

    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"))
    programme = forms.ModelChoiceField(queryset=None, label=_("Programme"))
    academic_year = forms.ChoiceField(label=_("Academic year"))
    year = forms.IntegerField(label=_("Programme year"), min_value=1, max_value=6, initial=1)
    places = forms.IntegerField(label=_("Number of places"), min_value=1, max_value=50, initial=1)
    site = forms.ModelChoiceField(queryset=None, label=_("Site"), required=False)
    mentor = forms.ModelChoiceField(queryset=None, label=_("Mentor"), required=False)
    roles = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Professional roles the student can take up"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        label=_("Days the student works with you"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tasks = forms.CharField(
        label=_("Tasks and activities"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("What will the student do? Which activities can they learn by doing?"),
    )

    def __init__(self, *args, organisations, programmes, sites, mentors, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["programme"].queryset = programmes
        self.fields["site"].queryset = sites
        self.fields["mentor"].queryset = mentors
        self.fields["roles"].queryset = roles
        self.fields["roles"].label_from_instance = lambda r: f"{r.programme.name}: {r.name}"
        self.fields["site"].label_from_instance = lambda s: f"{s.organisation.name}: {s.name}"
        self.fields["mentor"].label_from_instance = lambda m: f"{m.organisation.name}: {m}"
        years = academic_year_choices()
        self.fields["academic_year"].choices = [(y, y) for y in years]
        self.fields["academic_year"].initial = current_academic_year()
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk

    def clean(self):
        data = super().clean()
        organisation, programme = data.get("organisation"), data.get("programme")
        if organisation:
            if data.get("site") and data["site"].organisation_id != organisation.pk:
                self.add_error("site", _("This site belongs to another organisation."))
            if data.get("mentor") and data["mentor"].organisation_id != organisation.pk:
                self.add_error("mentor", _("This mentor works at another organisation."))
        if programme:
            if any(r.programme_id != programme.pk for r in data.get("roles") or []):
                self.add_error("roles", _("Choose professional roles of the chosen programme."))
            if data.get("year") and data["year"] > max(programme.years, 1):
                self.add_error("year", _("The programme has %(n)s year(s).") % {"n": programme.years})
        return data


class OfferFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(PlacementOffer.Status.choices)
    )
    programme = forms.ModelChoiceField(
        queryset=None, label=_("Programme"), required=False, empty_label=_("All")
    )
    academic_year = forms.CharField(label=_("Academic year"), required=False, max_length=9)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=OfferDecision.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject the offer; the workplace sees it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == OfferDecision.Decision.REJECTED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason when you reject an offer."))
        return data


class HostOrganisationForm(forms.ModelForm):
    """What a workplace contact keeps up to date about their own organisation."""

    class Meta:
        model = Organisation
        fields = [
            "name",
            "sector",
            "staff_fte",
            "permanent_staff",
            "languages",
            "contact_name",
            "contact_phone",
        ]

    roles = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Professional roles your organisation can offer"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = roles
        self.fields["roles"].label_from_instance = lambda r: f"{r.programme.name}: {r.name}"
        if self.instance.pk:
            self.fields["roles"].initial = [r.pk for r in self.instance.roles.all()]


SiteFormSet = inlineformset_factory(
    Organisation,
    Site,
    fields=["name", "street", "postcode", "municipality", "region"],
    extra=1,
    can_delete=True,
)


class InvitationForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"))
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=AccessInvitation.InvitedRole.choices)
    mentor = forms.ModelChoiceField(
        queryset=None,
        label=_("Existing mentor record"),
        required=False,
        help_text=_("Optional: link the invitation to a mentor already known for this organisation."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=AccessInvitation.Purpose.choices)
    message = forms.CharField(
        label=_("Personal message"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisations, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["mentor"].queryset = mentors
        self.fields["mentor"].label_from_instance = lambda m: f"{m.organisation.name}: {m} ({m.email})"

    def clean(self):
        data = super().clean()
        mentor, organisation = data.get("mentor"), data.get("organisation")
        if mentor and organisation and mentor.organisation_id != organisation.pk:
            self.add_error("mentor", _("This mentor works at another organisation."))
        if mentor and data.get("role") != AccessInvitation.InvitedRole.MENTOR:
            self.add_error("mentor", _("Only a mentor invitation can be linked to a mentor record."))
        return data
