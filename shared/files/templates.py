"""Spreadsheet templates (mẫu bảng tính): a workbook an office fills for an import, made
from plain column specs. The first sheet is the one an importer reads (the headers, the
cells' formats and the lists they choose from); beside it, a guide to each column and the
lists sheet.

Each service keeps its templates beside its importer (the registry's
``services/registry/imports/template.py``, rating's ``services/rating/criteria/template.py``)
and hands ``Template`` the importer's own header map and required fields: making the
workbook checks that every header is one the importer reads as its field and every field
the importer reads has its column, so a template cannot drift from what is imported.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from shared.files.tables import write_cell
from shared.i18n import N_, Term, in_both, words
from shared.i18n.text import fold

ROWS = 2000
"""Rows below the header that keep a column's format and list (a list is longer: split it)."""
HEADER_FILL = PatternFill("solid", fgColor="DDEBDA")


def vi(message: str, **params: object) -> str:
    return words("vi").gettext(message, **params)


def en(message: str, **params: object) -> str:
    return words("en").gettext(message, **params)


def both(message: str) -> str:
    """A label for both readers of one workbook: Vietnamese, then English in brackets."""
    return f"{vi(message)} ({en(message).lower()})"


GUIDE, LISTS = both(N_("Guide")), both(N_("Lists"))


@dataclass(frozen=True)
class Column:
    field: str
    """The importer's field this column fills."""
    header: str
    """As the template writes it, in the importer's words: what it reads (folded) as the
    field, so a heading is part of the import format, not a translation."""
    guide: str
    """What to write in it (a catalog message), in Vietnamese and in English."""
    choices: tuple[str, ...] = ()
    """What the cell picks from (the lists sheet); any value the importer reads still goes."""
    text: bool = False
    """Kept as text: a tax code's or a barcode's leading zeros are part of it."""
    width: int = 18


@dataclass(frozen=True)
class Listing:
    """A table beside the lists (e.g. which sub-groups belong to which group): what a
    cell's list cannot say, since one cell's list cannot depend on another's."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]


@dataclass(frozen=True)
class Template:
    name: str
    """The file's name, without ``.xlsx``."""
    sheet: str
    """The first sheet's title (a catalog message, in Vietnamese)."""
    columns: tuple[Column, ...]
    reads: Mapping[str, str]
    """The importer's folded header -> field."""
    required: Sequence[str]
    notes: Term
    """How to fill and import it, in Vietnamese and in English."""
    beside: Listing | None = None
    """A table on the lists sheet, right of the columns' lists."""

    def check(self) -> None:
        """Every header is read as its field, and every field read has a column."""
        for column in self.columns:
            if self.reads.get(fold(column.header)) != column.field:
                raise ValueError(f"{self.name}: the importer does not read "
                                 f"'{column.header}' as {column.field}")
        missing = set(self.reads.values()) - {c.field for c in self.columns}
        if missing:
            raise ValueError(f"{self.name}: no column for {', '.join(sorted(missing))}")


def workbook(template: Template) -> bytes:
    """The template as an XLSX file (``ValueError`` if it drifted from its importer)."""
    template.check()
    book = Workbook()
    sheet = book.active
    sheet.title = vi(template.sheet)
    lists = book.create_sheet(LISTS)
    for number, column in enumerate(template.columns, 1):
        letter = get_column_letter(number)
        cell = write_cell(sheet, 1, number, column.header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        sheet.column_dimensions[letter].width = column.width
        cells = f"{letter}2:{letter}{ROWS + 1}"
        if column.text:
            for (row,) in sheet[cells]:
                row.number_format = "@"
        if column.choices:
            write_cell(lists, 1, number, column.header).font = Font(bold=True)
            for i, choice in enumerate(column.choices, 2):
                write_cell(lists, i, number, choice)
            lists.column_dimensions[letter].width = column.width
            chosen = DataValidation(
                type="list", allow_blank=True, errorStyle="warning",
                formula1=f"{quote_sheetname(LISTS)}!${letter}$2:${letter}$"
                         f"{len(column.choices) + 1}",
                promptTitle=column.header, prompt=vi(column.guide)[:255],
                error=in_both(N_("not one of the list's values")))
            chosen.add(cells)
            sheet.add_data_validation(chosen)
    sheet.freeze_panes = "A2"
    _guide(book.create_sheet(GUIDE, 1), template)
    if template.beside is not None:
        _listing(lists, len(template.columns) + 2, template.beside)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _guide(sheet: Any, template: Template) -> None:
    notes = template.notes
    write_cell(sheet, 1, 1, vi(notes.message, **notes.params)).font = Font(bold=True)
    write_cell(sheet, 2, 1, en(notes.message, **notes.params))
    header = (both(N_("Column")), both(N_("Required")), vi(N_("Guide")), en(N_("Guide")))
    for number, name in enumerate(header, 1):
        write_cell(sheet, 4, number, name).font = Font(bold=True)
    for row, column in enumerate(template.columns, 5):
        required = both(N_("yes")) if column.field in template.required else ""
        for number, value in enumerate((column.header, required, vi(column.guide),
                                        en(column.guide)), 1):
            write_cell(sheet, row, number, value).alignment = Alignment(wrap_text=True,
                                                                         vertical="top")
    for letter, width in zip("ABCD", (22, 18, 50, 50), strict=True):
        sheet.column_dimensions[letter].width = width


def _listing(sheet: Any, first_column: int, listing: Listing) -> None:
    for offset, name in enumerate(listing.headers):
        write_cell(sheet, 1, first_column + offset, name).font = Font(bold=True)
    for row, values in enumerate(listing.rows, 2):
        for offset, value in enumerate(values):
            write_cell(sheet, row, first_column + offset, value)
    for offset, width in enumerate(listing.widths):
        sheet.column_dimensions[get_column_letter(first_column + offset)].width = width


def write_templates(folder: Path, templates: Iterable[Template]) -> list[Path]:
    """Each template into ``folder`` (made if missing) as ``<name>.xlsx``; the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for template in templates:
        path = folder / f"{template.name}.xlsx"
        path.write_bytes(workbook(template))
        written.append(path)
    return written
