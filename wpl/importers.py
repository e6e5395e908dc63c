"""Generic CSV / XLSX import engine: upload checks, storage between preview and confirm,
reading rows, and a row-by-row validation report.

An import kind (students, workplaces, ...) is an `ImportSpec`: its columns, how one row is
cleaned (with a context prepared once for the whole file, so validation needs a fixed
number of queries), the keys that must be unique within the file, and how valid rows
are written (in the area's service, in bulk).

Uploads are kept with Django's storage API under `imports/<institution_id>/<uuid>` so any
web process can confirm an import that another process previewed; nothing is kept in
process memory between requests.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException, ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import override

from wpl import importers

CSV = "csv"


XLSX = "xlsx"


EXTENSIONS = {".csv": CSV, ".txt": CSV, ".xlsx": XLSX}


STORAGE_ROOT = "imports"


MAX_ROWS = 20_000


# Spreadsheet-bomb limits, checked while streaming so a hostile file is refused early and
# cheaply: a few hundred KB of XLSX can unzip to millions of rows, a row of a million cells
# or one string of hundreds of MB.
MAX_BLANK_ROWS = 1_000  # blank rows tolerated on top of MAX_ROWS (formatted empty rows)


MAX_COLUMNS = 200


MAX_CELL_CHARS = 10_000


MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024


_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is translated and user-facing."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise_header(value: Any) -> str:
    """'E-mail adres ' -> 'emailadres': case, accents, spaces and punctuation do not matter."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy translated header, as written by the exports
    required: bool = False
    aliases: tuple[str, ...] = ()  # extra accepted headers (e.g. Dutch words)

    def accepted_headers(self) -> set[str]:
        names = {normalise_header(self.key), *(normalise_header(a) for a in self.aliases)}
        for code, _name in settings.LANGUAGES:
            with override(code):
                names.add(normalise_header(str(self.label)))
        return names


@dataclass
class RowError:
    row: int  # row number as in the file (the header is row 1)
    column: str  # translated column label, or "" for the whole row
    message: str


@dataclass
class ParsedRow:
    number: int
    raw: dict[str, str]
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # invalid rows left out on request


@dataclass
class Report:
    rows: list[ParsedRow]
    unknown_headers: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def valid_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def invalid_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if not row.is_valid]

    @property
    def is_clean(self) -> bool:
        return bool(self.rows) and not self.invalid_rows


class ImportSpec:
    """One kind of import. Subclasses set `columns`, `unique_keys` and implement the hooks."""

    kind: str = ""
    title: Any = ""
    columns: tuple[Column, ...] = ()
    # name -> function(cleaned) giving a key that must not repeat within the file
    unique_keys: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {}

    def prepare(self, raw_rows: list[dict[str, str]]) -> Any:
        """Load what validation needs for the whole file at once (a fixed number of queries)."""
        return None

    def clean_row(self, raw: dict[str, str], context: Any) -> tuple[dict[str, Any], dict[str, str]]:
        """Return (cleaned values, {column key: translated message})."""
        raise NotImplementedError

    def apply(self, rows: list[dict[str, Any]]) -> ImportResult:
        """Write the cleaned rows (upsert); called inside a transaction."""
        raise NotImplementedError


def detect_format(name: str, head: bytes) -> str:
    """The file's format from its extension, confirmed by its content."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    fmt = EXTENSIONS.get(extension)
    if fmt is None:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    if fmt == XLSX and not head.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("This file is not a valid Excel (.xlsx) file."))
    if fmt == CSV and (head.startswith(b"PK\x03\x04") or b"\x00" in head):
        raise ImportFileError(_("This file is not a text (CSV) file. Save it as CSV (UTF-8) or .xlsx."))
    return fmt


def sniff_stored(data: bytes) -> str:
    """Format of a stored upload (stored without a name: decided by content alone)."""
    return XLSX if data.startswith(b"PK\x03\x04") else CSV


def check_content(data: bytes, fmt: str) -> None:
    if fmt == XLSX:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "[Content_Types].xml" not in archive.namelist():
                    raise ImportFileError(_("This file is not a valid Excel (.xlsx) file."))
                check_xlsx_limits(archive)
        except (zipfile.BadZipFile, ElementTree.ParseError, DefusedXmlException, OSError, EOFError) as exc:
            raise ImportFileError(_("This file is not a valid Excel (.xlsx) file.")) from exc
    else:
        decode_text(data)


def _too_big() -> ImportFileError:
    return ImportFileError(
        _(
            "The spreadsheet is too large: at most %(rows)s rows, %(columns)s columns and "
            "%(chars)s characters per cell."
        )
        % {"rows": MAX_ROWS, "columns": MAX_COLUMNS, "chars": MAX_CELL_CHARS}
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def check_xlsx_limits(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose sheets or strings exceed the limits, streaming and stopping early.

    The declared unpacked sizes come first (zipfile never unpacks more than it declares);
    then every worksheet and the shared strings are read as an XML stream, element by
    element, and dropped as they pass, so memory stays flat whatever the file holds.
    """
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > MAX_XLSX_UNPACKED_BYTES:
        raise _too_big()
    for info in infos:
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            _check_sheet_stream(archive, name)
        elif name == "xl/sharedStrings.xml":
            _check_strings_stream(archive, name)


def _check_sheet_stream(archive: zipfile.ZipFile, name: str) -> None:
    rows = cells = 0
    with archive.open(name) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    rows += 1
                    cells = 0
                    if rows > MAX_ROWS + 1 + MAX_BLANK_ROWS:
                        raise _too_big()
                elif tag == "c":
                    cells += 1
                    if cells > MAX_COLUMNS:
                        raise _too_big()
                continue
            if tag in ("v", "t", "f") and element.text and len(element.text) > MAX_CELL_CHARS:
                raise _too_big()
            if tag in ("c", "row"):
                element.clear()


def _check_strings_stream(archive: zipfile.ZipFile, name: str) -> None:
    with archive.open(name) as stream:
        length = 0
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "si":
                    length = 0
                continue
            if tag == "t" and element.text:
                length += len(element.text)
                if length > MAX_CELL_CHARS:
                    raise _too_big()
            if tag == "si":
                element.clear()


def read_upload(uploaded) -> tuple[bytes, str]:
    """Check an uploaded file's size, type and content; return (bytes, format)."""
    if uploaded is None:
        raise ImportFileError(_("Choose a file to upload."))
    limit = settings.WPL_MAX_UPLOAD_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise ImportFileError(
            _("The file is too large (maximum %(size)s MB).") % {"size": round(limit / 1024 / 1024, 1)}
        )
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(
            _("The file is too large (maximum %(size)s MB).") % {"size": round(limit / 1024 / 1024, 1)}
        )
    if not data:
        raise ImportFileError(_("The file is empty."))
    fmt = detect_format(uploaded.name or "", data[:4096])
    check_content(data, fmt)
    return data, fmt


def storage_path(institution_id: int, token: str) -> str:
    return f"{STORAGE_ROOT}/{int(institution_id)}/{token}"


def store_upload(*, institution_id: int, data: bytes) -> str:
    """Keep an upload for the confirm step; returns its token."""
    token = uuid.uuid4().hex
    default_storage.save(storage_path(institution_id, token), ContentFile(data))
    return token


def load_upload(*, institution_id: int, token: str) -> bytes | None:
    """The stored upload of this institution, or None (unknown token, other institution)."""
    if not _TOKEN.match(token or ""):
        return None
    path = storage_path(institution_id, token)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def delete_upload(*, institution_id: int, token: str) -> None:
    if _TOKEN.match(token or ""):
        default_storage.delete(storage_path(institution_id, token))
        default_storage.delete(storage_path(institution_id, token) + SUMMARY_SUFFIX)


# --- the preview, kept so a file is parsed once per upload ------------------------------
SUMMARY_SUFFIX = ".report.json"


SUMMARY_ERRORS_KEPT = 500


@dataclass
class Summary:
    """What the preview page shows of a report; stored next to the upload as JSON."""

    row_count: int
    valid_count: int
    invalid_count: int
    unknown_headers: list[str]
    errors: list[RowError]
    error_count: int


def summarise(report: Report) -> Summary:
    errors = report.errors
    return Summary(
        row_count=len(report.rows),
        valid_count=len(report.valid_rows),
        invalid_count=len(report.invalid_rows),
        unknown_headers=list(report.unknown_headers),
        errors=errors[:SUMMARY_ERRORS_KEPT],
        error_count=len(errors),
    )


def store_summary(*, institution_id: int, token: str, summary: Summary) -> None:
    """Keep the preview of a staged upload: showing it again does not parse the file again."""
    payload = {
        **{k: getattr(summary, k) for k in ("row_count", "valid_count", "invalid_count", "error_count")},
        "unknown_headers": summary.unknown_headers,
        "errors": [[e.row, e.column, e.message] for e in summary.errors],
    }
    path = storage_path(institution_id, token) + SUMMARY_SUFFIX
    default_storage.save(path, ContentFile(json.dumps(payload).encode("utf-8")))


def load_summary(*, institution_id: int, token: str) -> Summary | None:
    if not _TOKEN.match(token or ""):
        return None
    path = storage_path(institution_id, token) + SUMMARY_SUFFIX
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        payload = json.loads(handle.read())
    return Summary(
        row_count=payload["row_count"],
        valid_count=payload["valid_count"],
        invalid_count=payload["invalid_count"],
        unknown_headers=payload["unknown_headers"],
        errors=[RowError(row, column, message) for row, column, message in payload["errors"]],
        error_count=payload["error_count"],
    )


def decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text. Save it as CSV (UTF-8) or .xlsx.")) from exc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).strip()


def read_table(data: bytes, fmt: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as in the file, cells) for every row, the header included."""
    if fmt == CSV:
        text = decode_text(data)
        sample = text[:8192]
        first_line = sample.splitlines()[0] if sample else ""
        delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                if (
                    reader.line_num > MAX_ROWS + 1 + MAX_BLANK_ROWS
                    or len(row) > MAX_COLUMNS
                    or any(len(c) > MAX_CELL_CHARS for c in row)
                ):
                    raise _too_big()
                # A quoted cell may span lines: csv.reader knows the physical line it ended on.
                yield reader.line_num, [_cell(c) for c in row]
        except csv.Error as exc:
            raise ImportFileError(
                _("The CSV file cannot be read near line %(line)s.") % {"line": reader.line_num}
            ) from exc
        return
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on broken files
        raise ImportFileError(_("This file is not a valid Excel (.xlsx) file.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # check_xlsx_limits ran at upload; the bounds here keep a stored file within them too.
        rows = sheet.iter_rows(max_row=MAX_ROWS + 1 + MAX_BLANK_ROWS, max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(rows, start=1):
            yield number, [_cell(c) for c in row]
    finally:
        workbook.close()


def _line_number_of_record_start(rows: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """csv.reader reports the line a record ends on; report the line it starts on."""
    previous_end = 0
    for end, cells in rows:
        yield previous_end + 1, cells
        previous_end = end


def parse(spec: ImportSpec, data: bytes, fmt: str) -> Report:
    """Read and validate the whole file; nothing is written."""
    rows = read_table(data, fmt)
    if fmt == CSV:
        rows = _line_number_of_record_start(rows)
    header: list[str] | None = None
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    raw_rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        if header is None:
            if not any(cells):
                continue
            header = cells
            mapping, unknown = _map_header(spec, header)
            continue
        if not any(cells):
            continue  # blank lines are ignored
        if len(raw_rows) >= MAX_ROWS:
            raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
        raw = dict.fromkeys(mapping.values(), "")
        for index, key in mapping.items():
            if index < len(cells):
                raw[key] = cells[index]
        raw_rows.append((number, raw))
    if header is None:
        raise ImportFileError(_("The file is empty."))
    missing = [c for c in spec.columns if c.required and c.key not in mapping.values()]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(str(c.label) for c in missing)}
        )
    if not raw_rows:
        raise ImportFileError(_("The file has a header but no rows."))
    labels = {c.key: str(c.label) for c in spec.columns}
    context = spec.prepare([raw for _number, raw in raw_rows])
    seen: dict[str, dict[Any, int]] = {name: {} for name in spec.unique_keys}
    parsed: list[ParsedRow] = []
    for number, raw in raw_rows:
        row = ParsedRow(number=number, raw=raw)
        for column in spec.columns:
            if column.required and not raw.get(column.key, "").strip():
                row.errors.append(RowError(number, labels[column.key], _("This field is required.")))
        cleaned, problems = spec.clean_row(raw, context)
        required_missing = {e.column for e in row.errors}
        for key, message in problems.items():
            label = labels.get(key, "")
            if label not in required_missing:
                row.errors.append(RowError(number, label, str(message)))
        row.cleaned = cleaned
        for name, (column_key, key_of) in spec.unique_keys.items():
            key = key_of(cleaned) if column_key in cleaned else None
            if key in (None, "", ()):
                continue
            first = seen[name].get(key)
            if first is None:
                seen[name][key] = number
            elif not any(e.column == labels[column_key] for e in row.errors):
                row.errors.append(
                    RowError(
                        number,
                        labels[column_key],
                        _("Duplicate within the file: the same value as row %(row)s.") % {"row": first},
                    )
                )
        parsed.append(row)
    return Report(rows=parsed, unknown_headers=unknown)


def _map_header(spec: ImportSpec, header: list[str]) -> tuple[dict[int, str], list[str]]:
    accepted = {column.key: column.accepted_headers() for column in spec.columns}
    mapping: dict[int, str] = {}
    unknown = []
    for index, name in enumerate(header):
        wanted = normalise_header(name)
        key = next((k for k, names in accepted.items() if wanted in names), None)
        if key is None or key in mapping.values():
            if name:
                unknown.append(name)
            continue
        mapping[index] = key
    return mapping, unknown


CHUNK = 500  # ids per IN (...) query: well below every database's parameter limit


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_TRUE = {"1", "ja", "j", "yes", "y", "true", "waar", "x", "oui", "vrai"}


_FALSE = {"", "0", "nee", "n", "no", "false", "onwaar", "non", "faux"}


def _parse_bool(value: str) -> bool | None:
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _choice_lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """normalised value or label (in every language) -> stored value."""
    from django.conf import settings

    lookup = {}
    for value, label in choices:
        lookup[importers.normalise_header(value)] = value
        for code, _name in settings.LANGUAGES:
            with override(code):
                lookup[importers.normalise_header(str(label))] = value
    for word, value in (extra or {}).items():
        lookup[importers.normalise_header(word)] = value
    return lookup


def _check_length(errors: dict, key: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[key] = _("At most %(max)s characters.") % {"max": limit}


def _check_email(errors: dict, key: str, value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        errors[key] = _("“%(value)s” is not a valid e-mail address.") % {"value": value}
        return False
    return True


def export_headers(spec: type[ImportSpec]) -> list[str]:
    """Column labels of an import, so an export can be imported again."""
    return [str(column.label) for column in spec.columns]
