"""Demo data of the coordinator's matching board: an open round with students who ranked offers,
and a published round of a second programme with a follow-up round for its unplaced students.

Runs inside the institution's tenant after the other placements seeders; idempotent. Uses
the programme and workplaces the earlier seeders made; creates accepted offers for the demo
organisations when there are none.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from catalogue.models import Programme, ProgrammeYear
from matching.models import MatchingRound, StudentPreference
from students.models import Student
from workplaces.models import Mentor, Organisation, PlacementOffer, Site
from wpl.academic_years import current_academic_year
from wpl.models import User

PROGRAMME_CODES = ("graduaat-maatschappelijk-werk", "graduaat-hr-support")


DEMO_STUDENTS = [
    ("Amina", "Bouzid"),
    ("Bert", "Van Damme"),
    ("Chiara", "Rossi"),
    ("Daan", "Verhoeven"),
    ("Eline", "Smets"),
]


def _weekdays(programme: Programme, year: int) -> str:
    days = ProgrammeYear.objects.filter(programme=programme, year=year).values_list("wpl_weekdays", flat=True)
    return next((d for d in days if d), "3,4,5")


def _offers(programme: Programme, academic_year: str, year: int) -> list[PlacementOffer]:
    filters = {"programme": programme, "academic_year": academic_year, "year": year}
    offers = list(PlacementOffer.objects.filter(status=PlacementOffer.Status.ACCEPTED, **filters))
    if offers:
        return offers
    weekdays = _weekdays(programme, year)
    for organisation in Organisation.objects.order_by("name")[:8]:
        offer = PlacementOffer.objects.filter(organisation=organisation, **filters).first()
        if offer is None:
            offer = PlacementOffer.objects.create(
                organisation=organisation,
                site=Site.objects.filter(organisation=organisation).order_by("id").first(),
                mentor=Mentor.objects.filter(organisation=organisation).order_by("id").first(),
                places=2,
                weekdays=weekdays,
                tasks="Meedraaien in de werking; onthaal en begeleiding.",
                status=PlacementOffer.Status.ACCEPTED,
                **filters,
            )
        if offer.status == PlacementOffer.Status.ACCEPTED:
            offers.append(offer)
    return offers


def _students(institution, programme: Programme, year: int) -> list[Student]:
    slug = institution.slug
    students = []
    user = User.objects.filter(email=f"student@{slug}.demo").first()
    if user is not None:
        student = Student.objects.filter(user=user).first()
        if student is None:
            student = Student.objects.filter(email=user.email).first()
        if student is None:
            student = Student.objects.create(
                user=user,
                student_number=f"{slug[:3].upper()}-DEMO-000",
                first_name=user.first_name or "Demo",
                last_name=user.last_name or "Student",
                email=user.email,
                programme=programme,
                year=year,
            )
        elif student.user_id is None:
            student.user = user
            student.save(update_fields=["user"])
        if student.programme_id == programme.pk and student.year == year:
            students.append(student)
    for number, (first, last) in enumerate(DEMO_STUDENTS, start=1):
        student, _ = Student.objects.get_or_create(
            student_number=f"{slug[:3].upper()}-DEMO-{number:03d}",
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{first}.{last}".lower().replace(" ", "") + f"@student.{slug}.demo",
                "programme": programme,
                "year": year,
            },
        )
        if student.programme_id == programme.pk and student.year == year:
            students.append(student)
    return students


def seed(institution) -> MatchingRound | None:
    programme = (
        Programme.objects.filter(code__in=PROGRAMME_CODES).order_by("id").first()
        or Programme.objects.order_by("id").first()
    )
    if programme is None:
        return None
    year = 1
    academic_year = current_academic_year()
    offers = _offers(programme, academic_year, year)
    if not offers:
        return None
    now = timezone.now()
    matching_round, _ = MatchingRound.objects.get_or_create(
        programme=programme,
        academic_year=academic_year,
        year=year,
        defaults={
            "name": f"Matching {programme.name} {academic_year}",
            "preferences_deadline": now + timedelta(days=14),
            "ratings_deadline": now + timedelta(days=21),
            "max_choices": 3,
        },
    )
    choices = min(3, matching_round.max_choices, len(offers))
    for index, student in enumerate(_students(institution, programme, year)):
        if StudentPreference.objects.filter(round=matching_round, student=student).exists():
            continue
        for rank in range(1, choices + 1):
            StudentPreference.objects.create(
                round=matching_round,
                student=student,
                offer=offers[(index + rank - 1) % len(offers)],
                rank=rank,
                motivation="Sluit aan bij mijn interesses." if rank == 1 else "",
            )
    seed_follow_up(institution, exclude=programme)
    return matching_round


FOLLOW_UP_STUDENTS = [("Fien", "Claes"), ("Gilles", "Dubois"), ("Hajar", "El Amrani"), ("Ivo", "Jacobs")]


def seed_follow_up(institution, *, exclude: Programme) -> MatchingRound | None:
    """A published round of a second programme that left two students unplaced, and the
    follow-up round opened for them (no e-mails: the placements are written directly)."""
    from matching.models import Assignment
    from matching.services import MatchingError, create_follow_up
    from placements.models import Placement
    from workplaces.models import WorkplaceApproval

    # Another programme's first year, or else the second year of the same programme.
    programme, year = (
        (
            Programme.objects.filter(code__in=PROGRAMME_CODES).exclude(pk=exclude.pk).order_by("id").first()
            or Programme.objects.exclude(pk=exclude.pk).order_by("id").first()
        ),
        1,
    )
    if programme is None and exclude.years >= 2:
        programme, year = exclude, 2
    if programme is None:
        return None
    academic_year = current_academic_year()
    first = MatchingRound.objects.filter(
        programme=programme, academic_year=academic_year, year=year, follow_up_of__isnull=True
    ).first()
    if first is not None:
        return MatchingRound.objects.filter(follow_up_of=first).first()
    offers = _offers(programme, academic_year, year)[:3]
    if len(offers) < 2:
        return None
    for offer in offers:
        if not WorkplaceApproval.objects.filter(
            organisation=offer.organisation, programme=programme, academic_year=academic_year
        ).exists():
            WorkplaceApproval.objects.create(
                organisation=offer.organisation,
                programme=programme,
                academic_year=academic_year,
                decision=WorkplaceApproval.Decision.APPROVED,
            )
    slug = institution.slug
    students = []
    for number, (first_name, last_name) in enumerate(FOLLOW_UP_STUDENTS, start=1):
        student, _ = Student.objects.get_or_create(
            student_number=f"{slug[:3].upper()}-FU-{number:03d}",
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{first_name}.{last_name}".lower().replace(" ", "") + f"@student.{slug}.demo",
                "programme": programme,
                "year": year,
            },
        )
        students.append(student)
    first = MatchingRound.objects.create(
        programme=programme,
        academic_year=academic_year,
        year=year,
        name=f"Matching {programme.name} {academic_year}",
        max_choices=3,
        status=MatchingRound.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    for student in students:
        for rank, offer in enumerate([offers[0], offers[1]], start=1):
            StudentPreference.objects.create(round=first, student=student, offer=offer, rank=rank)
    # The first students were placed at the first offer (two at most); the others stay unplaced.
    for student in students[: min(offers[0].places, 2)]:
        Assignment.objects.create(round=first, student=student, offer=offers[0], reason="first_choice")
        Placement.objects.create(
            student=student,
            organisation_id=offers[0].organisation_id,
            site_id=offers[0].site_id,
            offer=offers[0],
            mentor_id=offers[0].mentor_id,
            programme=programme,
            academic_year=academic_year,
            year=year,
        )
    try:
        return create_follow_up(
            round=first, actor=None, preferences_deadline=timezone.now() + timedelta(days=7)
        )
    except MatchingError:
        return None
