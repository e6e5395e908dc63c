"""The placement pages: a student's own placement with its planned WPL days and hours."""

from __future__ import annotations

from django.shortcuts import render

from placements import selectors as placements_selectors
from wpl.views import membership_required


@membership_required
def my_placement(request):
    from catalogue.selectors import year_plan

    placements = list(placements_selectors.student_placements(membership=request.membership))
    # A student has one or two placements at a time; the plan per placement is a few queries.
    plans = [
        year_plan(
            programme=p.programme,
            year=p.year,
            academic_year=p.academic_year,
            start=p.start_date,
            end=p.end_date,
        )
        for p in placements
    ]
    context = {"placements": list(zip(placements, plans, strict=True))}
    return render(request, "placements/my_placement.html", context)


@membership_required
def reminder_rules(request, pk: int):
    """A programme's reminder settings: per kind, after how many days and who at each step."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from catalogue.models import Programme
    from placements import reminders
    from placements.forms import ReminderRuleForm
    from wpl import permissions as core
    from wpl import registry

    if not core.is_staff(request.membership):
        raise PermissionDenied
    programme = Programme.objects.visible_to(request.membership).filter(pk=pk).first()
    if programme is None:
        raise Http404
    saved = reminders.saved_rules(programme.pk)
    status = 200
    forms = []
    for kind in registry.reminder_kinds():
        rule = saved.get(kind.kind)
        steps = rule.steps if rule else list(kind.steps)
        initial = {
            "days": rule.days if rule else kind.days,
            "step_days": rule.step_days if rule else kind.step_days,
            **{f"step_{i}": s for i, s in enumerate(steps)},
        }
        posted = request.method == "POST" and request.POST.get("kind") == kind.kind
        form = ReminderRuleForm(
            request.POST if posted else None, kind=kind, initial=initial, prefix=kind.kind
        )
        if posted and request.POST.get("op") == "reset":
            reminders.reset_rule(actor=request.membership, programme=programme, kind=kind.kind)
            messages.success(request, _("The defaults apply again."))
            return redirect(request.path)
        if posted and form.is_valid():
            try:
                reminders.save_rule(
                    actor=request.membership,
                    programme=programme,
                    kind=kind.kind,
                    days=form.cleaned_data["days"],
                    steps=form.steps(),
                    step_days=form.cleaned_data["step_days"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The reminder settings are saved."))
                return redirect(request.path)
        if posted:
            status = 400
        forms.append((kind, form, rule))
    return render(
        request, "placements/reminder_rules.html", {"programme": programme, "forms": forms}, status=status
    )
