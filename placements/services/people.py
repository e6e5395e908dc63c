"""Writes of the people area: students (create, update) and the student / workplace imports.

Imports are upserts: students by student number, workplaces by organisation name plus
enterprise number. Every row is validated first (see placements.importers); rows are then
written in bulk (one query to find what exists, bulk_create / bulk_update), so a file of a
few thousand rows takes a fixed, small number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from placements import importers
from placements.importers import Column, ImportResult, ImportSpec, Report
from placements.models import Organisation, Programme, Region, Site, Student
from placements.validators import normalise_enterprise_number
from wpl.tenancy import require_institution_id

__all__ = [
    "STUDENT_FIELDS",
    "create_student",
    "update_student",
    "StudentImport",
    "WorkplaceImport",
    "IMPORT_KINDS",
    "ImportNotClean",
    "ImportOutcome",
    "run_import",
    "stage_import",
    "discard_import",
]

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
CHUNK = 500  # ids per IN (...) query: well below every database's parameter limit


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- students: create and update ------------------------------------------------------


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
def create_student(*, fields: dict[str, Any]) -> Student:
    """Create a student; duplicate number or e-mail -> ValidationError on that field."""
    values = {k: fields[k] for k in STUDENT_FIELDS if k in fields}
    values["student_number"] = values["student_number"].strip()
    values["email"] = values["email"].strip()
    _check_student_unique(student_number=values["student_number"], email=values["email"], exclude_pk=None)
    _check_year(values["programme"], values.get("year", 1))
    return _save_student(Student(**values))


@transaction.atomic
def update_student(*, student: Student, fields: dict[str, Any]) -> Student:
    """Change a student's fields; same checks as create_student."""
    for key in STUDENT_FIELDS:
        if key in fields:
            setattr(student, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    _check_student_unique(student_number=student.student_number, email=student.email, exclude_pk=student.pk)
    _check_year(student.programme, student.year)
    return _save_student(student)


# --- parsing helpers for import cells ----------------------------------------------------

_TRUE = {"1", "ja", "j", "yes", "y", "true", "waar", "x", "oui", "vrai"}
_FALSE = {"", "0", "nee", "n", "no", "false", "onwaar", "non", "faux"}


def _parse_bool(value: str) -> bool | None:
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _choice_lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """normalised value or label (in every language) -> stored value."""
    from django.conf import settings

    lookup = {}
    for value, label in choices:
        lookup[importers.normalise_header(value)] = value
        for code, _name in settings.LANGUAGES:
            with override(code):
                lookup[importers.normalise_header(str(label))] = value
    for word, value in (extra or {}).items():
        lookup[importers.normalise_header(word)] = value
    return lookup


def _check_length(errors: dict, key: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[key] = _("At most %(max)s characters.") % {"max": limit}


def _check_email(errors: dict, key: str, value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        errors[key] = _("“%(value)s” is not a valid e-mail address.") % {"value": value}
        return False
    return True


# --- student import -------------------------------------------------------------------


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


# --- workplace import -----------------------------------------------------------------

_REGION_WORDS = {
    "brussel": Region.BRUSSELS,
    "brussels": Region.BRUSSELS,
    "bruxelles": Region.BRUSSELS,
    "brussels hoofdstedelijk gewest": Region.BRUSSELS,
    "vlaanderen": Region.FLANDERS,
    "vlaams gewest": Region.FLANDERS,
    "flanders": Region.FLANDERS,
    "flandre": Region.FLANDERS,
    "wallonie": Region.WALLONIA,
    "wallonië": Region.WALLONIA,
    "waals gewest": Region.WALLONIA,
    "wallonia": Region.WALLONIA,
    "nederland": Region.NETHERLANDS,
    "pays-bas": Region.NETHERLANDS,
}
_ORG_TEXT_FIELDS = (
    ("sector", 120),
    ("contact_name", 150),
)
_SITE_FIELDS = ("street", "postcode", "municipality", "region")


def _digits(enterprise_number: str) -> str:
    return "".join(ch for ch in enterprise_number or "" if ch.isdigit())


def workplace_key(name: str, enterprise_number: str) -> tuple[str, str]:
    """The upsert key of a workplace: its name (any case) and enterprise number (any format)."""
    return name.strip().casefold(), _digits(enterprise_number)


@dataclass
class _WorkplaceContext:
    regions: dict[str, str]
    name_by_number: dict[str, str]  # enterprise digits -> name of the existing organisation


class WorkplaceImport(ImportSpec):
    kind = "workplaces"
    title = gettext_lazy("workplaces")
    columns = (
        Column(
            "name",
            gettext_lazy("Organisation"),
            True,
            ("naam", "organisatie", "werkplek", "organisation name"),
        ),
        Column(
            "enterprise_number",
            gettext_lazy("Enterprise number"),
            False,
            ("ondernemingsnummer", "kbo", "kbo-nummer", "kbo nummer", "numéro d'entreprise", "bce"),
        ),
        Column("sector", gettext_lazy("Sector"), False, ("secteur",)),
        Column(
            "street", gettext_lazy("Street and number"), False, ("straat", "adres", "straat en nummer", "rue")
        ),
        Column("postcode", gettext_lazy("Postcode"), False, ("zip", "code postal")),
        Column(
            "municipality",
            gettext_lazy("Municipality"),
            True,
            ("gemeente", "plaats", "stad", "commune", "city"),
        ),
        Column("region", gettext_lazy("Region"), True, ("regio", "gewest", "région")),
        Column("contact_name", gettext_lazy("Contact person"), False, ("contactpersoon", "contact")),
        Column(
            "contact_email",
            gettext_lazy("Contact e-mail"),
            False,
            ("e-mail contactpersoon", "contact email", "e-mail", "email"),
        ),
    )
    unique_keys = {
        "workplace": ("name", lambda c: workplace_key(c["name"], c.get("enterprise_number", ""))),
        "enterprise_number": ("enterprise_number", lambda c: _digits(c["enterprise_number"]) or None),
    }

    def prepare(self, raw_rows: list[dict[str, str]]) -> _WorkplaceContext:
        name_by_number = {
            _digits(number): name
            for name, number in Organisation.objects.exclude(enterprise_number="").values_list(
                "name", "enterprise_number"
            )
        }
        return _WorkplaceContext(_choice_lookup(Region.choices, _REGION_WORDS), name_by_number)

    def clean_row(self, raw: dict[str, str], context: _WorkplaceContext) -> tuple[dict, dict]:
        cleaned: dict[str, Any] = {}
        errors: dict[str, str] = {}
        name = raw.get("name", "").strip()
        if name:
            _check_length(errors, "name", name, 200)
            if "name" not in errors:
                cleaned["name"] = name
        number = raw.get("enterprise_number", "").strip()
        if number:
            try:
                cleaned["enterprise_number"] = normalise_enterprise_number(number)
            except ValidationError as exc:
                errors["enterprise_number"] = exc.messages[0]
            else:
                owner = context.name_by_number.get(_digits(number))
                if owner is not None and name and owner.casefold() != name.casefold():
                    del cleaned["enterprise_number"]
                    errors["enterprise_number"] = _(
                        "This enterprise number already belongs to the organisation “%(name)s”."
                    ) % {"name": owner}
        elif "enterprise_number" in raw:
            cleaned["enterprise_number"] = ""
        for key, limit in (*_ORG_TEXT_FIELDS, ("street", 200), ("postcode", 10), ("municipality", 100)):
            if key in raw:
                value = raw[key].strip()
                _check_length(errors, key, value, limit)
                if key not in errors and (value or key != "municipality"):
                    cleaned[key] = value
        region_text = raw.get("region", "").strip()
        if region_text:
            region = context.regions.get(importers.normalise_header(region_text))
            if region is None:
                errors["region"] = _("Unknown region “%(value)s”; use one of: %(choices)s.") % {
                    "value": region_text,
                    "choices": ", ".join(str(label) for _v, label in Region.choices),
                }
            else:
                cleaned["region"] = region
        if "contact_email" in raw:
            email = raw["contact_email"].strip()
            if not email or _check_email(errors, "contact_email", email):
                cleaned["contact_email"] = email
        return cleaned, errors

    def apply(self, rows: list[dict[str, Any]]) -> ImportResult:
        institution_id = require_institution_id()
        result = ImportResult()
        names = sorted({r["name"] for r in rows})
        existing: dict[tuple[str, str], Organisation] = {}
        for chunk in _chunks(names):
            for organisation in Organisation.objects.filter(name__in=chunk):
                existing.setdefault(
                    workplace_key(organisation.name, organisation.enterprise_number), organisation
                )
        sites: dict[int, Site] = {}
        org_ids = [o.pk for o in existing.values()]
        for chunk in _chunks(org_ids):
            for site in Site.objects.filter(organisation_id__in=chunk).order_by("-id"):
                sites[site.organisation_id] = site  # the oldest site wins: "the" site of the file
        org_fields = ("enterprise_number", "sector", "contact_name", "contact_email")
        new_orgs: list[tuple[Organisation, dict[str, Any]]] = []
        org_updates: list[Organisation] = []
        site_updates: list[Site] = []
        new_sites: list[Site] = []
        org_changed: set[str] = set()
        site_changed: set[str] = set()
        for row in rows:
            organisation = existing.get(workplace_key(row["name"], row.get("enterprise_number", "")))
            site_values = {k: row[k] for k in _SITE_FIELDS if k in row}
            if organisation is None:
                organisation = Organisation(
                    institution_id=institution_id,
                    name=row["name"],
                    **{k: row[k] for k in org_fields if k in row},
                )
                new_orgs.append((organisation, site_values))
                continue
            changed = False
            for key in org_fields:
                if key in row and getattr(organisation, key) != row[key]:
                    setattr(organisation, key, row[key])
                    org_changed.add(key)
                    changed = True
            if changed:
                org_updates.append(organisation)
            site = sites.get(organisation.pk)
            if site is None:
                new_sites.append(
                    Site(
                        institution_id=institution_id,
                        organisation=organisation,
                        name=organisation.name,
                        **site_values,
                    )
                )
                changed = True
            else:
                site_dirty = False
                for key, value in site_values.items():
                    if getattr(site, key) != value:
                        setattr(site, key, value)
                        site_changed.add(key)
                        site_dirty = True
                if site_dirty:
                    site_updates.append(site)
                    changed = True
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
        created = Organisation.objects.bulk_create([o for o, _values in new_orgs], batch_size=CHUNK)
        for organisation, site_values in zip(created, (v for _o, v in new_orgs), strict=True):
            new_sites.append(
                Site(
                    institution_id=institution_id,
                    organisation=organisation,
                    name=organisation.name,
                    **site_values,
                )
            )
        Site.objects.bulk_create(new_sites, batch_size=CHUNK)
        if org_updates:
            Organisation.objects.bulk_update(org_updates, sorted(org_changed), batch_size=CHUNK)
        if site_updates:
            Site.objects.bulk_update(site_updates, sorted(site_changed), batch_size=CHUNK)
        result.created = len(created)
        return result


IMPORT_KINDS: dict[str, type[ImportSpec]] = {"students": StudentImport, "workplaces": WorkplaceImport}


# --- running an import ------------------------------------------------------------------


class ImportNotClean(Exception):
    """The file still has invalid rows and the user did not choose to skip them."""

    def __init__(self, report: Report):
        super().__init__("invalid rows")
        self.report = report


@dataclass
class ImportOutcome:
    report: Report
    result: ImportResult


@transaction.atomic
def run_import(*, kind: str, data: bytes, only_valid: bool = False) -> ImportOutcome:
    """Validate the stored file again (data may have changed since the preview) and write it.

    Without `only_valid`, a file with any invalid row writes nothing (ImportNotClean).
    Raises importers.ImportFileError for a file that cannot be read or written as a whole.
    """
    spec = IMPORT_KINDS[kind]()
    report = importers.parse(spec, data, importers.sniff_stored(data))
    if report.invalid_rows and not only_valid:
        raise ImportNotClean(report)
    valid = [row.cleaned for row in report.valid_rows]
    try:
        with transaction.atomic():
            result = spec.apply(valid)
    except IntegrityError as exc:
        raise importers.ImportFileError(
            _("The file conflicts with data that changed in the meantime. Upload it again to check it.")
        ) from exc
    result.skipped = len(report.invalid_rows)
    return ImportOutcome(report=report, result=result)


def stage_import(*, kind: str, uploaded, institution_id: int) -> tuple[str, Report]:
    """Check an upload (size, type, content), validate it, and keep it for the confirm step.

    Raises importers.ImportFileError (translated) when the file cannot be used at all;
    nothing is stored then.
    """
    data, fmt = importers.read_upload(uploaded)
    report = importers.parse(IMPORT_KINDS[kind](), data, fmt)
    token = importers.store_upload(institution_id=institution_id, data=data)
    return token, report


def discard_import(*, institution_id: int, token: str) -> None:
    importers.delete_upload(institution_id=institution_id, token=token)
