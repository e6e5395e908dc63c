"""Forms of the evaluations area (input only: the rules are in services)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
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
    phrases = forms.CharField(
        label=_("Comment bank (one phrase per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
    )


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


def _lines(text: str) -> list[list[str]]:
    return [[part.strip() for part in line.split("|")] for line in text.splitlines() if line.strip()]


class SettingsForm(forms.Form):
    moments = forms.CharField(
        label=_("Evaluation moments"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_(
            "One per line: key | name | 1 when it gets a score, 0 when not. E.g. final | Eindevaluatie | 1"
        ),
    )
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
    components = forms.CharField(
        label=_("Other agreements that count"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_(
            "One per line: key | name | share (%). E.g. guidance | Aanwezig op begeleidingsmomenten | 10"
        ),
    )

    @staticmethod
    def initial_for(row) -> dict:
        return {
            "moments": "\n".join(
                f"{m['key']} | {tr(m.get('label'))} | {1 if m.get('scored', True) else 0}"
                for m in row.moments
            ),
            "student_sees_mentor": row.student_sees_mentor,
            "mentor_sees_student": row.mentor_sees_student,
            "max_score": row.max_score,
            "rubric_share_pct": row.rubric_share_pct,
            "components": "\n".join(
                f"{c['key']} | {tr(c.get('label'))} | {c.get('share_pct', 0)}" for c in row.components
            ),
        }

    def clean_moments(self):
        moments = []
        for parts in _lines(self.cleaned_data["moments"]):
            if len(parts) < 2 or not parts[0] or not parts[1] or len(parts[0]) > 40:
                raise forms.ValidationError(_("Write each moment as: key | name | 1 or 0."))
            moments.append(
                {
                    "key": parts[0],
                    "label": {"nl": parts[1][:100]},
                    "scored": (parts[2] if len(parts) > 2 else "1") != "0",
                }
            )
        return moments

    def clean_components(self):
        components = []
        for parts in _lines(self.cleaned_data["components"]):
            try:
                share = int(parts[2]) if len(parts) > 2 else -1
            except ValueError:
                share = -1
            if len(parts) < 3 or not parts[0] or not parts[1] or not 0 <= share <= 100:
                raise forms.ValidationError(_("Write each agreement as: key | name | share from 0 to 100."))
            components.append({"key": parts[0][:40], "label": {"nl": parts[1][:150]}, "share_pct": share})
        return components


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
