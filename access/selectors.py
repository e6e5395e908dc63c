"""Reads for getting everyone in."""

from __future__ import annotations

from students.models import Student
from students.selectors import not_signed_in
from wpl.models import Membership


def not_signed_in_count(*, membership: Membership) -> int:
    """For the coordinator's start page: one query."""
    return not_signed_in(Student.objects.visible_to(membership)).count()
