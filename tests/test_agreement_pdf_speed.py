"""What the agreement PDF path no longer repeats per document: fonts, CSS, template compiling."""

from __future__ import annotations

import io
import threading
from unittest import mock

import pytest
from weasyprint import HTML

from agreements import documents, rendering, services
from tests.factories import placement_for_agreement
from wpl import pdf
from wpl.tenancy import tenant_context


@pytest.fixture
def version(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with tenant_context(personas.a):
        agreement = services.get_or_create_agreement(
            actor=personas("a", "coordinator"), placement=placement_for_agreement(personas.a)
        )
        yield agreement.current


def test_font_configuration_and_stylesheet_are_reused_between_documents(version):
    documents.version_pdf(version)
    config = pdf.font_config()
    css = pdf.stylesheet(rendering.document_css())
    with mock.patch("weasyprint.text.fonts.FontConfiguration", side_effect=AssertionError("new fonts")):
        documents.version_pdf(version)
    assert pdf.font_config() is config
    assert pdf.stylesheet(rendering.document_css()) is css


def test_each_thread_has_its_own_font_configuration(version):
    mine = pdf.font_config()
    theirs = []
    worker = threading.Thread(target=lambda: theirs.append(pdf.font_config()))
    worker.start()
    worker.join()
    assert theirs and theirs[0] is not mine


def test_a_document_with_its_own_font_face_gets_a_fresh_configuration():
    shared = pdf.font_config()
    created = []
    from weasyprint.text import fonts

    original = fonts.FontConfiguration

    def spy():
        config = original()
        created.append(config)
        return config

    html = "<style>@font-face { font-family: X; src: url(data:,) }</style><p>Zoë</p>"
    with mock.patch.object(fonts, "FontConfiguration", side_effect=spy):
        data = pdf.html_to_pdf(html)
    assert data.startswith(b"%PDF") and created and created[0] is not shared
    assert pdf.font_config() is shared


def test_template_bodies_are_compiled_once(version):
    rendering._compiled.cache_clear()
    source = "<p>{{ student.name }} · {{ document.version }}</p>"
    with mock.patch.object(rendering, "environment", wraps=rendering.environment) as env:
        first = rendering.render_body(source, {"student": {"name": "Zoë"}, "document": {"version": 1}})
        second = rendering.render_body(source, {"student": {"name": "Zoë"}, "document": {"version": 2}})
    assert first != second and "Zoë · 2" in second
    assert env.call_count == 1


def test_the_pdf_is_the_same_document_as_bare_weasyprint_on_self_contained_html(version):
    """The stylesheet moved out of the HTML: the document must not change."""
    ours = documents.version_pdf(version)
    html = documents.version_html(version, inline_css=True)
    assert "<style>" in html and "<style>" not in documents.version_html(version)
    bare = HTML(string=html, url_fetcher=pdf.StaticOnlyFetcher()).write_pdf()
    assert documents.pdf_text(ours) == documents.pdf_text(bare)
    assert "1 / " in documents.pdf_text(ours)  # the page counter of the print stylesheet is there


# The template lookup (programme's, institution's) and the signatures; the placement's
# relations are loaded once with the version.
QUERIES = 3


def test_rendering_an_agreement_takes_a_fixed_number_of_queries(version, django_assert_max_num_queries):
    documents.version_pdf(version)
    with django_assert_max_num_queries(QUERIES):
        documents.version_pdf(version)


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
def test_built_in_plans_lay_out_each_objective_as_a_block(language):
    """Full-width blocks instead of a four-column table: half the text lines to lay out."""
    body = documents.builtin_body("plan", language)
    assert '<table class="plan">' not in body and '<section class="objective"><h3>' in body


def test_a_plan_lists_every_objective_in_order_with_its_values(personas):
    with tenant_context(personas.a):
        coordinator = personas("a", "coordinator")
        plan = services.get_or_create_agreement(
            actor=coordinator, placement=placement_for_agreement(personas.a), kind="plan"
        )
        rows = [
            {
                "objective": f"Leerdoel {i} één",
                "tasks": f"Taak {i}",
                "period": f"Week {i}",
                "evidence": f"Bewijs {i}",
            }
            for i in (1, 2)
        ]
        version = services.update_draft(actor=coordinator, version=plan.current, fields={}, plan_rows=rows)
        assert documents.version_html(version).count('<section class="objective">') == 2
        text = " ".join(documents.pdf_text(documents.version_pdf(version)).split())
    order = [
        text.index(s)
        for s in ("Leerdoel 1 één", "Taak 1", "Week 1", "Bewijs 1", "Leerdoel 2 één", "Bewijs 2")
    ]
    assert order == sorted(order)
    assert "Taken en activiteiten: Taak 1" in text and "Periode: Week 1" in text


def test_every_page_carries_the_footer_title_page_number_and_draft_marker(personas):
    """Footer and marker are page strings from the body's attributes (no running elements)."""
    from pypdf import PdfReader

    with tenant_context(personas.a):
        coordinator = personas("a", "coordinator")
        plan = services.get_or_create_agreement(
            actor=coordinator, placement=placement_for_agreement(personas.a), kind="plan"
        )
        rows = [{"objective": f"Leerdoel {i}", "tasks": "Taak " * 60} for i in range(20)]
        version = services.update_draft(actor=coordinator, version=plan.current, fields={}, plan_rows=rows)
        data = documents.version_pdf(version)
        title = documents.version_html(version).split("<title>")[1].split("</title>")[0]
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    assert len(texts) > 1
    for number, text in enumerate(texts, start=1):
        assert f"{number} / {len(texts)}" in text and "Ontwerp" in text
        assert title.split(" · ")[0] in text and " · v1" in text


def test_a_render_keeps_the_garbage_collector_as_it_found_it():
    """Renders run without full collections (wpl.pdf), and leave the collector as it was."""
    import gc

    from wpl.pdf import html_to_pdf

    assert gc.isenabled()
    assert html_to_pdf("<p>Zoë</p>").startswith(b"%PDF")
    assert gc.isenabled()
    gc.disable()
    try:
        html_to_pdf("<p>Zoë</p>")
        assert not gc.isenabled()
    finally:
        gc.enable()
