"""Demo data for the logbook: the demo student's running placement with a few weeks of entries
(most approved, some waiting for the mentor, one sent back), a sick day and the insurance.

Runs after the placements seeders, inside the institution. Idempotent: a second run
adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from catalogue.models import AcademicCalendar
from catalogue.selectors import year_plan
from logbooks.models import Absence, Entry, InsuranceSetting, Review
from placements.models import Placement
from students.models import Student
from workplaces.models import Mentor
from wpl.models import Membership, Role

ACTIVITIES = [
    "Intakegesprek bijgewoond en verslag uitgeschreven.",
    "Teamoverleg: casus voorgesteld, feedback van de mentor verwerkt.",
    "Huisbezoek samen met de mentor; administratie van het dossier aangevuld.",
    "Groepswerking voorbereid en mee begeleid.",
    "Sociale kaart opgezocht voor een cliënt; doorverwijzing voorbereid.",
]


def _academic_year(day) -> str:
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}"


def seed(institution) -> None:
    today = timezone.localdate()
    student = (
        Student.objects.filter(email=f"student@{institution.slug}.demo").select_related("programme").first()
    )
    if student is None:
        return
    if not InsuranceSetting.objects.exists():
        InsuranceSetting.objects.create(
            insurer="Ethias", policy_number=f"45.{institution.pk:03d}.0001", contact="ongevallen@ethias.demo"
        )
    year = _academic_year(today)
    placement = Placement.objects.filter(student=student, academic_year=year).first()
    if placement is None:
        mentor = (
            Mentor.objects.filter(user__email="mentor@odisee.demo").select_related("organisation").first()
            or Mentor.objects.select_related("organisation").first()
        )
        if mentor is None:
            return
        calendar = AcademicCalendar.objects.filter(academic_year=year).first()
        start = (
            max(calendar.wpl_start, today - timedelta(days=70)) if calendar else today - timedelta(days=70)
        )
        end = calendar.wpl_end if calendar else today + timedelta(days=120)
        placement = Placement.objects.create(
            student=student,
            organisation=mentor.organisation,
            site=mentor.organisation.sites.first(),
            mentor=mentor,
            supervisor=Membership.objects.filter(role=Role.SUPERVISOR).first(),
            programme=student.programme,
            academic_year=year,
            year=student.year,
            start_date=start,
            end_date=end,
        )
    if Entry.objects.filter(placement=placement).exists():
        return
    plan = year_plan(
        programme=placement.programme,
        year=placement.year,
        academic_year=placement.academic_year,
        start=placement.start_date,
        end=placement.end_date,
    )
    past = [d for d in (plan.days if plan else []) if d < today - timedelta(days=2)]
    if not past and placement.start_date:
        # A programme that plans WPL per unit (Thomas More's HR-support) has no weekdays in
        # its programme year: the demo logs Tuesdays and Thursdays of the last weeks instead.
        first = max(placement.start_date, today - timedelta(days=42))
        past = [
            first + timedelta(days=n)
            for n in range((today - timedelta(days=2) - first).days)
            if (first + timedelta(days=n)).isoweekday() in (2, 4)
        ]
    if not past:
        return
    sick_day = past[-3] if len(past) >= 3 else None
    reviewer = placement.mentor.user if placement.mentor else None
    now = timezone.now()
    entries = []
    for index, day in enumerate(past):
        if day == sick_day:
            continue
        approved = day < today - timedelta(days=9)
        entries.append(
            Entry(
                institution=institution,
                placement=placement,
                date=day,
                hours="7.60",
                site=placement.site,
                activities=ACTIVITIES[index % len(ACTIVITIES)],
                reflection="Ik leerde rustig doorvragen." if index % 4 == 0 else "",
                status=Entry.Status.APPROVED if approved else Entry.Status.SUBMITTED,
                submitted_at=now - timedelta(days=(today - day).days),
                reviewed_by=reviewer if approved else None,
                reviewed_at=now if approved else None,
                created_by=student.user,
            )
        )
    Entry.objects.bulk_create(entries)
    saved = list(Entry.objects.filter(placement=placement).order_by("date"))
    Review.objects.bulk_create(
        [
            Review(
                institution=institution,
                entry=e,
                action=Review.Action.APPROVE,
                author=reviewer,
                author_role=Role.MENTOR,
            )
            for e in saved
            if e.status == Entry.Status.APPROVED
        ]
    )
    waiting = [e for e in saved if e.status == Entry.Status.SUBMITTED]
    if len(waiting) > 2:
        returned = waiting[0]
        returned.status = Entry.Status.RETURNED
        returned.save(update_fields=["status"])
        Review.objects.create(
            entry=returned,
            action=Review.Action.RETURN,
            comment="Beschrijf ook wat je zelf deed tijdens het gesprek.",
            author=reviewer,
            author_role=Role.MENTOR,
        )
    if sick_day is not None:
        Absence.objects.create(
            placement=placement,
            kind=Absence.Kind.SICK,
            start_date=sick_day,
            end_date=sick_day,
            reported_by=student.user,
        )
