"""Reads of the people area: student lists and details, export rows, import previews.

Every read starts from `visible_to(membership)`; lists use a fixed number of queries
whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from catalogue.models import Programme, student_search_text
from students.models import Student
from wpl.models import Membership, Role


def programmes_for_filter(*, membership: Membership) -> QuerySet[Programme]:
    return Programme.objects.visible_to(membership).only("id", "name", "code").order_by("name")


def student_list(
    *,
    membership: Membership,
    q: str = "",
    programme: Programme | None = None,
    year: int | None = None,
    signed_in: str = "",
) -> QuerySet[Student]:
    """Students the membership may see, filtered; each search word must match a field."""
    students = Student.objects.visible_to(membership).select_related("programme")
    words = (q or "").split()[:5]
    if words:
        # One indexed expression (a trigram index on PostgreSQL) instead of four columns.
        students = students.alias(search_text=student_search_text())
    for word in words:
        students = students.filter(search_text__icontains=word)
    if programme is not None:
        students = students.filter(programme=programme)
    if year:
        students = students.filter(year=year)
    if signed_in in ("yes", "no"):
        waiting = not_signed_in(students)
        students = waiting if signed_in == "no" else students.exclude(pk__in=waiting.values("pk"))
    return students.order_by("last_name", "first_name", "pk")


def not_signed_in(students: QuerySet[Student]) -> QuerySet[Student]:
    """Students without an account, or whose account has never been used to sign in."""
    return students.filter(Q(user__isnull=True) | Q(user__last_login__isnull=True))


def pending_invitation_ids(*, membership: Membership, student_ids) -> set[int]:
    """Which of these students have an access invitation still waiting (the list's status column).

    Through the reverse relation `student.invitations`: the invitation model lives higher up
    (workplaces) and students do not import it. One query.
    """
    return set(
        Student.objects.visible_to(membership)
        .filter(
            pk__in=list(student_ids),
            invitations__role=Role.STUDENT,
            invitations__accepted_at__isnull=True,
            invitations__revoked_at__isnull=True,
            invitations__expires_at__gt=timezone.now(),
        )
        .values_list("pk", flat=True)
    )


def student_detail_queryset(*, membership: Membership) -> QuerySet[Student]:
    return Student.objects.visible_to(membership).select_related("programme")


def student_placements(*, membership: Membership, student: Student) -> QuerySet:
    return (
        # Through the reverse relation: students sit below placements and do not import them.
        student.placements.visible_to(membership)
        .select_related("organisation", "site", "mentor", "programme")
        .order_by("-academic_year", "year")
    )


def student_export_rows(students: QuerySet[Student]) -> Iterator[list[Any]]:
    """Rows in the import's column order, so an export can be imported again."""
    contexts = dict(Student.Context.choices)
    for s in students.iterator(chunk_size=1000):
        yield [
            s.student_number,
            s.first_name,
            s.last_name,
            s.email,
            s.programme.code,
            s.year,
            "1" if s.is_working_student else "0",
            str(contexts.get(s.context, s.context)),
        ]
