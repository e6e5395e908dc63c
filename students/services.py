"""Writes of the people area: students (create, update) and the student / workplace imports.

Imports are upserts: students by student number, workplaces by organisation name plus
enterprise number. Every row is validated first (see placements.importers); rows are then
written in bulk (one query to find what exists, bulk_create / bulk_update), so a file of a
few thousand rows takes a fixed, small number of queries.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalogue.models import Programme
from students.models import Student
from wpl import audit
from wpl.models import Membership, Role, User
from wpl.tenancy import tenant_context

# Public functions here that are not write services of a person (tests/test_audit_trail.py).
NOT_ACTOR_SERVICES = {
    "grant_student_access": "runs when a student accepts their link or signs in through single "
    "sign-on, before they hold a role; recorded as the system",
}

STUDENT_FIELDS = (
    "student_number",
    "first_name",
    "last_name",
    "email",
    "programme",
    "year",
    "is_working_student",
    "context",
)


def _check_student_unique(*, student_number: str, email: str, exclude_pk: int | None) -> None:
    others = Student.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    errors = {}
    if others.filter(student_number__iexact=student_number).exists():
        errors["student_number"] = _("Another student already has this student number.")
    if others.filter(email__iexact=email).exists():
        errors["email"] = _("Another student already has this e-mail address.")
    if errors:
        raise ValidationError(errors)


def _check_year(programme: Programme, year: int) -> None:
    if not 1 <= year <= max(programme.years, 1):
        raise ValidationError(
            {
                "year": _("The programme %(programme)s has years 1 to %(max)s.")
                % {"programme": programme.name, "max": max(programme.years, 1)}
            }
        )


def _save_student(student: Student) -> Student:
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError as exc:
        # Two people saving the same number at the same moment: the database decides.
        raise ValidationError(
            {"student_number": _("Another student already has this student number or e-mail address.")}
        ) from exc
    return student


@transaction.atomic
def create_student(*, actor: Membership | None, fields: dict[str, Any]) -> Student:
    """Create a student; duplicate number or e-mail -> ValidationError on that field."""
    values = {k: fields[k] for k in STUDENT_FIELDS if k in fields}
    values["student_number"] = values["student_number"].strip()
    values["email"] = values["email"].strip()
    _check_student_unique(student_number=values["student_number"], email=values["email"], exclude_pk=None)
    _check_year(values["programme"], values.get("year", 1))
    student = _save_student(Student(**values))
    audit.record(actor=actor, action="students.student.create", obj=student, summary=str(student))
    return student


@transaction.atomic
def update_student(*, actor: Membership | None, student: Student, fields: dict[str, Any]) -> Student:
    """Change a student's fields; same checks as create_student."""
    for key in STUDENT_FIELDS:
        if key in fields:
            setattr(student, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    _check_student_unique(student_number=student.student_number, email=student.email, exclude_pk=student.pk)
    _check_year(student.programme, student.year)
    student = _save_student(student)
    audit.record(actor=actor, action="students.student.update", obj=student, summary=str(student))
    return student


def grant_student_access(*, student: Student, user: User) -> Membership:
    """Give the person the student role in the student's institution and link the record.

    Used when a student accepts their invitation and when single sign-on vouches for them.
    Runs inside the student's institution, whatever institution is active.
    """
    with tenant_context(student.institution_id):
        membership, _created = Membership.objects.get_or_create(user=user, role=Role.STUDENT)
        if not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        if student.user_id != user.pk:
            student.user = user
            student.save(update_fields=["user"])
        audit.record(actor=None, action="students.student.access_granted", obj=student, summary=str(student))
    return membership
