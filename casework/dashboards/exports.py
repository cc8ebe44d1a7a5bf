"""A list as CSV (UTF-8 with a byte-order mark, which Excel needs to read Chinese) or XLSX."""

from __future__ import annotations

import csv
import io
from itertools import islice
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from casework.dashboards.lists import MAX_ROWS, Listing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows_of(listing: Listing) -> tuple[list[str], list[list[Any]], bool]:
    """(header, rows, cut): at most MAX_ROWS rows; `cut` says there were more."""
    taken = list(islice(iter(listing.rows), MAX_ROWS + 1))
    cut = len(taken) > MAX_ROWS
    return (
        [str(c) for c in listing.columns],
        [[_safe(str(v)) if not isinstance(v, int | float) else v for v in listing.cells(r)]
         for r in taken[:MAX_ROWS]],
        cut,
    )  # fmt: skip


def csv_response(listing: Listing, filename: str) -> HttpResponse:
    header, rows, cut = rows_of(listing)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    if cut:
        writer.writerow([_("仅导出前 %(n)s 行") % {"n": MAX_ROWS}])
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(listing: Listing, filename: str) -> HttpResponse:
    header, rows, cut = rows_of(listing)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(listing.title)[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    if cut:
        sheet.append([_("仅导出前 %(n)s 行") % {"n": MAX_ROWS}])
    sheet.freeze_panes = "A2"
    for column, title in zip(sheet.columns, header, strict=False):
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = max(10, min(40, len(title) * 2 + 4))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
