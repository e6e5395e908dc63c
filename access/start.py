"""What the access app adds to the start pages (through `wpl.registry`)."""

from __future__ import annotations

from access import selectors
from wpl import permissions
from wpl.models import Membership


def not_signed_in_context(membership: Membership) -> dict:
    """Staff see how many students have not signed in yet (one query)."""
    if not permissions.is_staff(membership):
        return {}
    return {"students_not_signed_in": selectors.not_signed_in_count(membership=membership)}
