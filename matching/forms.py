"""Forms of the students' and workplaces' side of matching; thin, the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.forms import DateInput
from catalogue.models import Programme
from matching.algorithms import DEFERRED_ACCEPTANCE
from matching.models import CandidateRating, MatchingRound, WorkplaceVisit
from matching.selectors import MODES, OfferFilters
from workplaces.models import Region
from wpl.validators import academic_year_validator, normalise_enterprise_number

WEEKDAY_CHOICES = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)


LANGUAGE_CHOICES = [
    ("", _("Any language")),
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
]


def weekday_names(value: str) -> list[str]:
    from wpl.validators import parse_weekdays

    return [str(WEEKDAY_NAMES[str(d)]) for d in parse_weekdays(value)]


def offer_label(offer) -> str:
    place = offer.site.municipality if offer.site_id else ""
    return f"{offer.organisation.name} · {place}" if place else offer.organisation.name


class OfferFilterForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Professional roles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any region")), *Region.choices]
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Days I am available"),
        required=False,
        choices=WEEKDAY_CHOICES[:5],
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGE_CHOICES)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(str(r.pk), r.name) for r in roles]

    def filters(self) -> OfferFilters:
        """The valid part of the filters (invalid values are reported and ignored)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return OfferFilters(
            role_ids=[int(r) for r in data.get("roles") or []],
            region=data.get("region") or "",
            weekdays=[int(d) for d in data.get("weekdays") or []],
            language=data.get("language") or "",
        )


class RankingForm(forms.Form):
    """Numbered slots: choice 1 … max_choices, each an offer and a short motivation."""

    def __init__(self, *args, offers, max_choices: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {str(o.pk): o for o in offers}
        self.max_choices = max_choices
        choices = [("", _("— no choice —")), *((pk, offer_label(o)) for pk, o in self.offers.items())]
        for n in range(1, max_choices + 1):
            self.fields[f"offer_{n}"] = forms.ChoiceField(
                label=_("Choice %(n)s") % {"n": n},
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"style": "width:100%"}),
            )
            self.fields[f"motivation_{n}"] = forms.CharField(
                label=_("Why this workplace? (choice %(n)s)") % {"n": n},
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2, "style": "width:100%"}),
            )

    #: rank -> UnavailableChoice: a saved choice that closed since (shown in its slot).
    unavailable: dict = {}

    def slots(self):
        return [
            (n, self[f"offer_{n}"], self[f"motivation_{n}"], self.unavailable.get(n))
            for n in range(1, self.max_choices + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        chosen: dict[str, int] = {}
        last_filled = 0
        empty_before: int | None = None
        self.choices = []
        for n in range(1, self.max_choices + 1):
            offer_id = cleaned.get(f"offer_{n}") or ""
            motivation = cleaned.get(f"motivation_{n}") or ""
            if not offer_id:
                if motivation.strip():
                    self.add_error(f"offer_{n}", _("Choose a workplace for this motivation."))
                if empty_before is None:
                    empty_before = n
                continue
            if offer_id in chosen:
                self.add_error(
                    f"offer_{n}",
                    _("You already chose this workplace as choice %(n)s.") % {"n": chosen[offer_id]},
                )
                continue
            chosen[offer_id] = n
            last_filled = n
            self.choices.append((n, self.offers[offer_id], motivation))
        if empty_before is not None and empty_before < last_filled:
            raise forms.ValidationError(
                _("Choice %(n)s is empty: fill your choices in order, without gaps.") % {"n": empty_before},
                code="gap",
            )
        return cleaned


class VisitForm(forms.Form):
    offer = forms.ChoiceField(label=_("Workplace"))
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkplaceVisit.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {str(o.pk): o for o in offers}
        self.fields["offer"].choices = [("", "—"), *((pk, offer_label(o)) for pk, o in self.offers.items())]

    def clean_offer(self):
        return self.offers[self.cleaned_data["offer"]]


class OwnEmployerForm(forms.Form):
    organisation_name = forms.CharField(label=_("Name of your employer"), max_length=200)
    enterprise_number = forms.CharField(label=_("Enterprise number"), max_length=12, required=False)
    sector = forms.CharField(label=_("Sector"), max_length=120, required=False)
    languages = forms.CharField(
        label=_("Languages spoken at work"), max_length=100, required=False, help_text=_("e.g. nl, fr, en")
    )
    site_name = forms.CharField(label=_("Site or department"), max_length=200, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    municipality = forms.CharField(label=_("Municipality"), max_length=100)
    region = forms.ChoiceField(label=_("Region"), choices=[("", "—"), *Region.choices])
    contact_name = forms.CharField(label=_("Contact person"), max_length=150)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    weekdays = forms.MultipleChoiceField(
        label=_("Days of workplace learning"),
        required=False,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    tasks = forms.CharField(
        label=_("Tasks you would learn"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_enterprise_number(self):
        value = self.cleaned_data.get("enterprise_number", "").strip()
        return normalise_enterprise_number(value) if value else ""

    def clean_weekdays(self):
        return ",".join(sorted(self.cleaned_data.get("weekdays") or []))


class RatingsForm(forms.Form):
    """One verdict (yes / maybe / no / not rated) and optional ranking per candidate."""

    VERDICTS = [("", _("Not rated")), *CandidateRating.Verdict.choices]

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for c in candidates:
            sid = c.student.pk
            self.fields[f"verdict_{sid}"] = forms.ChoiceField(
                label=_("Verdict on %(name)s") % {"name": c.student},
                choices=self.VERDICTS,
                required=False,
                widget=forms.RadioSelect,
                initial=c.rating.verdict if c.rating else "",
            )
            self.fields[f"rank_{sid}"] = forms.IntegerField(
                label=_("Ranking of %(name)s") % {"name": c.student},
                required=False,
                min_value=1,
                max_value=999,
                initial=c.rating.rank if c.rating else None,
            )

    def rows(self):
        return [(c, self[f"verdict_{c.student.pk}"], self[f"rank_{c.student.pk}"]) for c in self.candidates]

    def clean(self):
        cleaned = super().clean()
        seen: dict[int, str] = {}
        for c in self.candidates:
            sid = c.student.pk
            verdict = cleaned.get(f"verdict_{sid}") or ""
            rank = cleaned.get(f"rank_{sid}")
            if rank is None:
                continue
            if verdict not in (CandidateRating.Verdict.YES, CandidateRating.Verdict.MAYBE):
                self.add_error(f"rank_{sid}", _("Only candidates rated yes or maybe can get a ranking."))
            elif rank in seen:
                self.add_error(
                    f"rank_{sid}",
                    _("%(name)s already has ranking %(rank)s.") % {"name": seen[rank], "rank": rank},
                )
            else:
                seen[rank] = str(c.student)
        return cleaned


class WorkplaceChangeForm(forms.Form):
    student = forms.ModelChoiceField(label=_("Student"), queryset=None)
    academic_year = forms.CharField(
        label=_("From academic year"),
        max_length=9,
        validators=[academic_year_validator],
        help_text="2027-2028",
    )
    from_organisation = forms.ModelChoiceField(label=_("Current workplace"), queryset=None)
    to_organisation = forms.ModelChoiceField(label=_("New workplace"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    agreed_by_student_at = forms.DateField(label=_("Student agreed on"), required=False, widget=DateInput())
    agreed_by_mentor_at = forms.DateField(label=_("Mentor agreed on"), required=False, widget=DateInput())
    agreed_by_supervisor_at = forms.DateField(
        label=_("Supervisor agreed on"), required=False, widget=DateInput()
    )

    def __init__(self, *args, students, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        self.fields["from_organisation"].queryset = organisations
        self.fields["to_organisation"].queryset = organisations


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
                programme=programme, year=year, academic_year=data["academic_year"], follow_up_of__isnull=True
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


class FollowUpForm(forms.Form):
    """A follow-up round for the students a published round left unplaced."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
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

    def clean(self):
        data = super().clean()
        prefs, ratings = data.get("preferences_deadline"), data.get("ratings_deadline")
        if prefs and ratings and ratings < prefs:
            self.add_error("ratings_deadline", _("Workplaces rate after the students' preferences are due."))
        return data


class PublishForm(forms.Form):
    """The coordinator confirms the problems the publish page named (`token`: what they saw)."""

    token = forms.CharField(required=False)
    confirm = forms.BooleanField(required=False)
