"""PDF rendering for every feature: HTML templates to PDF with WeasyPrint.

WeasyPrint may fetch only the platform's own static files and inline `data:` URLs: the
URL fetcher refuses the network and any `file://` outside the static directories, so a
template (or text a user typed into one) can never make the server read or fetch
anything else.
"""

from __future__ import annotations

import contextlib
import gc
import mimetypes
import threading
from collections.abc import Sequence
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


def _fetcher_class():
    global _FETCHER_CLASS
    if _FETCHER_CLASS is None:
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

        _FETCHER_CLASS = _Fetcher
    return _FETCHER_CLASS


_FETCHER_CLASS = None


class StaticOnlyFetcher:
    """WeasyPrint URL fetcher serving `static/...` and `data:` URLs and refusing the rest."""

    def __new__(cls):
        return _fetcher_class()()


def url_fetcher(url: str):
    """Fetch one URL the way PDF rendering does (refuses anything but static and data:)."""
    return StaticOnlyFetcher().fetch(url)


# What WeasyPrint would otherwise redo for every document: a FontConfiguration (a Pango
# font map, which loads and caches the font files) and the parsed print stylesheets.
# Kept per thread (WeasyPrint objects are not shared between threads) and reused by
# every render in that thread; measured: a two-page agreement renders in about half
# the time. A document that declares its own @font-face gets a fresh configuration,
# so a font it loads never leaks into other documents.
_reuse = threading.local()


def font_config():
    """This thread's shared WeasyPrint FontConfiguration."""
    config = getattr(_reuse, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _reuse.font_config = FontConfiguration()
        _reuse.stylesheets = {}
    return config


def stylesheet(css: str):
    """A parsed WeasyPrint stylesheet for `css`, parsed once per thread."""
    config = font_config()
    parsed = _reuse.stylesheets.get(css)
    if parsed is None:
        from weasyprint import CSS

        parsed = CSS(string=css, font_config=config, url_fetcher=StaticOnlyFetcher(), base_url=STATIC_PREFIX)
        if len(_reuse.stylesheets) >= 32:  # a handful of print stylesheets exist; stay bounded
            _reuse.stylesheets.clear()
        _reuse.stylesheets[css] = parsed
    return parsed


def html_to_pdf(html: str, *, stylesheets: Sequence[str] = ()) -> bytes:
    """Render an HTML string; relative URLs resolve against the static files.

    `stylesheets`: print CSS (text) applied as author stylesheets, parsed once per
    thread; CSS inside the HTML still works but is parsed on every render.
    """
    with _no_full_collections():
        return _html_to_pdf(html, stylesheets)


@contextlib.contextmanager
def _no_full_collections():
    """Keep Python's cyclic garbage collector out of one render, then collect the young.

    A render allocates hundreds of thousands of layout objects, which triggers full
    collections that scan the worker's whole heap (Django, the demo or a batch), a third of
    a 10-page render's time. The render is bounded, so its cycles are collected right after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(1)  # the render's own cycles; older generations as Python decides


def _html_to_pdf(html: str, stylesheets: Sequence[str]) -> bytes:
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=StaticOnlyFetcher())
    if "@font-face" in html or any("@font-face" in css for css in stylesheets):
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        sheets = [
            CSS(string=css, font_config=config, url_fetcher=StaticOnlyFetcher(), base_url=STATIC_PREFIX)
            for css in stylesheets
        ]
        return document.write_pdf(font_config=config, stylesheets=sheets)
    sheets = [stylesheet(css) for css in stylesheets]
    return document.write_pdf(font_config=font_config(), stylesheets=sheets)


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF (the caller has scoped every object in `context`)."""
    return html_to_pdf(render_to_string(template_name, context))
