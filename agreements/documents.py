"""From a version to PDF bytes: template lookup, rendering, the evidence page, merging."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from agreements import rendering
from agreements.context import build_context, sample_context
from agreements.models import DocumentTemplate, Kind
from wpl.pdf import html_to_pdf

BUILTIN_DIR = Path(__file__).resolve().parent / "default_templates"


@dataclass
class Source:
    """The template text to render and the stored template row (None for a built-in one)."""

    body: str
    template: DocumentTemplate | None


def builtin_body(kind: str, language: str) -> str:
    for name in (f"{kind}_{language}.html", f"{kind}_nl.html"):
        path = BUILTIN_DIR / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(name)


def template_for(*, programme_id: int | None, kind: str, language: str) -> Source:
    """The newest template for the programme, else the institution's default, else built-in."""
    rows = DocumentTemplate.objects.filter(kind=kind, language=language).order_by("-version")
    template = None
    if programme_id is not None:
        template = rows.filter(programme_id=programme_id).first()
    if template is None:
        template = rows.filter(programme__isnull=True).first()
    if template is not None:
        return Source(template.body, template)
    return Source(builtin_body(kind, language), None)


def version_source(version, kind: str | None = None) -> Source:
    kind = kind or version.agreement.kind
    if version.template_id and version.template.kind == kind:
        return Source(version.template.body, version.template)
    return template_for(
        programme_id=version.agreement.placement.programme_id, kind=kind, language=version.agreement.language
    )


def version_html(
    version,
    *,
    kind: str | None = None,
    source: Source | None = None,
    signatures=None,
    inline_css: bool = False,
) -> str:
    """The full HTML of a version's document (raises rendering.TemplateProblem).

    Without `inline_css` the print stylesheet is not in the HTML: `version_pdf()` hands
    WeasyPrint the parsed `rendering.document_css()` instead.
    """
    agreement = version.agreement
    kind = kind or agreement.kind
    source = source or version_source(version, kind)
    context = build_context(version, kind=kind, signatures=signatures)
    with translation.override(agreement.language):
        body = rendering.render_body(source.body, context)
        title = f"{Kind(kind).label} · {context['student']['name']} · v{version.number}"
        return rendering.document_html(
            body_html=body,
            title=title,
            language=agreement.language,
            draft_marker=context["document"]["status"],
            inline_css=inline_css,
        )


def version_pdf(version, *, kind: str | None = None, source: Source | None = None, signatures=None) -> bytes:
    """PDF of a version's document through the platform's static-only renderer."""
    return html_to_pdf(
        version_html(version, kind=kind, source=source, signatures=signatures),
        stylesheets=[rendering.document_css()],
    )


def preview_pdf(*, body: str, language: str) -> bytes:
    """A template rendered with sample data (for the editor's preview)."""
    with translation.override(language):
        html = rendering.document_html(
            body_html=rendering.render_body(body, sample_context(language)),
            title=str(_("Preview")),
            language=language,
            draft_marker=str(_("Preview with sample data")),
        )
    return html_to_pdf(html, stylesheets=[rendering.document_css()])


def evidence_pdf(version, acceptances) -> bytes:
    agreement = version.agreement
    with translation.override(agreement.language):
        html = render_to_string(
            "agreements/pdf/evidence.html",
            {
                "version": version,
                "acceptances": acceptances,
                "agreement_title": str(Kind(agreement.kind).label),
                "institution": agreement.institution.name,
                "language": agreement.language,
            },
        )
    return html_to_pdf(html)


def append_pages(document: bytes, extra: bytes) -> bytes:
    """The accepted PDF's pages unchanged, followed by the pages of `extra`."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    writer.append(PdfReader(io.BytesIO(extra)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    """Extracted text of a PDF (tests and the verification page use it)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def looks_like_pdf(data: bytes) -> bool:
    """Type from content, not from the file name: a PDF starts with %PDF- (within 1 KiB)."""
    return b"%PDF-" in data[:1024]
