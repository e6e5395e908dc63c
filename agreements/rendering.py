"""Document templates: a sandboxed Jinja2 language, checked against the documented fields.

Django's template engine is not sandboxed (a template can reach any attribute of the
objects it is given), so institution-written templates use Jinja2's `SandboxedEnvironment`
with autoescape on: what a user typed (names, addresses, clauses) is escaped, and the
context holds only plain dicts and strings built by `context.build_context()`.

`check_template()` runs when a template is saved and reports syntax errors and every
variable or attribute that is not in `fields.FIELDS`. Rendering never crashes on such a
field: an unknown one renders as the visible marker `[?]`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from jinja2 import ChainableUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

from agreements.fields import FIELDS, top_level_schema

UNKNOWN_MARKER = "[?]"
# Names Jinja itself provides inside templates.
_BUILTINS = {"loop", "range", "dict", "lipsum", "cycler", "joiner", "namespace", "true", "false", "none"}


class TemplateProblem(ValueError):
    """A template could not be parsed or rendered; `str()` is a message for the admin."""


class MarkerUndefined(ChainableUndefined):
    """An unknown field renders as a visible marker (and chains), never an exception."""

    def __str__(self) -> str:
        return UNKNOWN_MARKER

    def __html__(self) -> str:
        return UNKNOWN_MARKER


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=MarkerUndefined)


def _path(node: nodes.Node) -> list[str] | None:
    """`a.b['c']` -> ['a', 'b', 'c']; None when the chain is not rooted at a plain name."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            parts.append(str(node.arg.value))
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return list(reversed(parts))
        else:
            return None


def _target_names(target: nodes.Node) -> list[str]:
    if isinstance(target, nodes.Name):
        return [target.name]
    if isinstance(target, nodes.Tuple):
        return [n for item in target.items for n in _target_names(item)]
    return []


class _Checker:
    def __init__(self) -> None:
        self.schema = top_level_schema()
        self.unknown: list[str] = []

    def report(self, text: str) -> None:
        if text not in self.unknown:
            self.unknown.append(text)

    def check_path(self, parts: list[str], scope: dict[str, str | None]) -> None:
        root, rest = parts[0], parts[1:]
        if root in scope:
            base = scope[root]
            if base is None or not rest:  # a local set/macro variable: not ours to check
                return
            if rest[0] not in self.schema.get(base, set()):
                self.report(f"{base.removesuffix('[]')}[].{rest[0]}")
            return
        if root in _BUILTINS:
            return
        if root not in self.schema:
            self.report(".".join(parts[:2]))
            return
        allowed = self.schema[root]
        if rest and allowed and rest[0] not in allowed:
            self.report(f"{root}.{rest[0]}")

    def list_base(self, node: nodes.Node) -> str | None:
        parts = _path(node)
        if parts is None:
            return None
        key = ".".join(parts) + "[]"
        return key if key in FIELDS else None

    def visit(self, node: nodes.Node, scope: dict[str, str | None]) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            inner = dict(scope)
            base = self.list_base(node.iter)
            for name in _target_names(node.target):
                inner[name] = base
            for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
                self.visit(child, inner)
            return
        if isinstance(node, nodes.Assign | nodes.AssignBlock):
            for name in _target_names(node.target):
                scope[name] = None
        if isinstance(node, nodes.Macro):
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = None
            for child in node.body:
                self.visit(child, inner)
            scope[node.name] = None
            return
        if isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Name):
            parts = _path(node)
            if parts is not None:
                if not (isinstance(node, nodes.Name) and node.ctx != "load"):
                    self.check_path(parts, scope)
                if isinstance(node, nodes.Getitem):
                    self.visit(node.arg, scope)
                return
        for child in node.iter_child_nodes():
            self.visit(child, scope)


def check_template(source: str) -> list[str]:
    """Problems of a template body: a syntax error, or unknown fields (empty list: fine)."""
    try:
        tree = environment().parse(source)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        return [
            _("Syntax error on line %(line)s: %(message)s") % {"line": line or "?", "message": exc.message}
        ]
    checker = _Checker()
    checker.visit(tree, {})
    return [_("Unknown field: %(field)s") % {"field": name} for name in checker.unknown]


@lru_cache(maxsize=64)
def _compiled(source: str):
    """A template body parsed and compiled once (raises jinja2's TemplateError)."""
    return environment().from_string(source)


def render_body(source: str, context: dict) -> str:
    """Render a template body to (escaped) HTML; raise TemplateProblem with a clear message.

    Compiled bodies are cached by their text: a batch renders the same template hundreds
    of times, and compiling it was a visible part of each render.
    """
    try:
        return _compiled(source).render(context)
    except TemplateError as exc:
        raise TemplateProblem(
            _("The template could not be rendered: %(message)s") % {"message": exc.message or str(exc)}
        ) from exc
    except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise TemplateProblem(
            _("The template could not be rendered: %(message)s") % {"message": exc}
        ) from exc


@lru_cache(maxsize=1)
def document_css() -> str:
    """The platform's print stylesheet of documents (`templates/agreements/pdf/document.css`)."""
    return (Path(__file__).resolve().parent / "templates/agreements/pdf/document.css").read_text("utf-8")


def document_html(
    *, body_html: str, title: str, language: str, draft_marker: str = "", inline_css: bool = False
) -> str:
    """The full HTML page of a document around the body.

    The print stylesheet is passed to WeasyPrint separately (`document_css()`, parsed once);
    `inline_css=True` puts it in the page instead, for a self-contained HTML file.
    """
    return render_to_string(
        "agreements/pdf/document.html",
        {
            "body": body_html,
            "title": title,
            "language": language,
            "draft_marker": draft_marker,
            "inline_css": document_css() if inline_css else "",
        },
    )
