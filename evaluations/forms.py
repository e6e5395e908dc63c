"""Forms of the evaluations area (input only: the rules are in services)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from evaluations.models import Reveal, tr
from wpl.validators import academic_year_validator


class RubricCreateForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None)
    wpl_unit = forms.ModelChoiceField(
        label=_("WPL unit"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for a rubric of the whole programme."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    document = forms.FileField(
        label=_("Import a rubric (JSON)"),
        required=False,
        help_text=_(
            "A file exported from a rubric; leave empty to start from the programme's roles and objectives."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        from catalogue.models import Programme, WplUnit

        self.fields["programme"].queryset = Programme.objects.visible_to(membership)
        self.fields["wpl_unit"].queryset = WplUnit.objects.visible_to(membership).select_related("programme")


class RubricJsonForm(forms.Form):
    document = forms.CharField(
        label=_("The rubric as JSON"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        max_length=500_000,
    )


class PhrasesForm(forms.Form):
    """The comment bank: one text area per language (a mentor sees the phrases of the
    language they use the platform in, Dutch when there are none)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for lang, name in (("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))):
            self.fields[f"phrases_{lang}"] = forms.CharField(
                label=_("Comment bank in %(language)s (one phrase per line)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
                max_length=100_000,
            )

    @staticmethod
    def initial_for(phrases) -> dict:
        initial = {"phrases_nl": [], "phrases_fr": [], "phrases_en": []}
        for p in phrases:
            initial.setdefault(f"phrases_{p.language}", []).append(p.text)
        return {k: "\n".join(v) for k, v in initial.items()}

    def by_language(self) -> dict[str, list[str]]:
        return {lang: self.cleaned_data[f"phrases_{lang}"].splitlines() for lang in ("nl", "fr", "en")}


class OpenMomentForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None)
    moment = forms.CharField(label=_("Moment (key, e.g. final)"), max_length=40)
    academic_year = forms.CharField(
        label=_("Academic year"), max_length=9, validators=[academic_year_validator]
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        from catalogue.models import Programme

        self.fields["programme"].queryset = Programme.objects.visible_to(membership)


KEY_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    _("Use letters, digits, - and _ only, no spaces (e.g. final)."),
)
LANGUAGE_NAMES = (("nl", _("Dutch")), ("fr", _("French")), ("en", _("English")))


class _LabelledRowForm(forms.Form):
    """One row (a moment or another agreement): a key and a name per language.

    A row left empty is skipped (that is how a row is removed); a filled row needs its key
    and its Dutch name, French and English are optional (Dutch is shown when missing).
    """

    label_max = 100

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"] = forms.CharField(
            label=_("Key"),
            max_length=40,
            required=False,
            validators=[KEY_VALIDATOR],
            help_text=_("Short and fixed (e.g. final); the name may change later."),
        )
        for lang, name in LANGUAGE_NAMES:
            self.fields[f"label_{lang}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": name},
                max_length=self.label_max,
                required=False,
            )
        self.order_fields(["key", "label_nl", "label_fr", "label_en"])

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("key", "label_nl", "label_fr", "label_en"))

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if not data.get("key") and "key" not in self.errors:
            self.add_error("key", _("Give this row a key."))
        if not (data.get("label_nl") or "").strip() and "label_nl" not in self.errors:
            self.add_error("label_nl", _("Give this row a Dutch name."))
        return data

    def label(self) -> dict:
        data = self.cleaned_data
        return {
            lang: data[f"label_{lang}"].strip()
            for lang, _name in LANGUAGE_NAMES
            if data[f"label_{lang}"].strip()
        }

    @staticmethod
    def initial_label(label) -> dict:
        label = label if isinstance(label, dict) else {"nl": str(label or "")}
        return {f"label_{lang}": label.get(lang, "") for lang, _name in LANGUAGE_NAMES}


class MomentForm(_LabelledRowForm):
    scored = forms.BooleanField(label=_("Gets a score"), required=False)

    def row(self) -> dict:
        return {"key": self.cleaned_data["key"], "label": self.label(), "scored": self.cleaned_data["scored"]}


class ComponentForm(_LabelledRowForm):
    label_max = 150
    share_pct = forms.IntegerField(label=_("Share (%)"), min_value=0, max_value=100, required=False)

    def clean(self):
        data = super().clean()
        if not self.is_blank() and data.get("share_pct") is None and "share_pct" not in self.errors:
            self.add_error("share_pct", _("Give the share from 0 to 100."))
        return data

    def row(self) -> dict:
        return {
            "key": self.cleaned_data["key"],
            "label": self.label(),
            "share_pct": self.cleaned_data["share_pct"],
        }


class _RowFormSet(forms.BaseFormSet):
    """Rows with unique keys; empty rows are left out of `rows()`."""

    def _construct_form(self, i, **kwargs):
        # Every posted row is read, also one equal to the page's initial rows (Django skips
        # "unchanged" extra rows, which would drop a row typed as it was).
        kwargs["empty_permitted"] = False
        return super()._construct_form(i, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        keys = [f.cleaned_data["key"] for f in self.forms if not f.is_blank()]
        if len(set(keys)) != len(keys):
            raise forms.ValidationError(_("Every key may appear only once."))

    def rows(self) -> list[dict]:
        return [f.row() for f in self.forms if not f.is_blank()]


MomentFormSet = forms.formset_factory(MomentForm, formset=_RowFormSet, extra=1, max_num=12, validate_max=True)
ComponentFormSet = forms.formset_factory(
    ComponentForm, formset=_RowFormSet, extra=1, max_num=12, validate_max=True
)


class SettingsForm(forms.Form):
    """Who sees what when and the score procedure; the moments and the other agreements are
    the rows of `MomentFormSet` and `ComponentFormSet` on the same page."""

    student_sees_mentor = forms.ChoiceField(
        label=_("The student sees the mentor's assessment"), choices=Reveal.choices
    )
    mentor_sees_student = forms.ChoiceField(
        label=_("The mentor sees the student's self-evaluation"), choices=Reveal.choices
    )
    max_score = forms.DecimalField(label=_("Score out of"), min_value=1, max_value=1000, decimal_places=2)
    rubric_share_pct = forms.IntegerField(
        label=_("Share of the rubric in the score (%)"), min_value=0, max_value=100
    )

    @staticmethod
    def initial_for(row) -> dict:
        return {
            "student_sees_mentor": row.student_sees_mentor,
            "mentor_sees_student": row.mentor_sees_student,
            "max_score": row.max_score,
            "rubric_share_pct": row.rubric_share_pct,
        }

    @staticmethod
    def moments_initial(row) -> list[dict]:
        return [
            {
                "key": m["key"],
                "scored": bool(m.get("scored", True)),
                **MomentForm.initial_label(m.get("label")),
            }
            for m in row.moments
        ]

    @staticmethod
    def components_initial(row) -> list[dict]:
        return [
            {
                "key": c["key"],
                "share_pct": c.get("share_pct", 0),
                **ComponentForm.initial_label(c.get("label")),
            }
            for c in row.components
        ]


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label=_("Your reflection"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        help_text=_("What went well, what do you want to improve, and what will you do about it?"),
    )
    workplace_rating = forms.TypedChoiceField(
        label=_("How do you rate the workplace as a place to learn?"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("I'd rather not say"))] + [(str(n), f"{n} / 5") for n in range(1, 6)],
    )
    workplace_comment = forms.CharField(
        label=_("Comment on the workplace (for the school's quality follow-up)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ScoreForm(forms.Form):
    final_score = forms.DecimalField(
        label=_("Final score (leave empty to keep the computed score)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=7,
    )
    reason = forms.CharField(
        label=_("Reason for a different final score"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, components: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for c in components:
            self.fields[f"component_{c['key']}"] = forms.DecimalField(
                label=f"{tr(c.get('label'))} (%)",
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=2,
                help_text=_("Counts for %(share)s %% of the score.") % {"share": c.get("share_pct", 0)},
            )
        self.order_fields([f"component_{c['key']}" for c in components] + ["final_score", "reason"])


class CriterionForm(forms.Form):
    """One criterion of a draft: texts per language, weight, links, a descriptor per level."""

    def __init__(self, *args, levels: list[str], programme, **kwargs):
        super().__init__(*args, **kwargs)
        from catalogue.models import Competence, LearningObjective, ProfessionalRole

        for lang, name in (("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))):
            self.fields[f"title_{lang}"] = forms.CharField(
                label=_("Criterion (%(language)s)") % {"language": name},
                max_length=2000,
                required=lang == "nl",
            )
        self.fields["weight"] = forms.DecimalField(
            label=_("Weight"), min_value=0, max_value=1000, decimal_places=2, initial=1
        )
        empty = [("", "—")]
        self.fields["competence"] = forms.ChoiceField(
            label=_("Competence"),
            required=False,
            choices=empty
            + [(c.code or c.name, str(c)) for c in Competence.objects.filter(programme=programme)],
        )
        self.fields["role"] = forms.ChoiceField(
            label=_("Professional role"),
            required=False,
            choices=empty + [(r.name, r.name) for r in ProfessionalRole.objects.filter(programme=programme)],
        )
        self.fields["objective"] = forms.ChoiceField(
            label=_("Learning objective"),
            required=False,
            choices=empty
            + [(o.text, o.text[:120]) for o in LearningObjective.objects.filter(unit__programme=programme)],
        )
        for i, level in enumerate(levels):
            for lang in ("nl", "fr", "en"):
                self.fields[f"descriptor_{i}_{lang}"] = forms.CharField(
                    label=_("%(level)s: descriptor (%(language)s)") % {"level": level, "language": lang},
                    max_length=2000,
                    required=lang == "nl",
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    @staticmethod
    def initial_for(criterion: dict, n_levels: int) -> dict:
        initial = {f"title_{lang}": criterion.get("title", {}).get(lang, "") for lang in ("nl", "fr", "en")}
        initial.update(
            weight=criterion.get("weight", 1),
            competence=criterion.get("competence") or "",
            role=criterion.get("role") or "",
            objective=criterion.get("objective") or "",
        )
        descriptors = criterion.get("descriptors", [])
        for i in range(n_levels):
            d = descriptors[i] if i < len(descriptors) else {}
            for lang in ("nl", "fr", "en"):
                initial[f"descriptor_{i}_{lang}"] = d.get(lang, "")
        return initial

    def criterion(self, n_levels: int) -> dict:
        data = self.cleaned_data
        return {
            "title": {lang: data[f"title_{lang}"] for lang in ("nl", "fr", "en") if data[f"title_{lang}"]},
            "weight": str(data["weight"]),
            "competence": data["competence"] or None,
            "role": data["role"] or None,
            "objective": data["objective"] or None,
            "descriptors": [
                {
                    lang: data[f"descriptor_{i}_{lang}"]
                    for lang in ("nl", "fr", "en")
                    if data[f"descriptor_{i}_{lang}"]
                }
                for i in range(n_levels)
            ],
        }
