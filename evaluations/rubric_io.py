"""A rubric version as JSON: the one format for export, import and the authoring page.

```json
{"format": "wpl-rubric", "format_version": 1,
 "title": {"nl": "...", "fr": "...", "en": "..."},
 "levels": [{"label": {"nl": "Onvoldoende"}, "points": 0}, ...],
 "criteria": [{"title": {"nl": "..."}, "weight": 1,
               "competence": "code or name", "role": "name", "objective": "text",
               "descriptors": [{"nl": "..."}, ...]}],
 "comments": [{"text": "...", "language": "nl"}]}
```

Texts are a string (Dutch) or an object per language (nl, fr, en). Links to the
catalogue are by name (competence also by code) and are resolved in the target programme,
so a rubric moves between programmes and institutions. `parse()` reports every problem
with its place in the document, in the person's language.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluations.models import LANGUAGES, tr

FORMAT = "wpl-rubric"
FORMAT_VERSION = 1
MAX_LEVELS = 10
MAX_CRITERIA = 100
MAX_TEXT = 2000
MAX_BYTES = 500_000
MAX_COMMENTS = 200


def _where(path: str) -> str:
    return path or _("the document")


class _Collector:
    def __init__(self):
        self.errors: list[str] = []

    def add(self, path: str, message: str) -> None:
        if len(self.errors) < 50:
            self.errors.append(f"{_where(path)}: {message}")


def _text(value, path: str, errors: _Collector, *, required: bool = True) -> dict:
    if value is None or value == "":
        if required:
            errors.add(path, _("a text is required."))
        return {}
    if isinstance(value, str):
        value = {"nl": value}
    if not isinstance(value, dict):
        errors.add(path, _("expected a text or an object with nl, fr and en."))
        return {}
    result = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            errors.add(f"{path}.{lang}", _("unknown language; use nl, fr or en."))
            continue
        if not isinstance(text, str):
            errors.add(f"{path}.{lang}", _("expected a text."))
            continue
        if len(text) > MAX_TEXT:
            errors.add(f"{path}.{lang}", _("at most %(n)s characters.") % {"n": MAX_TEXT})
            continue
        if text.strip():
            result[lang] = text.strip()
    if required and not result:
        errors.add(path, _("a text is required."))
    return result


def _number(value, path: str, errors: _Collector, *, default: Decimal) -> Decimal:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        errors.add(path, _("expected a number."))
        return default
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(path, _("expected a number."))
        return default
    if not number.is_finite() or number < 0 or number > 1000:
        errors.add(path, _("expected a number from 0 to 1000."))
        return default
    return number.quantize(Decimal("0.01"))


def _catalogue(programme) -> dict:
    from catalogue.models import Competence, LearningObjective, ProfessionalRole

    competences = {}
    for c in Competence.objects.filter(programme=programme):
        competences.setdefault(c.name.strip().lower(), c)
        if c.code:
            competences.setdefault(c.code.strip().lower(), c)
    roles = {r.name.strip().lower(): r for r in ProfessionalRole.objects.filter(programme=programme)}
    objectives = {
        o.text.strip().lower(): o for o in LearningObjective.objects.filter(unit__programme=programme)
    }
    return {"competence": competences, "role": roles, "objective": objectives}


def loads(raw: str | bytes) -> dict:
    """JSON text to a dict; a clear ValidationError for anything that is not a JSON object."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise ValidationError(_("The file is larger than %(kb)s kB.") % {"kb": MAX_BYTES // 1000})
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("The file is larger than %(kb)s kB.") % {"kb": MAX_BYTES // 1000})
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        if line:
            raise ValidationError(
                _("This is not valid JSON (line %(line)s: %(error)s).") % {"line": line, "error": exc.msg}
            ) from None
        raise ValidationError(_("This is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("Expected a JSON object with levels and criteria."))
    return data


def parse(data: dict, *, programme) -> dict:
    """A validated, normalised definition; ValidationError listing every problem found."""
    errors = _Collector()
    if not isinstance(data, dict):
        raise ValidationError(_("Expected a JSON object with levels and criteria."))
    if data.get("format", FORMAT) != FORMAT:
        errors.add("format", _("this is not a rubric (expected “%(f)s”).") % {"f": FORMAT})
    version = data.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        errors.add("format_version", _("unsupported format version %(v)s.") % {"v": str(version)[:10]})
    title = _text(data.get("title"), "title", errors)
    raw_levels = data.get("levels")
    levels = []
    if not isinstance(raw_levels, list) or not 2 <= len(raw_levels) <= MAX_LEVELS:
        errors.add("levels", _("give from 2 to %(n)s performance levels.") % {"n": MAX_LEVELS})
        raw_levels = raw_levels if isinstance(raw_levels, list) else []
    for i, raw in enumerate(raw_levels[:MAX_LEVELS]):
        path = f"levels[{i + 1}]"
        if not isinstance(raw, dict):
            errors.add(path, _("expected an object with label and points."))
            continue
        levels.append(
            {
                "label": _text(raw.get("label"), f"{path}.label", errors),
                "points": _number(raw.get("points"), f"{path}.points", errors, default=Decimal(i)),
            }
        )
    points = [lv["points"] for lv in levels]
    if points and points != sorted(points):
        errors.add("levels", _("the points must rise from the first level to the last."))
    if points and max(points) <= 0:
        errors.add("levels", _("the highest level must be worth more than 0 points."))
    catalogue = _catalogue(programme)
    raw_criteria = data.get("criteria")
    criteria = []
    if not isinstance(raw_criteria, list) or not 1 <= len(raw_criteria) <= MAX_CRITERIA:
        errors.add("criteria", _("give from 1 to %(n)s criteria.") % {"n": MAX_CRITERIA})
        raw_criteria = raw_criteria if isinstance(raw_criteria, list) else []
    for i, raw in enumerate(raw_criteria[:MAX_CRITERIA]):
        path = f"criteria[{i + 1}]"
        if not isinstance(raw, dict):
            errors.add(path, _("expected an object with title, weight and descriptors."))
            continue
        criterion = {
            "title": _text(raw.get("title"), f"{path}.title", errors),
            "weight": _number(raw.get("weight"), f"{path}.weight", errors, default=Decimal(1)),
        }
        for key in ("competence", "role", "objective"):
            name = raw.get(key)
            criterion[key] = None
            if name in (None, ""):
                continue
            if not isinstance(name, str):
                errors.add(f"{path}.{key}", _("expected a name."))
                continue
            found = catalogue[key].get(name.strip().lower())
            if found is None:
                errors.add(
                    f"{path}.{key}",
                    _("“%(name)s” is not in this programme's catalogue.") % {"name": name[:80]},
                )
            criterion[key] = found
        descriptors = raw.get("descriptors")
        if not isinstance(descriptors, list) or (levels and len(descriptors) != len(levels)):
            errors.add(
                f"{path}.descriptors",
                _("give one descriptor per level (%(n)s).") % {"n": len(levels)},
            )
            descriptors = descriptors if isinstance(descriptors, list) else []
        criterion["descriptors"] = [
            _text(d, f"{path}.descriptors[{j + 1}]", errors) for j, d in enumerate(descriptors[:MAX_LEVELS])
        ]
        criteria.append(criterion)
    if criteria and sum(c["weight"] for c in criteria) <= 0:
        errors.add("criteria", _("at least one criterion must have a weight above 0."))
    comments = []
    raw_comments = data.get("comments", [])
    if not isinstance(raw_comments, list):
        errors.add("comments", _("expected a list of phrases."))
        raw_comments = []
    for i, raw in enumerate(raw_comments[:MAX_COMMENTS]):
        path = f"comments[{i + 1}]"
        if isinstance(raw, str):
            raw = {"text": raw}
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
            errors.add(path, _("expected a phrase."))
            continue
        language = raw.get("language", "nl")
        if language not in LANGUAGES:
            errors.add(f"{path}.language", _("unknown language; use nl, fr or en."))
            continue
        comments.append({"text": raw["text"].strip()[:500], "language": language})
    if errors.errors:
        raise ValidationError(errors.errors)
    return {"title": title, "levels": levels, "criteria": criteria, "comments": comments}


def _link_name(obj, key: str) -> str | None:
    if obj is None:
        return None
    if key == "competence":
        return obj.code or obj.name
    if key == "objective":
        return obj.text
    return obj.name


def export(version, *, phrases=None) -> dict:
    """The JSON document of a version (and its rubric's comment bank)."""
    levels = list(version.levels.all())
    criteria = list(version.criteria.select_related("competence", "role", "objective"))
    if phrases is None:
        phrases = version.rubric.phrases.all()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title": version.title,
        "levels": [{"label": lv.label, "points": float(lv.points)} for lv in levels],
        "criteria": [
            {
                "title": c.title,
                "weight": float(c.weight),
                **{k: _link_name(getattr(c, k), k) for k in ("competence", "role", "objective")},
                "descriptors": [
                    c.descriptors[i] if i < len(c.descriptors) else {} for i in range(len(levels))
                ],
            }
            for c in criteria
        ],
        "comments": [{"text": p.text, "language": p.language} for p in phrases],
    }


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def label(value) -> str:
    return tr(value)
