"""Generic table exports as CSV (UTF-8 with BOM, ';' as Excel in Belgium expects) or XLSX.

Callers pass headers and rows that already come from a `visible_to(membership)` queryset;
this module only formats. Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

CSV = "csv"


XLSX = "xlsx"


FORMATS = (CSV, XLSX)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_csv(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ";", bom: bool = True
) -> bytes:
    """The one CSV writer of the platform: every cell a spreadsheet would run is neutralised.

    Defaults suit Excel in Belgium (';', UTF-8 with BOM); machine-readable exports may ask
    for ',' and no BOM.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_safe_csv(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else _safe_csv(v) for v in row])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Export") -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    bold = Font(bold=True)

    def cell(value: Any, header: bool = False) -> WriteOnlyCell:
        c = WriteOnlyCell(sheet, value=None if value is None else value)
        if isinstance(value, str) and value.startswith("="):
            c.data_type = "s"  # text, never a formula
        if header:
            c.font = bold
        return c

    sheet.append([cell(h, header=True) for h in headers])
    for row in rows:
        sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    *, fmt: str, basename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = ""
) -> HttpResponse:
    """An attachment named `<basename>-<date>.<fmt>`; fmt must be one of FORMATS."""
    stamp = timezone.localdate().isoformat()
    if fmt == XLSX:
        response = HttpResponse(xlsx_bytes(headers, rows, title=title or basename), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
