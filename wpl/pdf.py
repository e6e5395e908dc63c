"""PDF rendering for every feature: HTML templates to PDF with WeasyPrint.

WeasyPrint may fetch only the platform's own static files and inline `data:` URLs: the
URL fetcher refuses the network and any `file://` outside the static directories, so a
template (or text a user typed into one) can never make the server read or fetch
anything else.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STATIC_PREFIX = "wpl-static:/"


class PdfFetchRefused(ValueError):
    """A document asked WeasyPrint for a resource outside the platform's static files."""


def _static_path(relative: str) -> Path | None:
    relative = relative.lstrip("/")
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


class StaticOnlyFetcher:
    """WeasyPrint URL fetcher serving `static/...` and `data:` URLs and refusing the rest."""

    def __new__(cls):
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class _Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                for prefix in (STATIC_PREFIX, settings.STATIC_URL):
                    if url.startswith(prefix):
                        path = _static_path(url[len(prefix) :])
                        if path is None:
                            break
                        mime, _ = mimetypes.guess_type(path.name)
                        return URLFetcherResponse(
                            url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
                        )
                raise PdfFetchRefused(f"PDF resource refused: {url[:100]}")

        return _Fetcher()


def url_fetcher(url: str):
    """Fetch one URL the way PDF rendering does (refuses anything but static and data:)."""
    return StaticOnlyFetcher().fetch(url)


def html_to_pdf(html: str) -> bytes:
    """Render an HTML string; relative URLs resolve against the static files."""
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=StaticOnlyFetcher()).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF (the caller has scoped every object in `context`)."""
    return html_to_pdf(render_to_string(template_name, context))
