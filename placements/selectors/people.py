"""Reads of the people area: student lists and details, export rows, import previews.

Every read starts from `visible_to(membership)`; lists use a fixed number of queries
whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from placements import importers
from placements.models import Organisation, Placement, Programme, Region, Site, Student
from placements.services.people import IMPORT_KINDS
from wpl.models import Membership


def programmes_for_filter(*, membership: Membership) -> QuerySet[Programme]:
    return Programme.objects.visible_to(membership).only("id", "name", "code").order_by("name")


def student_list(
    *,
    membership: Membership,
    q: str = "",
    programme: Programme | None = None,
    year: int | None = None,
) -> QuerySet[Student]:
    """Students the membership may see, filtered; each search word must match a field."""
    students = Student.objects.visible_to(membership).select_related("programme")
    for word in (q or "").split()[:5]:
        students = students.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(student_number__icontains=word)
            | Q(email__icontains=word)
        )
    if programme is not None:
        students = students.filter(programme=programme)
    if year:
        students = students.filter(year=year)
    return students.order_by("last_name", "first_name", "pk")


def student_detail_queryset(*, membership: Membership) -> QuerySet[Student]:
    return Student.objects.visible_to(membership).select_related("programme")


def student_placements(*, membership: Membership, student: Student) -> QuerySet[Placement]:
    return (
        Placement.objects.visible_to(membership)
        .filter(student=student)
        .select_related("organisation", "site", "mentor", "programme")
        .order_by("-academic_year", "year")
    )


# --- exports ----------------------------------------------------------------------------


def export_headers(kind: str) -> list[str]:
    return [str(column.label) for column in IMPORT_KINDS[kind].columns]


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


def organisation_export_queryset(
    *,
    membership: Membership,
    q: str = "",
    region: str = "",
    status: str = "",
    programme_id: str = "",
    academic_year: str = "",
) -> QuerySet[Organisation]:
    """Workplaces for the export with the workplace list's own filters (same parameters)."""
    from placements import permissions
    from placements.selectors import workplaces

    programme = None
    if programme_id.isdigit():
        programme = workplaces.programmes(membership=membership).filter(pk=int(programme_id)).first()
    if academic_year not in workplaces.academic_year_choices():
        academic_year = workplaces.current_academic_year()
    organisations = workplaces.organisation_list(
        membership=membership,
        search=(q or "").strip()[:100],
        region=region if region in Region.values else "",
        status=status if permissions.can_see_workplace_assessment(membership) else "",
        programme=programme,
        academic_year=academic_year,
    )
    # Replace the list's slim prefetch (it defers the street): the export needs whole sites.
    return organisations.prefetch_related(None).prefetch_related(
        Prefetch("sites", queryset=Site.objects.order_by("id"), to_attr="ordered_sites")
    )


def organisation_export_rows(organisations: QuerySet[Organisation]) -> Iterator[list[Any]]:
    regions = dict(Region.choices)
    for o in organisations:
        site = o.ordered_sites[0] if o.ordered_sites else None
        yield [
            o.name,
            o.enterprise_number,
            o.sector,
            site.street if site else "",
            site.postcode if site else "",
            site.municipality if site else "",
            str(regions.get(site.region, site.region)) if site else "",
            o.contact_name,
            o.contact_email,
        ]


# --- import previews ------------------------------------------------------------------


def import_preview(*, kind: str, institution_id: int, token: str) -> importers.Report | None:
    """Validate a stored upload again (read only); None when it is not this institution's."""
    data = importers.load_upload(institution_id=institution_id, token=token)
    if data is None:
        return None
    return importers.parse(IMPORT_KINDS[kind](), data, importers.sniff_stored(data))


__all__ = [
    "programmes_for_filter",
    "student_list",
    "student_detail_queryset",
    "student_placements",
    "export_headers",
    "student_export_rows",
    "organisation_export_queryset",
    "organisation_export_rows",
    "import_preview",
]
