"""Building a batch ZIP of agreements or plans, with progress in the BatchExport row.

The ZIP is written to a temporary file on disk, each PDF as soon as it is made, and then
saved through the storage API, so memory stays flat however many documents there are
(the PDF renderer's fonts and stylesheet are shared between documents, see wpl/pdf.py;
`bench/agreements_bench.py` measures the peak for 500 agreements). Each placement is re-checked
against the requesting membership's visibility inside the task: nothing of another
institution (or out of the coordinator's sight) can enter a batch.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agreements import documents, rendering, storage
from agreements.models import Agreement, BatchExport
from placements.models import Placement

PROGRESS_EVERY = 5


CHUNK = 1 << 16


def _entry_name(placement, kind: str, version) -> str:
    student = placement.student
    person = f"{slugify(student.last_name)}-{slugify(student.first_name)}"
    return f"{slugify(placement.programme.name)}/{person}-{placement.pk}-{kind}-v{version.number}.pdf"


def _add_document(archive: zipfile.ZipFile, placement, kind: str) -> None:
    """Write one placement's document into the open ZIP, as soon as it exists.

    A final version is copied from storage in chunks (after a first pass that checks
    its hash, so a tampered file never enters the ZIP); a draft is rendered and written
    at once. Nothing of a document outlives this call: memory does not grow with the
    number of documents.
    """
    agreement = Agreement.objects.filter(placement=placement, kind=kind).first()
    if agreement is None:
        raise LookupError(_("No document drawn up yet."))
    effective = agreement.effective
    if effective is not None:
        if storage.sha256_of_file(effective.final_file) != effective.final_sha256:
            raise LookupError(_("The stored file no longer matches its hash."))
        with (
            default_storage.open(effective.final_file, "rb") as source,
            archive.open(_entry_name(placement, kind, effective), "w") as target,
        ):
            while chunk := source.read(CHUNK):
                target.write(chunk)
        return
    version = agreement.current
    data = documents.version_pdf(version)  # a draft, marked as such on every page
    archive.writestr(_entry_name(placement, kind, version), data)


def build(*, batch_id: int) -> int:
    batch = BatchExport.objects.select_related("requested_by__user").get(pk=batch_id)
    if batch.status == BatchExport.Status.DONE:
        return batch.done
    membership = batch.requested_by
    BatchExport.objects.filter(pk=batch.pk).update(status=BatchExport.Status.RUNNING, done=0, failures=[])
    visible = (
        Placement.objects.visible_to(membership)
        .filter(pk__in=batch.placement_ids)
        .select_related(
            "student", "organisation", "programme", "mentor", "site", "wpl_unit", "supervisor__user"
        )
        .order_by("programme__name", "student__last_name", "pk")
    )
    failures: list[dict] = []
    done = 0
    missing = set(batch.placement_ids)
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
            for placement in visible.iterator(chunk_size=100):
                missing.discard(placement.pk)
                try:
                    _add_document(archive, placement, batch.kind)
                except (LookupError, rendering.TemplateProblem) as exc:
                    failures.append(
                        {"placement": placement.pk, "name": str(placement.student), "reason": str(exc)}
                    )
                except Exception as exc:  # noqa: BLE001 - one broken document must not sink the batch
                    failures.append(
                        {
                            "placement": placement.pk,
                            "name": str(placement.student),
                            "reason": type(exc).__name__,
                        }
                    )
                done += 1
                if done % PROGRESS_EVERY == 0:
                    BatchExport.objects.filter(pk=batch.pk).update(done=done, failures=failures)
            for pk in sorted(missing):
                failures.append(
                    {"placement": pk, "name": "", "reason": str(_("Not found or not visible to you."))}
                )
                done += 1
        handle.seek(0)
        file_name = default_storage.save(
            f"agreements/{batch.institution_id}/batch-{batch.pk}.zip", File(handle)
        )
    BatchExport.objects.filter(pk=batch.pk).update(
        done=done,
        failures=failures,
        file_name=file_name,
        status=BatchExport.Status.DONE,
        finished_at=timezone.now(),
    )
    return done
