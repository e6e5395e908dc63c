"""Benchmark of the logbook pages on a dedicated institution (built here, not the demo data).

- logbook_page_p95_ms / logbook_page_queries: a student with 600 entries opens /logbook/;
- review_queue_p95_ms / review_queue_queries: a mentor with 30 students and 1,000 pending
  entries opens the review queue;
- progress_page_p95_ms: the student's progress page with the chart;
- approve_week_30_students_ms: one POST approving a whole week for the mentor's 30 students.
Run through the harness: `make bench` or `python -m bench logbook`.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wpl.middleware import SESSION_KEY
from wpl.models import Institution, Membership, Role, User
from wpl.tenancy import tenant_context

N = 30
WARMUP = 3
SLUG = "bench-logbook"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def signed_in(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return client


def _user(email: str) -> User:
    user, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": "Bench", "last_name": email[:10]}
    )
    return user


def _weekdays_back(n: int, *, start: date) -> list[date]:
    days, day = [], start
    while len(days) < n:
        if day.isoweekday() <= 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


def build():
    """One institution: a student with 600 entries; a mentor with 30 students, 1,000 pending entries."""
    from catalogue.models import AcademicCalendar, Programme, ProgrammeYear
    from logbooks.models import Entry
    from placements.models import Placement
    from students.models import Student
    from workplaces.models import Mentor, Organisation, Site

    institution, _ = Institution.objects.get_or_create(slug=SLUG, defaults={"name": "Bench Logbook"})
    today = timezone.localdate()
    first = today.year if today.month >= 9 else today.year - 1
    year = f"{first}-{first + 1}"
    with tenant_context(institution):
        if Placement.objects.exists():
            return institution
        student_m = Membership.all_tenants.create(
            institution=institution, user=_user("student@bench-logbook.test"), role=Role.STUDENT
        )
        mentor_m = Membership.all_tenants.create(
            institution=institution, user=_user("mentor@bench-logbook.test"), role=Role.MENTOR
        )
        programme = Programme.objects.create(name="Bench", code="bench", form="graduate", years=2)
        ProgrammeYear.objects.create(
            programme=programme, year=1, wpl_weekdays="1,2,3,4,5", required_hours=600
        )
        start = today - timedelta(days=900)
        AcademicCalendar.objects.create(
            academic_year=year, wpl_start=start, wpl_end=today + timedelta(days=120)
        )
        organisation = Organisation.objects.create(name="Bench werkplek")
        site = Site.objects.create(
            organisation=organisation, name="Hoofdzetel", municipality="Gent", region="flanders"
        )
        mentor = Mentor.objects.create(
            organisation=organisation,
            user=mentor_m.user,
            first_name="Mo",
            last_name="Mentor",
            email="m@b.test",
        )
        other_mentor = Mentor.objects.create(
            organisation=organisation, first_name="Ot", last_name="Her", email="o@b.test"
        )

        def placement(n: int, user=None, with_mentor=mentor) -> Placement:
            student = Student.objects.create(
                user=user,
                student_number=f"B{n:05d}",
                first_name="Student",
                last_name=f"{n:03d}",
                email=f"s{n}@bench.test",
                programme=programme,
            )
            return Placement.objects.create(
                student=student,
                organisation=organisation,
                site=site,
                mentor=with_mentor,
                programme=programme,
                academic_year=year,
                start_date=start,
                end_date=today + timedelta(days=120),
            )

        own = placement(0, user=student_m.user, with_mentor=other_mentor)
        now = timezone.now()
        rows = [
            Entry(
                institution=institution,
                placement=own,
                date=d,
                hours=Decimal("7.60"),
                site=site,
                activities=f"Activiteiten van {d.isoformat()} " + "x" * 120,
                status="approved" if i > 20 else "submitted",
                submitted_at=now,
            )
            for i, d in enumerate(_weekdays_back(600, start=today - timedelta(days=1)))
        ]
        mentored = [placement(n) for n in range(1, 31)]
        days = _weekdays_back(34, start=today - timedelta(days=1))
        for p in mentored:
            rows.extend(
                Entry(
                    institution=institution,
                    placement=p,
                    date=d,
                    hours=Decimal("7.60"),
                    site=site,
                    activities="Teamoverleg en dossierwerk " + "y" * 80,
                    submitted_at=now,
                )
                for d in days[: 34 if p.pk % 3 else 33]
            )
        Entry.objects.bulk_create(rows, batch_size=500)
    return institution


def time_get(client: Client, url: str) -> tuple[float, int]:
    for _ in range(WARMUP):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    n_queries = len(queries)
    samples = []
    for _ in range(N):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return p95(samples), n_queries


def run() -> list[dict]:
    from logbooks.models import Entry
    from placements.models import Placement

    institution = build()
    student = Membership.all_tenants.get(institution=institution, role=Role.STUDENT)
    mentor = Membership.all_tenants.get(institution=institution, role=Role.MENTOR)
    with tenant_context(institution):
        own = Placement.objects.get(student__user=student.user)
        pending = Entry.objects.filter(placement__mentor__user=mentor.user, status="submitted").count()
    s_client, m_client = signed_in(student), signed_in(mentor)
    logbook_ms, logbook_q = time_get(s_client, reverse("logbook"))
    queue_ms, queue_q = time_get(m_client, reverse("logbook-review"))
    progress_ms, progress_q = time_get(s_client, reverse("logbook-progress", kwargs={"pk": own.pk}))
    last_week = timezone.localdate() - timedelta(days=7)
    week = last_week - timedelta(days=last_week.weekday())
    start = time.perf_counter()
    response = m_client.post(reverse("logbook-review"), {"membership": mentor.pk, "week": week.isoformat()})
    approve_ms = (time.perf_counter() - start) * 1000
    assert response.status_code == 302
    with tenant_context(institution):
        approved = Entry.objects.filter(
            placement__mentor__user=mentor.user,
            status="approved",
            date__gte=week,
            date__lt=week + timedelta(days=7),
        ).count()
    return [
        {
            "metric": "logbook_page_p95_ms",
            "value": round(logbook_ms, 2),
            "unit": "ms",
            "n": N,
            "entries": 600,
        },
        {"metric": "logbook_page_queries", "value": logbook_q, "unit": "queries", "n": 1},
        {
            "metric": "review_queue_p95_ms",
            "value": round(queue_ms, 2),
            "unit": "ms",
            "n": N,
            "pending": pending,
        },
        {"metric": "review_queue_queries", "value": queue_q, "unit": "queries", "n": 1},
        {"metric": "progress_page_p95_ms", "value": round(progress_ms, 2), "unit": "ms", "n": N},
        {"metric": "progress_page_queries", "value": progress_q, "unit": "queries", "n": 1},
        {
            "metric": "approve_week_30_students_ms",
            "value": round(approve_ms, 2),
            "unit": "ms",
            "n": 1,
            "approved": approved,
        },
    ]
