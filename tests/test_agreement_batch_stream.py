"""The batch ZIP is written document by document: stored finals copied in chunks after a
hash check, drafts rendered and written at once, fonts and stylesheet loaded once."""

from __future__ import annotations

import zipfile
from unittest import mock

import pytest

from agreements import batch as batch_builder
from agreements import storage
from agreements.models import BatchExport
from tests.factories import placement_for_agreement
from tests.fixtures import draft, sign_all
from wpl import pdf
from wpl.tenancy import tenant_context


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with tenant_context(personas.a):
        yield {
            "placement": placement_for_agreement(personas.a),
            "coordinator": personas("a", "coordinator"),
            "media": settings.MEDIA_ROOT,
        }


def build(world, placements) -> tuple[BatchExport, zipfile.ZipFile]:
    export = BatchExport.objects.create(
        requested_by=world["coordinator"], placement_ids=[p.pk for p in placements], total=len(placements)
    )
    batch_builder.build(batch_id=export.pk)
    export.refresh_from_db()
    return export, zipfile.ZipFile(storage.default_storage.open(export.file_name))


def test_finals_are_copied_in_chunks_drafts_rendered_and_tampered_files_left_out(personas, world):
    from agreements import services

    sealed = draft(world)
    services.send_for_signature(actor=world["coordinator"], version=sealed.current)
    final = sign_all(sealed, world)
    tampered_placement = placement_for_agreement(personas.a, marker="Gewijzigd")
    other = {**world, "placement": tampered_placement}
    tampered = draft(other)
    services.send_for_signature(actor=world["coordinator"], version=tampered.current)
    broken = sign_all(tampered, other)
    path = world["media"] / broken.final_file
    path.write_bytes(path.read_bytes() + b"\n% changed")
    drafted_placement = placement_for_agreement(personas.a, marker="Ontwerp")
    draft({**world, "placement": drafted_placement})

    with mock.patch.object(batch_builder, "CHUNK", 1000):  # many chunks per file
        export, archive = build(world, [world["placement"], tampered_placement, drafted_placement])

    assert export.status == BatchExport.Status.DONE and export.done == 3
    assert [f["placement"] for f in export.failures] == [tampered_placement.pk]
    names = archive.namelist()
    assert len(names) == 2 and not any("gewijzigd" in n for n in names)
    copied = archive.read(next(n for n in names if f"-{world['placement'].pk}-" in n))
    assert storage.sha256(copied) == final.final_sha256  # unchanged, byte for byte
    rendered = archive.read(next(n for n in names if "ontwerp" in n))
    assert rendered.startswith(b"%PDF")


def test_fonts_are_loaded_once_for_a_whole_batch(personas, world):
    placements = [placement_for_agreement(personas.a, marker=f"B{i}") for i in range(4)]
    for placement in placements:
        draft({**world, "placement": placement})
    pdf.font_config()  # this thread's configuration exists (as after the first document)
    with mock.patch("weasyprint.text.fonts.FontConfiguration", side_effect=AssertionError("fonts reloaded")):
        export, archive = build(world, placements)
    assert export.failures == [] and len(archive.namelist()) == 4
