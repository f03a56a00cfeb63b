"""Spreadsheet templates (mẫu bảng tính) for what offices import: subjects and products
(the registry's imports) and criteria tables (rating's). ``ocop templates`` writes them;
the repository ships them in ``docs/templates/``.

Each template is made from its importer's own column definitions: every header is one the
importer reads as its field, and every field the importer reads has its column, or making
the template fails, so a template cannot drift from what is imported. The first sheet is
the one the importers read; beside it, a guide to each column and the lists the cells
choose from (types, the 34 provinces, groups and sub-groups).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from services.rating.criteria import commands as criteria_tables
from services.rating.criteria.rules import find_set
from services.registry.imports import rules as imports
from shared.files.tables import write_cell
from shared.i18n import N_, Term, in_both, words
from shared.i18n.text import fold
from shared.ocop.localities import provinces
from shared.ocop.vocabulary import GROUPS_148_2023, SUBJECT_TYPE_NAMES

ROWS = 2000
"""Rows below the header that keep a column's format and list (a list is longer: split it)."""
HEADER_FILL = PatternFill("solid", fgColor="DDEBDA")


def _vi(message: str, **params: object) -> str:
    return words("vi").gettext(message, **params)


def _en(message: str, **params: object) -> str:
    return words("en").gettext(message, **params)


def _both(message: str) -> str:
    """A label for both readers of one workbook: Vietnamese, then English in brackets."""
    return f"{_vi(message)} ({_en(message).lower()})"


GUIDE, LISTS = _both(N_("Guide")), _both(N_("Lists"))


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
class Template:
    name: str
    sheet: str
    """The first sheet's title (a catalog message, in Vietnamese)."""
    columns: tuple[Column, ...]
    reads: Mapping[str, str]
    """The importer's folded header -> field."""
    required: tuple[str, ...]
    notes: Term
    """How to fill and import it, in Vietnamese and in English."""
    groups_table: bool = False
    """Beside the lists, which sub-groups belong to which group."""

    def check(self) -> None:
        """Every header is read as its field, and every field read has a column."""
        for column in self.columns:
            if self.reads.get(fold(column.header)) != column.field:
                raise ValueError(f"{self.name}: the importer does not read "
                                 f"'{column.header}' as {column.field}")
        missing = set(self.reads.values()) - {c.field for c in self.columns}
        if missing:
            raise ValueError(f"{self.name}: no column for {', '.join(sorted(missing))}")


def _subject_types() -> tuple[str, ...]:
    return tuple(name_vi for name_vi, _ in SUBJECT_TYPE_NAMES.values())


def _groups() -> tuple[str, ...]:
    return tuple(g.name_vi for g in GROUPS_148_2023.values())


def _subgroups() -> tuple[str, ...]:
    return tuple(name_vi for g in GROUPS_148_2023.values() for name_vi, _ in g.subgroups.values())


DATE = N_("Day/month/year, e.g. 15/03/2019.")
OPTIONAL = N_("Optional.")

SUBJECTS = Template(
    "subjects", N_("Subjects"), (
        Column("type", "Loại chủ thể", N_("Pick from the list (or DN, HTX, THT)."),
               _subject_types(), width=26),
        Column("name", "Tên chủ thể", N_("The full name, as registered."), width=40),
        Column("code", "Mã số thuế", N_("Tax or registration code (leading zeros kept)."),
               text=True),
        Column("province", "Tỉnh", N_("One of the 34 provinces and cities (since 1 July 2025)."),
               tuple(name for _, name in provinces()), width=24),
        Column("district", "Huyện",
               N_("Only for records made before 1 July 2025: the district then.")),
        Column("commune", "Xã",
               N_("The commune, ward or special zone as it is now, with its diacritics."),
               width=24),
        Column("registered_on", "Ngày đăng ký", DATE, width=14),
        Column("representative", "Người đại diện", OPTIONAL, width=24),
        Column("phone", "Số điện thoại", OPTIONAL, text=True),
        Column("email", "Email", OPTIONAL, width=26)),
    imports.COLUMNS["subjects"], imports.REQUIRED["subjects"],
    Term(N_("One subject a row. Import: ocop import subjects <file> (or POST "
            "/imports/subjects).")))

PRODUCTS = Template(
    "products", N_("Products"), (
        Column("subject_code", "Mã số thuế chủ thể",
               N_("The tax code of a subject already registered."), text=True, width=20),
        Column("name", "Tên sản phẩm", N_("The product's name, as on its label."), width=36),
        Column("group", "Nhóm sản phẩm", N_("Pick from the list (Decision 148/QĐ-TTg)."),
               _groups(), width=30),
        Column("subgroup", "Phân nhóm", N_("A sub-group of the chosen group (see the lists)."),
               _subgroups(), width=36),
        Column("description", "Mô tả", OPTIONAL, width=36),
        Column("gtin", "Mã vạch", N_("GTIN of 8, 12, 13 or 14 digits; optional."), text=True),
        Column("registered_on", "Ngày đăng ký", DATE, width=14)),
    imports.COLUMNS["products"], imports.REQUIRED["products"],
    Term(N_("One product a row. Import: ocop import products <file> (or POST "
            "/imports/products).")),
    groups_table=True)

_PARTS = find_set("148/2023").maxima
CRITERIA = Template(
    "criteria-table", N_("Criteria"), (
        Column("code", "Mã", N_("The criterion's code, as in the appendix, e.g. A1."),
               width=10),
        Column("part", "Phần", N_("A, B or C."), tuple(_PARTS), width=8),
        Column("name_vi", "Tên tiêu chí", N_("As in the appendix."), width=50),
        Column("name_en", "Tên tiếng Anh", OPTIONAL, width=40),
        Column("maximum", "Điểm tối đa", N_("The criterion's maximum."), width=12)),
    criteria_tables.COLUMNS, criteria_tables.REQUIRED,
    Term(N_("One table per product group (or sub-group); each part's maxima add up to the "
            "decision's: %(parts)s. Load: POST "
            "/criteria-tables/file?criteria_set=148/2023&group=<group>."),
         {"parts": ", ".join(f"{p} {m}" for p, m in _PARTS.items())}))

TEMPLATES = (SUBJECTS, PRODUCTS, CRITERIA)


def workbook(template: Template) -> bytes:
    """The template as an XLSX file."""
    template.check()
    book = Workbook()
    sheet = book.active
    sheet.title = _vi(template.sheet)
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
                promptTitle=column.header, prompt=_vi(column.guide)[:255],
                error=in_both(N_("not one of the list's values")))
            chosen.add(cells)
            sheet.add_data_validation(chosen)
    sheet.freeze_panes = "A2"
    _guide(book.create_sheet(GUIDE, 1), template)
    if template.groups_table:
        _subgroup_table(lists, len(template.columns) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _guide(sheet: Any, template: Template) -> None:
    notes = template.notes
    write_cell(sheet, 1, 1, _vi(notes.message, **notes.params)).font = Font(bold=True)
    write_cell(sheet, 2, 1, _en(notes.message, **notes.params))
    header = (_both(N_("Column")), _both(N_("Required")), _vi(N_("Guide")), _en(N_("Guide")))
    for number, name in enumerate(header, 1):
        write_cell(sheet, 4, number, name).font = Font(bold=True)
    for row, column in enumerate(template.columns, 5):
        required = _both(N_("yes")) if column.field in template.required else ""
        for number, value in enumerate((column.header, required, _vi(column.guide),
                                        _en(column.guide)), 1):
            write_cell(sheet, row, number, value).alignment = Alignment(wrap_text=True,
                                                                         vertical="top")
    for letter, width in zip("ABCD", (22, 18, 50, 50), strict=True):
        sheet.column_dimensions[letter].width = width


def _subgroup_table(sheet: Any, first_column: int) -> None:
    """Which sub-groups belong to which group (a cell's list cannot depend on another's)."""
    for offset, name in enumerate((_both(N_("Group")), _both(N_("Sub-group")), "code"), 0):
        write_cell(sheet, 1, first_column + offset, name).font = Font(bold=True)
    row = 2
    for group in GROUPS_148_2023.values():
        for code, (name_vi, _) in group.subgroups.items():
            for offset, value in enumerate((group.name_vi, name_vi, code)):
                write_cell(sheet, row, first_column + offset, value)
            row += 1
    for offset, width in enumerate((30, 44, 22)):
        sheet.column_dimensions[get_column_letter(first_column + offset)].width = width


def write_templates(folder: Path) -> list[Path]:
    """Every template into ``folder`` (made if missing); the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for template in TEMPLATES:
        path = folder / f"{template.name}.xlsx"
        path.write_bytes(workbook(template))
        written.append(path)
    return written
