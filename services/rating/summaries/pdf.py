"""The annual summary as a PDF an office files or hands round at a review meeting: A4, under
the national heading, its tables in Vietnamese with English beside each title (from the
catalog, ``shared.i18n``), drawn with ReportLab in the font the certificates use."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shared.files.pdf import fonts
from shared.i18n import N_, in_both, words
from shared.i18n.text import day_shown, number_shown

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
"""The national heading (quốc hiệu, tiêu ngữ) every administrative document opens with."""
INK, RULE, SHADE = HexColor("#1b1b1b"), HexColor("#8a8a8a"), HexColor("#ece6d6")
VI = words("vi")


def _number(value: int) -> str:
    return number_shown(value, "vi")


def _table(rows: list[list[str]], widths: list[float], font: str, bold: str,
           figures_from: int) -> Table:
    """Its columns from ``figures_from`` on hold figures, aligned right."""
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 10), ("FONT", (0, 0), (-1, 0), bold, 10),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("ALIGN", (figures_from, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def summary_pdf(summary: dict[str, Any]) -> bytes:
    """The summary (``annual_summary``'s figures) as an A4 PDF."""
    regular, bold = fonts()
    out = io.BytesIO()
    place = ", ".join(v for v in summary["locality"].values() if v)
    title = VI.gettext(N_("OCOP results of %(year)s — %(place)s"), year=summary["year"],
                       place=place)
    document = SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=18 * mm,
                                 rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm)
    centred = ParagraphStyle("centred", fontName=bold, fontSize=12, leading=16,
                             alignment=TA_CENTER, textColor=INK)
    heading = ParagraphStyle("heading", fontName=bold, fontSize=11, leading=15,
                             spaceBefore=10, spaceAfter=4, textColor=INK)
    plain = ParagraphStyle("plain", fontName=regular, fontSize=10, leading=13, textColor=INK)
    r = summary["recognised"]
    products, subjects = in_both(N_("products")), in_both(N_("subjects"))
    wide = document.width
    as_of = in_both(N_("As of"))
    story: list[Any] = [
        Paragraph(NATION, centred), Paragraph(f"<u>{MOTTO}</u>", centred), Spacer(1, 8 * mm),
        Paragraph(title.upper(), ParagraphStyle("title", parent=centred, fontSize=14,
                                                 leading=19)),
        Paragraph(f"{as_of} {day_shown(summary['as_of'])}",
                  ParagraphStyle("as_of", parent=plain, alignment=TA_CENTER)),
        Spacer(1, 6 * mm)]

    def section(name: str, header: list[str], rows: list[list[str]],
                shares: tuple[float, ...] = (0.5, 0.25, 0.25), figures_from: int = 1) -> None:
        story.append(Paragraph(name, heading))
        if not rows:
            story.append(Paragraph(in_both(N_("None")), plain))
            return
        story.append(_table([header, *rows], [wide * share for share in shares], regular,
                            bold, figures_from))

    section(in_both(N_("registered and recognised")), ["", products, subjects], [
        [in_both(N_("registered")), _number(summary["registered"]["products"]),
         _number(summary["registered"]["subjects"])],
        [in_both(N_("recognised")), _number(r["products"]), _number(r["subjects"])]])
    stars = [VI.gettext(N_("%(stars)s stars"), stars=s) for s in (3, 4, 5)]  # no ★ in the font
    section(in_both(N_("by stars")), [VI.gettext(N_("Rating")), products],
            [[VI.gettext(N_("%(stars)s stars"), stars=s), _number(n)]
             for s, n in r["by_stars"].items()], (0.5, 0.5))
    by_stars = (0.34, 0.14, 0.14, 0.14, 0.24)
    section(in_both(N_("by commune")), [in_both(N_("commune")), *stars, products],
            [[c["commune"], *(_number(c["by_stars"].get(s, 0)) for s in "345"),
              _number(c["products"])] for c in r["by_commune"]], by_stars)
    section(in_both(N_("by group")), [in_both(N_("group")), *stars, products],
            [[g["name_vi"], *(_number(g["by_stars"].get(s, 0)) for s in "345"),
              _number(g["products"])] for g in r["by_group"]], by_stars)
    section(in_both(N_("by subject type")), [in_both(N_("type")), products, subjects],
            [[t["name_vi"], _number(t["products"]), _number(t["subjects"])]
             for t in r["by_subject_type"]])
    expiring = summary["expiring"]
    section(VI.gettext(N_("Certificates expiring by %(until)s"),
                       until=day_shown(expiring["until"])),
            [VI.gettext(N_("Cert. no.")), VI.gettext(N_("Product")),
             VI.pgettext("a table's column", "Stars"), VI.gettext(N_("Valid until"))],
            [[c["number"], c["product_name"], _number(c["stars"]), day_shown(c["valid_until"])]
             for c in expiring["certificates"]], (0.2, 0.45, 0.1, 0.25), figures_from=2)
    document.build(story)
    return out.getvalue()
