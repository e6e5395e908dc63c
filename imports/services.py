"""Running an import: stage an upload, validate it again, write it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from students.imports import StudentImport
from workplaces.imports import WorkplaceImport
from wpl import audit, importers
from wpl.importers import ImportResult, ImportSpec, Report
from wpl.models import Membership

IMPORT_KINDS: dict[str, type[ImportSpec]] = {"students": StudentImport, "workplaces": WorkplaceImport}


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
def run_import(
    *, actor: Membership | None, kind: str, data: bytes, only_valid: bool = False
) -> ImportOutcome:
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
    counts = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": result.skipped,
    }
    audit.record(actor=actor, action=f"imports.{kind}.run", summary=str(counts), data=counts)
    return ImportOutcome(report=report, result=result)


def stage_import(*, actor: Membership | None, kind: str, uploaded, institution_id: int) -> tuple[str, Report]:
    """Check an upload (size, type, content), validate it, and keep it for the confirm step.

    Raises importers.ImportFileError (translated) when the file cannot be used at all;
    nothing is stored then.
    """
    data, fmt = importers.read_upload(uploaded)
    report = importers.parse(IMPORT_KINDS[kind](), data, fmt)
    token = importers.store_upload(institution_id=institution_id, data=data)
    # The preview shows this report; the file is parsed again only when confirmed.
    importers.store_summary(institution_id=institution_id, token=token, summary=importers.summarise(report))
    audit.record(
        actor=actor,
        action=f"imports.{kind}.stage",
        summary=getattr(uploaded, "name", "")[:200],
        data={"token": token, "rows": len(report.rows)},
    )
    return token, report


def discard_import(*, actor: Membership | None, institution_id: int, token: str) -> None:
    """Forget a staged upload (after it was imported, or when the person cancels)."""
    importers.delete_upload(institution_id=institution_id, token=token)
    audit.record(actor=actor, action="imports.upload.discard", data={"token": token})
