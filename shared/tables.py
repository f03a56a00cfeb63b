"""Reading the tables offices keep in spreadsheets: the first sheet of an Excel workbook
or a CSV file, as rows of cells. Registry imports and rating's criteria tables use it."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from shared.errors import BadRequest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_table(data: bytes, content_type: str, filename: str = "") -> list[list[Any]]:
    """The first sheet of an XLSX, or a CSV (UTF-8, with or without BOM; ',' or ';')."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == XLSX or filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:
            raise _unreadable("an Excel (.xlsx) workbook") from None
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _unreadable("UTF-8 CSV (save it from Excel as 'CSV UTF-8')") from None
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _unreadable(what: str) -> BadRequest:
    return BadRequest(f"The file could not be read as {what}.",
                      f"Không đọc được tệp dưới dạng {what}.", code="unreadable-file")
