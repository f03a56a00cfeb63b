"""Reading the tables offices keep in spreadsheets: the first sheet of an Excel workbook
or a CSV file, as rows of cells. Registry imports and rating's criteria tables use it.
Writing them too: every CSV and XLSX cell the platform writes is made inert (``inert``).

Rows are read one at a time and reading stops as soon as the table is longer than the
caller allows, so a small file that unpacks into a million rows costs no more than the
allowed rows do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from shared.http.uploads import media_type
from shared.i18n.text import fold
from shared.refusals import N_, BadRequest, FieldError, Term

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BLANK_ROWS_ALLOWED = 1_000
"""Empty rows passed over before the file is taken as padded (formatted blank rows)."""


def read_table(data: bytes, content_type: str, filename: str = "", *,
               max_rows: int) -> list[list[Any]]:
    """The non-empty rows of the first sheet of an XLSX, or of a CSV (UTF-8, with or
    without BOM; ',', ';' or tab), header included; refused past ``max_rows`` data rows."""
    kind = media_type(content_type)
    is_xlsx = kind == XLSX or filename.lower().endswith(".xlsx") or data[:2] == b"PK"
    rows: list[list[Any]] = []
    blank = 0
    try:
        for row in (_xlsx_rows(data) if is_xlsx else _csv_rows(data)):
            if not any(cell not in (None, "") for cell in row):
                blank += 1
                if blank > BLANK_ROWS_ALLOWED:
                    break
                continue
            rows.append(row)
            if len(rows) > max_rows + 1:
                raise BadRequest(N_("At most %(most)s rows per file; split it."),
                                 code="too-many-rows", most=f"{max_rows:,}")
    except UnicodeDecodeError:
        raise _unreadable(Term(N_("UTF-8 CSV (save it from Excel as 'CSV UTF-8')"))) from None
    except csv.Error as exc:
        # the csv module's reason, in its own words
        raise _unreadable(Term(N_("CSV (%(reason)s)"), {"reason": str(exc)})) from None
    return rows


def records(rows: Sequence[Sequence[Any]], columns: Mapping[str, str],
            required: Iterable[str]) -> list[tuple[int, dict[str, Any]]]:
    """The rows under a table's header (its first non-empty row) as records: each non-empty
    row with its number as the office sees it (the header is row 1) and its cells keyed by
    field. Offices write headings many ways, so ``columns`` maps each heading, folded, to its
    field; a column it does not name is passed over. Refused when the table is empty or a
    ``required`` field has no column."""
    filled = [(number, row) for number, row in enumerate(rows, start=1)
              if any(cell not in (None, "") for cell in row)]
    if not filled:
        raise BadRequest(N_("The file is empty."), code="empty-file")
    header_at, headings = filled[0]
    header = [columns.get(fold(str(heading or ""))) for heading in headings]
    missing = [name for name in required if name not in header]
    if missing:
        raise BadRequest(N_("Missing columns: %(columns)s."), code="missing-columns",
                         errors=[FieldError(name, N_("column missing")) for name in missing],
                         columns=", ".join(missing))
    return [(number - header_at + 1,
             {name: cell for name, cell in zip(header, row, strict=False) if name})
            for number, row in filled[1:]]


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
    except Exception:
        raise _unreadable(_XLSX) from None
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:  # a damaged sheet fails part-way, in openpyxl or its XML parser
            raise _unreadable(_XLSX) from None
        yield list(row)


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    head = data[:4096].decode("utf-8-sig", errors="ignore")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(head, delimiters=",;\t")
    except csv.Error:  # one column, or too little text to tell: a comma file
        dialect = csv.excel
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    yield from csv.reader(text, dialect)


_XLSX = Term(N_("an Excel (.xlsx) workbook"))


def _unreadable(what: Term) -> BadRequest:
    return BadRequest(N_("The file could not be read as %(what)s."), code="unreadable-file",
                      what=what)


# --- writing --------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet program reads as the start of a formula (OWASP's CSV injection list)."""


def inert(value: Any) -> Any:
    """A cell a spreadsheet opens as text, whatever a person typed into it: text starting
    like a formula (a product named ``=HYPERLINK(…)``) is prefixed with ``'``, as OWASP
    advises. Every CSV and XLSX cell the platform writes goes through here. Numbers are
    left as they are: a count of -5 written as a number is data, never a formula, while
    the text "-5" (a name someone typed) is escaped like any other."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[Any]], *, delimiter: str = ",") -> str:
    """``rows`` as CSV (or TSV, with ``delimiter="\\t"``), each cell made ``inert``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return out.getvalue()


def write_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Put ``value`` in an XLSX cell as data, made ``inert``: the ``'`` stays in the text,
    so the cell stays text when someone edits it or saves the sheet as CSV."""
    if isinstance(value, str):  # control characters have no place in XLSX's XML
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return sheet.cell(row, column, inert(value))
