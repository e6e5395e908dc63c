"""The student import: columns, row validation and writing (see wpl.importers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Programme
from students.models import Student
from wpl import importers
from wpl.importers import (
    CHUNK,
    Column,
    ImportResult,
    ImportSpec,
    _check_email,
    _check_length,
    _choice_lookup,
    _chunks,
    _parse_bool,
)
from wpl.tenancy import require_institution_id


@dataclass
class _StudentContext:
    programmes: dict[str, Programme]
    number_by_email: dict[str, str]  # lower(e-mail) -> student number, for existing students
    contexts: dict[str, str]


class StudentImport(ImportSpec):
    kind = "students"
    title = gettext_lazy("students")
    columns = (
        Column(
            "student_number", gettext_lazy("Student number"), True, ("studentnummer", "stamnummer", "nummer")
        ),
        Column("first_name", gettext_lazy("First name"), True, ("voornaam", "prénom")),
        Column("last_name", gettext_lazy("Last name"), True, ("achternaam", "familienaam", "nom")),
        Column("email", gettext_lazy("E-mail"), True, ("e-mailadres", "email address", "mail", "courriel")),
        Column(
            "programme",
            gettext_lazy("Programme code"),
            True,
            ("opleiding", "opleidingscode", "programme", "code opleiding", "formation"),
        ),
        Column(
            "year", gettext_lazy("Programme year"), False, ("jaar", "opleidingsjaar", "fase", "year", "année")
        ),
        Column(
            "is_working_student",
            gettext_lazy("Working student"),
            False,
            ("werkstudent", "werkende student", "étudiant salarié"),
        ),
        Column("context", gettext_lazy("Context"), False, ("context", "contexte")),
    )
    unique_keys = {
        "student_number": ("student_number", lambda c: c["student_number"].casefold()),
        "email": ("email", lambda c: c["email"].casefold()),
    }

    def prepare(self, raw_rows: list[dict[str, str]]) -> _StudentContext:
        programmes = {p.code.lower(): p for p in Programme.objects.all()}
        emails = sorted({r.get("email", "").strip().lower() for r in raw_rows} - {""})
        number_by_email = {}
        for chunk in _chunks(emails):
            rows = (
                Student.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=chunk)
                .values_list("email_lower", "student_number")
            )
            number_by_email.update(rows)
        return _StudentContext(programmes, number_by_email, _choice_lookup(Student.Context.choices))

    def clean_row(self, raw: dict[str, str], context: _StudentContext) -> tuple[dict, dict]:
        cleaned: dict[str, Any] = {}
        errors: dict[str, str] = {}
        number = raw.get("student_number", "").strip()
        if number:
            _check_length(errors, "student_number", number, 40)
            if "student_number" not in errors:
                cleaned["student_number"] = number
        for key in ("first_name", "last_name"):
            value = raw.get(key, "").strip()
            if value:
                _check_length(errors, key, value, 150)
                if key not in errors:
                    cleaned[key] = value
        email = raw.get("email", "").strip()
        if email and _check_email(errors, "email", email):
            owner = context.number_by_email.get(email.lower())
            if owner is not None and number and owner.casefold() != number.casefold():
                errors["email"] = _("This e-mail address already belongs to student %(number)s.") % {
                    "number": owner
                }
            else:
                cleaned["email"] = email
        code = raw.get("programme", "").strip()
        programme = context.programmes.get(code.lower()) if code else None
        if code and programme is None:
            errors["programme"] = _("Unknown programme code “%(code)s”.") % {"code": code}
        elif programme is not None:
            cleaned["programme"] = programme
        if "year" in raw:
            year_text = raw["year"].strip()
            if year_text:
                if not year_text.isdigit():
                    errors["year"] = _("Enter a whole number.")
                else:
                    year = int(year_text)
                    limit = max(programme.years, 1) if programme else 10
                    if not 1 <= year <= limit:
                        errors["year"] = _("Year %(year)s is out of range: use 1 to %(max)s.") % {
                            "year": year,
                            "max": limit,
                        }
                    else:
                        cleaned["year"] = year
            else:
                cleaned["year"] = 1
        if "is_working_student" in raw:
            flag = _parse_bool(raw["is_working_student"])
            if flag is None:
                errors["is_working_student"] = _("Write yes or no.")
            else:
                cleaned["is_working_student"] = flag
        if "context" in raw:
            text = raw["context"].strip()
            if text:
                value = context.contexts.get(importers.normalise_header(text))
                if value is None:
                    errors["context"] = _("Unknown context “%(value)s”; use one of: %(choices)s.") % {
                        "value": text,
                        "choices": ", ".join(str(label) for _v, label in Student.Context.choices),
                    }
                else:
                    cleaned["context"] = value
            else:
                cleaned["context"] = Student.Context.WPL_STUDENT
        return cleaned, errors

    def apply(self, rows: list[dict[str, Any]]) -> ImportResult:
        institution_id = require_institution_id()
        result = ImportResult()
        numbers = [r["student_number"] for r in rows]
        existing: dict[str, Student] = {}
        for chunk in _chunks(numbers):
            for student in Student.objects.filter(student_number__in=chunk):
                existing[student.student_number] = student
        to_create: list[Student] = []
        to_update: list[Student] = []
        changed_fields: set[str] = set()
        for row in rows:
            values = {k: v for k, v in row.items() if k != "student_number"}
            student = existing.get(row["student_number"])
            if student is None:
                to_create.append(
                    Student(institution_id=institution_id, student_number=row["student_number"], **values)
                )
                continue
            changed = False
            for key, value in values.items():
                attname = "programme_id" if key == "programme" else key
                value = value.pk if key == "programme" else value
                if getattr(student, attname) != value:
                    setattr(student, attname, value)
                    changed_fields.add(attname)
                    changed = True
            if changed:
                to_update.append(student)
            else:
                result.unchanged += 1
        Student.objects.bulk_create(to_create, batch_size=CHUNK)
        if to_update:
            Student.objects.bulk_update(to_update, sorted(changed_fields), batch_size=CHUNK)
        result.created, result.updated = len(to_create), len(to_update)
        return result
