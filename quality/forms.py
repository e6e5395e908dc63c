"""Forms for the quality checklist."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.models import ChecklistItem, ChecklistTemplate, QualityAnswer


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ["name", "year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["stage", "topic", "question", "text", "importance", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = _("Leave empty to add the item at the end.")


class ResponseForm(forms.Form):
    """One answer (yes / partly / no / not applicable) and an optional comment per item."""

    def __init__(self, *args, items, answers, readonly=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        choices = [("", _("Not answered yet"))] + list(QualityAnswer.choices)
        for item in items:
            existing = answers.get(item.pk)
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                initial=existing.answer if existing else "",
                disabled=readonly,
            )
            self.fields[f"comment_{item.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing.comment if existing else "",
                disabled=readonly,
            )

    def rows(self):
        """(item, answer field, comment field) for the template."""
        for item in self.items:
            yield item, self[f"answer_{item.pk}"], self[f"comment_{item.pk}"]

    def clean(self):
        data = super().clean()
        for item in self.items:
            if data.get(f"comment_{item.pk}", "").strip() and not data.get(f"answer_{item.pk}"):
                self.add_error(f"answer_{item.pk}", _("Choose an answer for the item you commented on."))
        return data

    def answers(self) -> dict[int, tuple[str, str]]:
        return {
            item.pk: (
                self.cleaned_data.get(f"answer_{item.pk}") or "",
                (self.cleaned_data.get(f"comment_{item.pk}") or "").strip(),
            )
            for item in self.items
        }
