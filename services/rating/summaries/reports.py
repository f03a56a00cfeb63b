"""The annual summary as files offices keep: CSV (one table) and XLSX (tables and charts)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from shared.files.tables import csv_text, write_cell
from shared.i18n import N_, in_both, in_every_language, words

HEADER = ("section", "code", "name_vi", "name_en", "products", "subjects")
VI = words("vi")
"""The workbook is written in Vietnamese, its tables' titles and headers in English too."""


def _names(message: str, **params: object) -> tuple[str, str]:
    """A row's name: (Vietnamese, English)."""
    said = in_every_language(message, **params)
    return said["vi"], said["en"]


def summary_rows(summary: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every figure as (section, code, Vietnamese name, English name, products, subjects)."""
    r = summary["recognised"]
    rows: list[tuple[Any, ...]] = [
        ("registered", "", *_names(N_("Registered")), summary["registered"]["products"],
         summary["registered"]["subjects"]),
        ("recognised", "", *_names(N_("Recognised")), r["products"], r["subjects"])]
    rows += [("by_stars", stars, *_names(N_("%(stars)s stars"), stars=stars), n, "")
             for stars, n in r["by_stars"].items()]
    rows += [("by_group", g["group"], g["name_vi"], g["name_en"], g["products"], g["subjects"])
             for g in r["by_group"]]
    rows += [("by_subgroup", f"{g['group']}.{g['subgroup']}", g["name_vi"], g["name_en"],
              g["products"], g["subjects"]) for g in r["by_subgroup"]]
    rows += [("by_subject_type", t["type"], t["name_vi"], t["name_en"], t["products"],
              t["subjects"]) for t in r["by_subject_type"]]
    rows += [("by_commune", c["commune"], c["commune"], c["commune"], c["products"],
              c["subjects"]) for c in r["by_commune"]]
    rows += [("on_sale", c["channel_id"], c["channel_name"], c["channel_name"], c["products"],
              c["subjects"]) for c in summary["on_sale"]["by_channel"]]
    rows += [("expiring", c["number"], c["product_name"], c["valid_until"], 1, c["subject_name"])
             for c in summary["expiring"]["certificates"]]
    return rows


def summary_csv(summary: dict[str, Any]) -> str:
    return csv_text([HEADER, *summary_rows(summary)])


def _table(sheet: Any, title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]
           ) -> tuple[int, int]:
    """Write a titled table below what the sheet holds; returns its first and last data row."""
    start = sheet.max_row + 2 if sheet["A1"].value is not None else 1
    write_cell(sheet, start, 1, title).font = Font(bold=True, size=12)
    for col, name in enumerate(header, 1):
        write_cell(sheet, start + 1, col, name).font = Font(bold=True)
    for i, row in enumerate(rows):
        for col, value in enumerate(row, 1):
            write_cell(sheet, start + 2 + i, col, value)
    return start + 2, start + 1 + len(rows)


def _bar_chart(sheet: Any, title: str, first: int, last: int, anchor: str) -> None:
    if last < first:
        return
    chart = BarChart()
    chart.title, chart.y_axis.title = title, in_both(N_("products"))
    chart.add_data(Reference(sheet, min_col=2, min_row=first - 1, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = 7, 14
    sheet.add_chart(chart, anchor)


def summary_xlsx(summary: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = VI.gettext(N_("Summary"))
    place = ", ".join(v for v in summary["locality"].values() if v)
    write_cell(sheet, 1, 1, VI.gettext(N_("OCOP results of %(year)s — %(place)s"),
                                       year=summary["year"], place=place)).font = Font(
        bold=True, size=14)
    r = summary["recognised"]
    counts = (in_both(N_("products")), in_both(N_("subjects")))
    _table(sheet, in_both(N_("registered and recognised")), ("", *counts),
           [(in_both(N_("registered")), summary["registered"]["products"],
             summary["registered"]["subjects"]),
            (in_both(N_("recognised")), r["products"], r["subjects"])])
    first, last = _table(sheet, in_both(N_("by stars")), (VI.gettext(N_("Rating")), counts[0]),
                         [(VI.gettext(N_("%(stars)s stars"), stars=s), n)
                          for s, n in r["by_stars"].items()])
    _bar_chart(sheet, VI.gettext(N_("Products by stars")), first, last, "F3")
    first, last = _table(sheet, in_both(N_("by group")), (in_both(N_("group")), *counts),
                         [(g["name_vi"], g["products"], g["subjects"]) for g in r["by_group"]])
    _bar_chart(sheet, VI.gettext(N_("Products by group")), first, last, "F18")
    _table(sheet, in_both(N_("by sub-group")), (in_both(N_("sub-group")), *counts),
           [(g["name_vi"], g["products"], g["subjects"]) for g in r["by_subgroup"]])
    _table(sheet, in_both(N_("by subject type")), (in_both(N_("type")), *counts),
           [(t["name_vi"], t["products"], t["subjects"]) for t in r["by_subject_type"]])
    _table(sheet, in_both(N_("by commune")), (in_both(N_("commune")), *counts),
           [(c["commune"], c["products"], c["subjects"]) for c in r["by_commune"]])
    _table(sheet, in_both(N_("on sale on online channels")), (in_both(N_("channel")), *counts),
           [(c["channel_name"], c["products"], c["subjects"])
            for c in summary["on_sale"]["by_channel"]])
    sheet.column_dimensions["A"].width = 48
    expiring = book.create_sheet(VI.gettext(N_("Expiring soon")))
    _table(expiring, VI.gettext(N_("Certificates expiring by %(until)s"),
                                until=summary["expiring"]["until"]),
           (VI.gettext(N_("Cert. no.")), VI.gettext(N_("Product")), VI.gettext(N_("Subject")),
            VI.pgettext("a table's column", "Stars"), VI.gettext(N_("Valid until"))),
           [(c["number"], c["product_name"], c["subject_name"], c["stars"], c["valid_until"])
            for c in summary["expiring"]["certificates"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
