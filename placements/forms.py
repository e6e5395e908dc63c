"""Forms of the placements app: the reminder settings of a programme."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from placements.reminders import ROLE_LABELS
from wpl.registry import ReminderKind


class ReminderRuleForm(forms.Form):
    """One kind of reminder: after how many days, who is told at each step, days between steps."""

    days = forms.IntegerField(
        label=_("First reminder after (days)"),
        min_value=1,
        max_value=365,
        error_messages={
            "required": _("Give a number of days between 1 and 365."),
            "min_value": _("Give a number of days between 1 and 365."),
            "max_value": _("Give a number of days between 1 and 365."),
            "invalid": _("Give a number of days between 1 and 365."),
        },
    )
    step_days = forms.IntegerField(
        label=_("Next step after (days)"),
        min_value=1,
        max_value=365,
        error_messages={
            "required": _("Give a number of days between 1 and 365."),
            "min_value": _("Give a number of days between 1 and 365."),
            "max_value": _("Give a number of days between 1 and 365."),
            "invalid": _("Give a number of days between 1 and 365."),
        },
    )

    def __init__(self, *args, kind: ReminderKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind.unit == "wpl_days":
            self.fields["days"].label = _("First reminder after (WPL days)")
            self.fields["step_days"].label = _("Next step after (WPL days)")
        choices = [("", "—")] + [(r, ROLE_LABELS.get(r, r)) for r in kind.roles]
        for i in range(len(kind.roles)):
            self.fields[f"step_{i}"] = forms.ChoiceField(
                label=_("Step %(n)s: tell") % {"n": i + 1}, choices=choices, required=i == 0
            )
            self.fields[f"step_{i}"].error_messages["required"] = _("Choose who is told first.")

    def steps(self) -> list[str]:
        return [
            self.cleaned_data[f"step_{i}"]
            for i in range(len(self.kind.roles))
            if self.cleaned_data.get(f"step_{i}")
        ]

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"step_{i}") or "" for i in range(len(self.kind.roles))]
        filled = [c for c in chosen if c]
        if len(set(filled)) != len(filled):
            raise forms.ValidationError(_("Each person can be told at one step only."))
        if "" in chosen[: len(filled)]:
            raise forms.ValidationError(_("Fill the steps in order, without an empty step in between."))
        return data
