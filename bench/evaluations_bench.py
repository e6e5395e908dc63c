"""Benchmark of the evaluations on a dedicated institution (built here, not the demo data).

- rubric_autosave_p95_ms: the mentor's HTMX autosave of one criterion (level + comment);
- evaluation_list_p95_ms / evaluation_list_queries: a supervisor with 30 students opens
  /evaluations/ (the query count is constant, asserted in tests/test_evaluations.py);
- portfolio_pdf_ms: a student's competence overview as PDF (WeasyPrint), 3 evaluations of
  8 criteria each.
Run through the harness: `make bench` or `python -m bench evaluations`.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench.logbook_bench import WARMUP, p95, signed_in
from wpl.models import Institution, Membership, Role, User
from wpl.tenancy import tenant_context

N = 30
SLUG = "bench-evaluations"
CRITERIA = 8


def _user(email: str) -> User:
    user, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": "Bench", "last_name": email[:10]}
    )
    return user


def build() -> Institution:
    """30 placements of one supervisor, one mentor; the first student has 3 evaluations after the meeting."""
    from catalogue.models import Programme
    from evaluations.models import (
        Criterion,
        CriterionScore,
        Evaluation,
        PerformanceLevel,
        Rubric,
        RubricVersion,
    )
    from placements.models import Placement
    from students.models import Student
    from workplaces.models import Mentor, Organisation

    institution, _ = Institution.objects.get_or_create(slug=SLUG, defaults={"name": "Bench Evaluations"})
    with tenant_context(institution):
        if Evaluation.objects.exists():
            return institution

        def member(role: str) -> Membership:
            return Membership.all_tenants.create(
                institution=institution, user=_user(f"{role}@{SLUG}.test"), role=role
            )

        supervisor, mentor_m, student_m = member(Role.SUPERVISOR), member(Role.MENTOR), member(Role.STUDENT)
        programme = Programme.objects.create(name="Bench", code="bench", form="graduate", years=2)
        organisation = Organisation.objects.create(name="Bench werkplek")
        mentor = Mentor.objects.create(
            organisation=organisation,
            user=mentor_m.user,
            first_name="Mo",
            last_name="Mentor",
            email="m@b.test",
        )
        rubric = Rubric.objects.create(programme=programme, name="Bench rubric")
        version = RubricVersion.objects.create(
            rubric=rubric, number=1, status="published", title={"nl": "Bench"}, published_at=timezone.now()
        )
        levels = [
            PerformanceLevel.objects.create(version=version, order=i, label={"nl": f"Niveau {i}"}, points=i)
            for i in range(4)
        ]
        criteria = [
            Criterion.objects.create(
                version=version,
                order=i,
                title={"nl": f"Criterium {i}"},
                weight=1,
                descriptors=[{"nl": f"Beschrijving {i}-{j} " + "x" * 80} for j in range(4)],
            )
            for i in range(CRITERIA)
        ]
        for n in range(30):
            student = Student.objects.create(
                user=student_m.user if n == 0 else None,
                student_number=f"E{n:05d}",
                first_name="Student",
                last_name=f"{n:03d}",
                email=f"s{n}@bench-ev.test",
                programme=programme,
            )
            placements = [
                Placement.objects.create(
                    student=student,
                    organisation=organisation,
                    mentor=mentor,
                    supervisor=supervisor,
                    programme=programme,
                    academic_year=f"{2023 + k}-{2024 + k}",
                    year=1,
                )
                for k in range(3 if n == 0 else 1)
            ]
            for k, placement in enumerate(placements):
                done = (n == 0 and k < 2) or (n > 0 and n % 3 == 0)
                evaluation = Evaluation.objects.create(
                    placement=placement,
                    moment="final",
                    version=version,
                    status="published" if done else "open",
                    meeting_at=timezone.now() if done else None,
                    mentor_submitted_at=timezone.now() if done else None,
                    final_score=Decimal(15) if done else None,
                    computed_score=Decimal(15) if done else None,
                    max_score=Decimal(20),
                    published_at=timezone.now() if done else None,
                )
                if done:
                    CriterionScore.objects.bulk_create(
                        CriterionScore(
                            institution=institution,
                            evaluation=evaluation,
                            party=party,
                            criterion=c,
                            level=levels[(i + k) % 4],
                            comment="Goed opgevolgd " + "y" * 60,
                        )
                        for i, c in enumerate(criteria)
                        for party in ("mentor", "agreed")
                    )
    return institution


def _timed(call) -> list[float]:
    samples = []
    for _ in range(N):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def run() -> list[dict]:
    from evaluations.models import Criterion, Evaluation, PerformanceLevel
    from students.models import Student

    institution = build()
    supervisor = Membership.all_tenants.get(institution=institution, role=Role.SUPERVISOR)
    mentor = Membership.all_tenants.get(institution=institution, role=Role.MENTOR)
    student_m = Membership.all_tenants.get(institution=institution, role=Role.STUDENT)
    with tenant_context(institution):
        open_one = Evaluation.objects.filter(status="open").order_by("pk").first()
        criterion = Criterion.objects.filter(version_id=open_one.version_id).first()
        levels = list(PerformanceLevel.objects.filter(version_id=open_one.version_id))
        student = Student.objects.get(user=student_m.user)
    m_client, s_client, sup_client = signed_in(mentor), signed_in(student_m), signed_in(supervisor)

    url = reverse("evaluation-autosave", kwargs={"pk": open_one.pk, "criterion": criterion.pk})
    counter = iter(range(10_000))

    def autosave() -> None:
        i = next(counter)
        response = m_client.post(
            url, {"level": levels[i % 4].pk, "comment": f"Opmerking {i}"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200, response.content

    for _ in range(WARMUP):
        autosave()
    autosave_ms = p95(_timed(autosave))

    list_url = reverse("evaluation-list")

    def listing() -> None:
        assert sup_client.get(list_url).status_code == 200

    for _ in range(WARMUP):
        listing()
    # Counted with an execute wrapper: the request's start resets Django's query log.
    queries: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        listing()
    list_ms = p95(_timed(listing))

    pdf_url = reverse("evaluation-overview-pdf", kwargs={"pk": student.pk})
    response = s_client.get(pdf_url)  # warm-up (fonts)
    assert response["Content-Type"] == "application/pdf"
    start = time.perf_counter()
    response = s_client.get(pdf_url)
    pdf_ms = (time.perf_counter() - start) * 1000
    assert response.content.startswith(b"%PDF")
    return [
        {"metric": "rubric_autosave_p95_ms", "value": round(autosave_ms, 2), "unit": "ms", "n": N},
        {
            "metric": "evaluation_list_p95_ms",
            "value": round(list_ms, 2),
            "unit": "ms",
            "n": N,
            "students": 30,
        },
        {"metric": "evaluation_list_queries", "value": len(queries), "unit": "queries", "n": 1},
        {
            "metric": "portfolio_pdf_ms",
            "value": round(pdf_ms, 2),
            "unit": "ms",
            "n": 1,
            "criteria": CRITERIA * 2,
        },
    ]
