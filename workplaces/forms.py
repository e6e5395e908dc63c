"""Forms for workplaces: organisation, site, mentor, capacity, approval and criteria."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from workplaces.criteria import RULE_CHOICES, RULE_PARAMS, RULES, WEEKDAY_NAMES, clean_params
from workplaces.models import (
    AccessInvitation,
    Mentor,
    OfferDecision,
    Organisation,
    PlacementOffer,
    Region,
    Site,
    WorkplaceApproval,
    WorkplaceCriterion,
)
from workplaces.services import ORGANISATION_FIELDS
from wpl.academic_years import academic_year_choices, current_academic_year
from wpl.validators import (
    YEARS_ORDER_MESSAGE,
    academic_year_validator,
    format_weekdays,
    normalise_enterprise_number,
    parse_weekdays,
)

UNKNOWN_YES_NO = [("unknown", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]


class UnknownYesNoSelect(forms.NullBooleanSelect):
    """Yes / No / Unknown, for facts a workplace may not have told us yet."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = UNKNOWN_YES_NO


def region_for_postcode(postcode: str) -> str | None:
    """The Belgian region of a 4-digit postcode (None when it is not one)."""
    code = (postcode or "").strip()
    if len(code) != 4 or not code.isdigit():
        return None
    number = int(code)
    if 1000 <= number <= 1299:
        return Region.BRUSSELS
    if 1300 <= number <= 1499 or 4000 <= number <= 7999:
        return Region.WALLONIA
    if 1500 <= number <= 3999 or 8000 <= number <= 9999:
        return Region.FLANDERS
    return None


class OrganisationForm(forms.ModelForm):
    roles = forms.ModelMultipleChoiceField(
        label=_("Professional roles its activities fit"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        widgets = {
            "learning_by_doing": UnknownYesNoSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "enterprise_number": forms.TextInput(attrs={"placeholder": "0123.456.789", "inputmode": "text"}),
        }
        help_texts = {
            "enterprise_number": _("Optional. Belgian KBO number, e.g. 0123.456.789 or BE0123456789."),
            "commits_years": _("How many school years the organisation commits to host a student."),
        }

    def __init__(self, *args, role_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = role_queryset
        self.fields["roles"].label_from_instance = lambda r: f"{r.programme} · {r.name}"
        if self.instance.pk:
            self.initial["roles"] = [r.pk for r in self.instance.roles.all()]
        self.fields["staff_fte"].widget.attrs.update(min="0", step="0.1")

    def clean_enterprise_number(self) -> str:
        value = (self.cleaned_data.get("enterprise_number") or "").strip()
        return normalise_enterprise_number(value) if value else ""

    def clean(self):
        data = super().clean()
        fte, permanent = data.get("staff_fte"), data.get("permanent_staff")
        if fte is not None and fte < 0:
            self.add_error("staff_fte", _("This cannot be negative."))
        if permanent and fte is not None and fte == 0:
            self.add_error("staff_fte", _("With permanent staff the staff in FTE cannot be 0."))
        return data


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "street", "postcode", "municipality", "region"]
        help_texts = {"region": _("Filled in from a Belgian postcode when left empty.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].required = False
        self.fields["postcode"].widget.attrs.update(inputmode="numeric", autocomplete="postal-code")

    def clean(self):
        data = super().clean()
        inferred = region_for_postcode(data.get("postcode", ""))
        region = data.get("region")
        if not region:
            if inferred is None:
                self.add_error("region", _("Choose the region."))
            else:
                data["region"] = inferred
        elif (
            inferred is not None
            and region in (Region.BRUSSELS, Region.FLANDERS, Region.WALLONIA)
            and region != inferred
        ):
            self.add_error(
                "region",
                _("Postcode %(postcode)s is in the %(region)s.")
                % {"postcode": data.get("postcode"), "region": Region(inferred).label},
            )
        return data


class MentorForm(forms.ModelForm):
    reachable_weekdays = forms.TypedMultipleChoiceField(
        label=_("Reachable on"),
        choices=list(WEEKDAY_NAMES.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Mentor
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "function",
            "is_social_worker",
            "years_at_organisation",
            "years_in_sector",
            "reachable_weekdays",
            "attended_start_day",
            "trained",
        ]
        widgets = {"is_social_worker": UnknownYesNoSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["reachable_weekdays"] = parse_weekdays(self.instance.reachable_weekdays)
        for name in ("years_at_organisation", "years_in_sector"):
            self.fields[name].widget.attrs.update(min="0", max="60", step="0.5")

    def clean_reachable_weekdays(self) -> str:
        return format_weekdays(self.cleaned_data.get("reachable_weekdays") or [])

    def clean(self):
        data = super().clean()
        at_org, in_sector = data.get("years_at_organisation"), data.get("years_in_sector")
        for name, value in (("years_at_organisation", at_org), ("years_in_sector", in_sector)):
            if value is not None and value < 0:
                self.add_error(name, _("Years cannot be negative."))
            elif value is not None and value > 60:
                self.add_error(name, _("That is more than a working life; please check the number of years."))
        if (
            at_org is not None
            and in_sector is not None
            and at_org >= 0
            and in_sector >= 0
            and at_org > in_sector
            and not self.has_error("years_at_organisation")
        ):
            self.add_error(
                "years_at_organisation",
                YEARS_ORDER_MESSAGE,
            )
        return data


class CapacityForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None)
    year = forms.IntegerField(label=_("Programme year"), min_value=1, max_value=10, initial=1)
    places = forms.IntegerField(
        label=_("Places"), min_value=0, max_value=500, initial=1, help_text=_("0 removes the capacity.")
    )

    def __init__(self, *args, programme_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programme_queryset

    def clean(self):
        data = super().clean()
        programme, year = data.get("programme"), data.get("year")
        if programme and year and year > programme.years:
            self.add_error(
                "year",
                _("%(programme)s has years 1 to %(years)s.")
                % {"programme": programme, "years": programme.years},
            )
        return data


class ApprovalForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None)
    academic_year = forms.CharField(
        label=_("Academic year"), max_length=9, validators=[academic_year_validator], help_text="2026-2027"
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=WorkplaceApproval.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when you reject the workplace, or approve it while it does not meet every "
            "criterion or some are unknown."
        ),
    )

    def __init__(self, *args, programme_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programme_queryset

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == WorkplaceApproval.Decision.REJECTED
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason when you reject a workplace."))
        return data


def _param_field(key: str) -> forms.Field:
    """The form field of one rule parameter (see `placements.criteria.RULE_PARAMS`)."""
    weekday_choices = [(str(n), label) for n, label in WEEKDAY_NAMES.items()]
    fields = {
        "regions": lambda: forms.MultipleChoiceField(
            label=_("Regions"), required=False, choices=Region.choices, widget=forms.CheckboxSelectMultiple
        ),
        "municipalities": lambda: forms.CharField(
            label=_("Municipalities"), required=False, help_text=_("Separate them with commas.")
        ),
        "postcodes": lambda: forms.CharField(
            label=_("Postcodes"), required=False, help_text=_("Separate them with commas.")
        ),
        "years": lambda: forms.IntegerField(label=_("School years"), required=False, min_value=1),
        "count": lambda: forms.IntegerField(label=_("Number"), required=False, min_value=0),
        "fte": lambda: forms.DecimalField(label=_("FTE"), required=False, min_value=0, decimal_places=2),
        "days": lambda: forms.IntegerField(label=_("Number of days"), required=False, min_value=1),
        "weekdays": lambda: forms.MultipleChoiceField(
            label=_("WPL weekdays"),
            required=False,
            choices=weekday_choices,
            widget=forms.CheckboxSelectMultiple,
        ),
        "social_worker": lambda: forms.BooleanField(label=_("Works as a social worker"), required=False),
        "min_years_at_organisation": lambda: forms.DecimalField(
            label=_("Years at the organisation, at least"), required=False, min_value=0, decimal_places=1
        ),
        "min_years_in_sector": lambda: forms.DecimalField(
            label=_("Years in the sector, at least"), required=False, min_value=0, decimal_places=1
        ),
    }
    return fields[key]()


#: Settings a rule cannot do without (the others have a default or are optional).
REQUIRED_PARAMS = {
    "commits_years_at_least": ("years",),
    "roles_at_least": ("count",),
    "permanent_staff_at_least": ("count",),
    "fte_at_least": ("fte",),
    "mentor_reachable_days_at_least": ("days", "weekdays"),
}


def _param_value(key: str, value):
    """A form value as the rule's parameter (lists, whole numbers, numbers)."""
    if key in ("municipalities", "postcodes"):
        return [v.strip() for v in (value or "").split(",") if v.strip()]
    if key == "regions":
        return list(value or [])
    if key == "weekdays":
        return [int(v) for v in value or []]
    if key in ("fte", "min_years_at_organisation", "min_years_in_sector"):
        return None if value is None else float(value)
    return value


class CriterionForm(forms.ModelForm):
    """A criterion: the rule, then that rule's own settings (no JSON to type).

    Every rule's settings are fields named `<rule>__<parameter>`; the template shows each
    rule as a choice with its settings under it, and only the chosen rule's are used.
    """

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None)
    kind = forms.ChoiceField(label=_("Rule"), choices=RULE_CHOICES, widget=forms.RadioSelect)

    class Meta:
        model = WorkplaceCriterion
        fields = ["programme", "order", "label", "kind", "is_preference"]

    def __init__(self, *args, programme_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programme_queryset
        for kind, keys in RULE_PARAMS.items():
            for key in keys:
                self.fields[f"{kind}__{key}"] = _param_field(key)
        if not self.is_bound and self.instance.pk:
            for key, value in (self.instance.params or {}).items():
                name = f"{self.instance.kind}__{key}"
                if name not in self.fields:
                    continue
                if key in ("municipalities", "postcodes"):
                    value = ", ".join(value or [])
                elif key == "weekdays":
                    value = [str(v) for v in value or []]
                self.initial[name] = value

    def _post_clean(self):
        # The model checks `params` again; it is no form field, so give it the cleaned value,
        # and skip the model's checks when the form already found errors.
        if self._errors:
            return
        self.instance.params = self.cleaned_data.get("params", {})
        super()._post_clean()

    def main_fields(self):
        return [self[name] for name in ("programme", "order", "label", "is_preference")]

    def rule_choices(self):
        """(kind, label, help, radio widget, [bound parameter fields]) for the template."""
        radios = {str(r.data["value"]): r for r in self["kind"]}
        return [
            (kind, rule.label, rule.help, radios[kind], [self[f"{kind}__{key}"] for key in RULE_PARAMS[kind]])
            for kind, rule in RULES.items()
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        params = {}
        missing = False
        for key in RULE_PARAMS.get(kind, ()):
            value = _param_value(key, data.get(f"{kind}__{key}"))
            if value not in (None, [], ""):
                params[key] = value
            elif key in REQUIRED_PARAMS.get(kind, ()) and not self.has_error(f"{kind}__{key}"):
                self.add_error(f"{kind}__{key}", _("Fill this in for this rule."))
                missing = True
        if missing:
            return data
        if kind == "mentor_profile":
            params["social_worker"] = bool(data.get(f"{kind}__social_worker"))
        try:
            data["params"] = clean_params(kind, params)
        except ValidationError as exc:
            keys = RULE_PARAMS.get(kind, ())
            target = f"{kind}__{keys[0]}" if keys else "kind"
            for message in exc.message_dict.get("params", exc.messages):
                self.add_error(target, message)
        return data


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
