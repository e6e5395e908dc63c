"""Reads for the import pages."""

from __future__ import annotations

from imports.services import IMPORT_KINDS
from wpl import importers


def import_preview(*, kind: str, institution_id: int, token: str) -> importers.Report | None:
    """Validate a stored upload again (read only); None when it is not this institution's."""
    data = importers.load_upload(institution_id=institution_id, token=token)
    if data is None:
        return None
    return importers.parse(IMPORT_KINDS[kind](), data, importers.sniff_stored(data))
