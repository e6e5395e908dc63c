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
