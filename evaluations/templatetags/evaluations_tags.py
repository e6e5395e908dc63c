"""Template filters of the evaluations: texts per language and lookups."""

from django import template

from evaluations.models import tr as translate_text

register = template.Library()


@register.filter
def tr(value) -> str:
    """A {"nl": .., "fr": .., "en": ..} text in the active language (falls back to Dutch)."""
    return translate_text(value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
