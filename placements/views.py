"""The placement pages: a student's own placement with its planned WPL days and hours."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from catalogue.models import Programme
from catalogue.selectors import year_plan
from placements import reminders, services
from placements import selectors as placements_selectors
from placements.forms import ReminderRuleForm
from wpl import permissions as core
from wpl import registry
from wpl.forms import add_service_errors
from wpl.views import membership_required, permission_required


@membership_required
def my_placement(request):
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


@permission_required(core.is_staff)
def reminder_rules(request, pk: int):
    """A programme's reminder settings: per kind, after how many days and who at each step."""
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
            services.reset_rule(actor=request.membership, programme=programme, kind=kind.kind)
            messages.success(request, _("The defaults apply again."))
            return redirect(request.path)
        if posted and form.is_valid():
            try:
                services.save_rule(
                    actor=request.membership,
                    programme=programme,
                    kind=kind.kind,
                    days=form.cleaned_data["days"],
                    steps=form.steps(),
                    step_days=form.cleaned_data["step_days"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The reminder settings are saved."))
                return redirect(request.path)
        if posted:
            status = 400
        forms.append((kind, form, rule))
    return render(
        request, "placements/reminder_rules.html", {"programme": programme, "forms": forms}, status=status
    )
