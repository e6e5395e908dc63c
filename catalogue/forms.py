"""Forms of the catalogue pages: they validate input; the services write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from catalogue.models import (
    WEEKDAY_CHOICES,
    WPL_FORM_DEFAULTS,
    AcademicCalendar,
    ClassDay,
    Competence,
    CourseUnit,
    LearningLine,
    Period,
    ProfessionalRole,
    Programme,
    ProgrammeYear,
    SchoolHoliday,
    WplUnit,
)

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


DEFAULT_CHOICE = [("", _("Default of the form of WPL"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field when it has one, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


class ProgrammeForm(forms.ModelForm):
    """Programme; on creation empty share / paid / allowance take the defaults of the form of WPL."""

    workplace_share_pct = forms.IntegerField(
        label=_("Share of time at the workplace (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty for the default of the form of WPL."),
    )
    paid = forms.TypedChoiceField(label=_("Paid"), choices=DEFAULT_CHOICE + YES_NO, required=False)
    has_allowance = forms.TypedChoiceField(
        label=_("Learning allowance"), choices=DEFAULT_CHOICE + YES_NO, required=False
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "code",
            "form",
            "years",
            "workplace_share_pct",
            "paid",
            "has_allowance",
            "allowance_eur",
            "description",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        if not self.creating:
            self.fields["workplace_share_pct"].required = True
            self.fields["workplace_share_pct"].help_text = ""
            for name in ("paid", "has_allowance"):
                self.fields[name].choices = YES_NO
                self.fields[name].required = True
                self.initial[name] = "yes" if getattr(self.instance, name) else "no"

    def clean(self):
        data = super().clean()
        defaults = WPL_FORM_DEFAULTS.get(data.get("form") or "")
        for name in ("paid", "has_allowance"):
            data[name] = _yes_no(data.get(name) or "")
        if self.creating and defaults is not None:
            if data.get("workplace_share_pct") is None and "workplace_share_pct" not in self.errors:
                data["workplace_share_pct"] = defaults.workplace_share_pct
            if data.get("paid") is None:
                data["paid"] = defaults.paid
            if data.get("has_allowance") is None:
                data["has_allowance"] = defaults.allowance
        for name in ("workplace_share_pct", "paid", "has_allowance"):
            if data.get(name) is None and name not in self.errors:
                data[name] = getattr(self.instance, name)
        return data

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProgrammeChildForm(forms.ModelForm):
    """A form for a row of one programme: the programme is set on the instance, not chosen."""

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.instance.programme = programme

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class ProgrammeYearForm(ProgrammeChildForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("WPL weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ProgrammeYear
        fields = ["year", "weekdays", "hours_per_day", "required_hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["weekdays"] = self.instance.weekdays

    def clean(self):
        data = super().clean()
        self.instance.wpl_weekdays = ",".join(str(d) for d in sorted(set(data.get("weekdays") or [])))
        return data

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["wpl_weekdays"] = data.pop("weekdays", [])
        return data


class PeriodForm(ProgrammeChildForm):
    class Meta:
        model = Period
        fields = ["kind", "ordinal", "name", "phase", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}


class RoleForm(ProgrammeChildForm):
    class Meta:
        model = ProfessionalRole
        fields = ["name", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class LearningLineForm(ProgrammeChildForm):
    class Meta:
        model = LearningLine
        fields = ["name", "order"]


class CourseUnitForm(ProgrammeChildForm):
    # Related fields are declared so no queryset is built outside a tenant (at import).
    learning_line = forms.ModelChoiceField(queryset=None, required=False, label=_("Learning line"))
    period = forms.ModelChoiceField(queryset=None, required=False, label=_("Period"))

    class Meta:
        model = CourseUnit
        fields = ["name", "learning_line", "year", "credits", "period"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learning_line"].queryset = LearningLine.objects.filter(programme=self.programme)
        self.fields["period"].queryset = Period.objects.filter(programme=self.programme)


class CompetenceForm(ProgrammeChildForm):
    role = forms.ModelChoiceField(queryset=None, required=False, label=_("Professional role"))
    central_in = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Central in"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Competence
        fields = ["code", "name", "description", "role", "central_in", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = ProfessionalRole.objects.filter(programme=self.programme)
        self.fields["central_in"].queryset = Period.objects.filter(programme=self.programme)
        self.fields["central_in"].help_text = _(
            "The periods (semesters) in which this competence is central."
        )


def parse_objectives(text: str) -> list[tuple[str, str]]:
    """One objective per line; a line "# Heading" groups the following objectives under it."""
    objectives, setting = [], ""
    for raw in text.splitlines():
        line = raw.strip().lstrip("•-*").strip() if not raw.strip().startswith("#") else raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            setting = line.lstrip("#").strip()
            continue
        objectives.append((setting, line))
    return objectives


def format_objectives(objectives) -> str:
    lines, setting = [], ""
    for objective in objectives:
        if objective.setting != setting:
            setting = objective.setting
            lines.append(f"# {setting}" if setting else "#")
        lines.append(objective.text)
    return "\n".join(lines)


class WplUnitForm(ProgrammeChildForm):
    periods = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Periods"), widget=forms.CheckboxSelectMultiple
    )
    objectives = forms.CharField(
        label=_("Learning objectives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One objective per line. A line starting with # groups the next objectives under a heading."
        ),
    )

    class Meta:
        model = WplUnit
        fields = [
            "name",
            "phase",
            "required_days",
            "required_hours",
            "periods",
            "group_size",
            "rotation",
            "description",
            "objectives",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["periods"].queryset = Period.objects.filter(programme=self.programme)
        if self.instance.pk:
            self.initial["objectives"] = format_objectives(self.instance.objectives.order_by("order", "id"))

    def clean_objectives(self):
        objectives = parse_objectives(self.cleaned_data.get("objectives") or "")
        if len(objectives) > 100:
            raise ValidationError(_("At most 100 learning objectives."))
        return objectives


class CalendarForm(forms.ModelForm):
    class Meta:
        model = AcademicCalendar
        fields = ["academic_year", "wpl_start", "wpl_end", "notes"]
        widgets = {
            "wpl_start": DateInput(),
            "wpl_end": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"academic_year": _("e.g. 2026-2027")}

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class CalendarChildForm(forms.ModelForm):
    def __init__(self, *args, calendar: AcademicCalendar, **kwargs):
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        self.instance.calendar = calendar

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ClassDayForm(CalendarChildForm):
    programme = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Programme"),
        help_text=_("Empty: a class day for every programme."),
    )

    class Meta:
        model = ClassDay
        fields = ["date", "programme", "year", "description"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.all()
        self.fields["programme"].empty_label = _("All programmes")


class SchoolHolidayForm(CalendarChildForm):
    class Meta:
        model = SchoolHoliday
        fields = ["name", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}
