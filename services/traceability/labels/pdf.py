"""A label sheet as a print-ready PDF (ReportLab): A4, labels in a grid with cut marks, each
with its QR code drawn as vector shapes on a white quiet zone, the OCOP mark with the
product's stars, the product's name, lot, dates and the printed GTIN (and serial).

Drawn in the worker process, a part (some pages) at a time so that the caller can report
progress; the parts are then joined into one file (pypdf)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from pypdf import PdfWriter
from qrcode import QRCode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from services.traceability.labels.model import SheetLayout
from shared.files.pdf import fonts, star
from shared.i18n import N_, words
from shared.i18n.text import day_shown

RED, GOLD, INK, CUT = (HexColor("#b91c1c"), HexColor("#d4a017"), HexColor("#111111"),
                       HexColor("#c8c8c8"))
PADDING_MM = 2.0
QUIET_ZONE = 4
"""Modules of white around the code: what ISO/IEC 18004 asks for."""
LANGUAGE = "vi"
"""Labels go on goods sold in Việt Nam, which are labelled in Vietnamese (Nghị định
43/2017/NĐ-CP), whoever prints them."""


@dataclass(frozen=True)
class LabelFace:
    """What every label of a sheet shows besides its code."""

    product_name: str
    stars: int
    lot: str
    produced_on: date
    best_before: date | None
    expires_on: date | None
    gtin: str | None


@dataclass(frozen=True)
class Code:
    """One label's own part: the URL its QR code encodes and its serial, if any."""

    url: str
    serial: str | None = None


def draw_part(face: LabelFace, layout: SheetLayout, codes: list[Code],
              title: str) -> bytes:
    """Pages holding ``codes`` (``layout.per_page`` each) as a PDF. Identical labels (a
    batch sheet) are drawn once and placed many times."""
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    symbol = QrSymbol.for_sheet(codes[0].url)
    same = all(code == codes[0] for code in codes)
    if same:
        pdf.beginForm("label")
        _label(pdf, face, layout, codes[0], symbol)
        pdf.endForm()
    for start in range(0, len(codes), layout.per_page):
        for index, code in enumerate(codes[start:start + layout.per_page]):
            x, y = layout.slot(index)
            pdf.saveState()
            pdf.translate(x * mm, y * mm)
            if same:
                pdf.doForm("label")
            else:
                _label(pdf, face, layout, code, symbol)
            pdf.restoreState()
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def join_parts(parts: list[bytes]) -> bytes:
    """One PDF of the parts' pages, in order."""
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _label(pdf: Canvas, face: LabelFace, layout: SheetLayout, code: Code,
           symbol: QrSymbol) -> None:
    """One label with its lower-left corner at the origin."""
    width, height, pad = layout.label_width * mm, layout.label_height * mm, PADDING_MM * mm
    pdf.setStrokeColor(CUT)
    pdf.setLineWidth(0.3)
    pdf.rect(0, 0, width, height, stroke=1, fill=0)
    side = min(height, width / 2) - 2 * pad
    symbol.draw(pdf, code.url, pad, (height - side) / 2, side)
    _text(pdf, face, code, pad + side + pad, pad, width - side - 3 * pad, height - 2 * pad)


@dataclass(frozen=True)
class QrSymbol:
    """The version and mask every code of a sheet is drawn with. The eight masks are scored
    once, on the sheet's first code: the codes differ only in their random serials, so the
    score barely moves, and scoring each code would make a sheet ten times slower."""

    version: int
    mask: int

    @classmethod
    def for_sheet(cls, url: str) -> QrSymbol:
        code = QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
        code.add_data(url)
        code.make(fit=True)
        return cls(code.version, code.best_mask_pattern())

    def draw(self, pdf: Canvas, url: str, x: float, y: float, side: float) -> None:
        """The QR code of ``url`` filling a ``side`` square (quiet zone included) with its
        lower-left corner at (x, y): a white square, then one filled path of the dark runs
        of each row, in module units."""
        code = QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE,
                      version=self.version, mask_pattern=self.mask)
        code.add_data(url)
        code.make(fit=False)
        matrix = code.get_matrix()
        pdf.saveState()
        pdf.setFillColor(white)
        pdf.rect(x, y, side, side, stroke=0, fill=1)
        pdf.translate(x, y + side)
        pdf.scale(side / len(matrix), -side / len(matrix))
        path = pdf.beginPath()
        for row, cells in enumerate(matrix):
            column = 0
            while column < len(cells):
                if not cells[column]:
                    column += 1
                    continue
                run = column
                while run < len(cells) and cells[run]:
                    run += 1
                path.rect(column, row, run - column, 1)
                column = run
        pdf.setFillColor(INK)
        pdf.drawPath(path, stroke=0, fill=1)
        pdf.restoreState()


def _text(pdf: Canvas, face: LabelFace, code: Code, x: float, y: float, width: float,
          height: float) -> None:
    """The mark, then the name (two lines at most), lot, dates and the codes printed in
    full (a code's font shrinks to fit rather than lose a character)."""
    regular, bold = fonts()
    said = words(LANGUAGE)
    facts = [said.gettext(N_("Lot: %(lot)s"), lot=face.lot),
             said.gettext(N_("Produced: %(day)s"), day=day_shown(face.produced_on))]
    if face.expires_on:
        facts.append(said.gettext(N_("Use by: %(day)s"), day=day_shown(face.expires_on)))
    elif face.best_before:
        facts.append(said.gettext(N_("Best before: %(day)s"),
                                  day=day_shown(face.best_before)))
    codes = [f"(01){face.gtin}"] if face.gtin else []
    codes += [f"(21){code.serial}"] if code.serial else []
    # room for the mark (1.3 lines) and a name on two lines
    line = min(3.2 * mm, height / (len(facts) + len(codes) + 3.3))
    size = line / 1.18
    name = _wrapped(face.product_name, bold, size, width)
    top = y + height
    _mark(pdf, face.stars, x, top - line * 1.1, line * 1.1, bold)
    pdf.setFillColor(INK)
    lines = ([(bold, text, False) for text in name] + [(regular, text, False) for text in facts]
             + [(regular, text, True) for text in codes])
    for number, (font, text, whole) in enumerate(lines):
        fitting = min(size, width / stringWidth(text, font, 1)) if whole else size
        pdf.setFont(font, fitting)
        pdf.drawString(x, top - line * (2.2 + number),
                       text if whole else _fitted(text, font, size, width))


def _wrapped(name: str, font: str, size: float, width: float) -> list[str]:
    """The product's name on at most two lines."""
    words, first = name.split(), ""
    while words and stringWidth(f"{first} {words[0]}".strip(), font, size) <= width:
        first = f"{first} {words.pop(0)}".strip()
    return [first, " ".join(words)] if first and words else [name]


def _mark(pdf: Canvas, stars: int, x: float, y: float, height: float, bold: str) -> None:
    """The OCOP mark: the name on red, then the product's stars."""
    size = height * 0.72
    badge = stringWidth("OCOP", bold, size) + height * 0.5
    pdf.setFillColor(RED)
    pdf.roundRect(x, y, badge, height, height * 0.2, stroke=0, fill=1)
    pdf.setFillColor(white)
    pdf.setFont(bold, size)
    pdf.drawString(x + height * 0.25, y + height * 0.24, "OCOP")
    pdf.setFillColor(GOLD)
    for i in range(stars):
        star(pdf, x + badge + height * (0.6 + i * 0.95), y + height / 2, height * 0.45)


def _fitted(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to ``width``."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def warm_up() -> None:
    """Load ReportLab, pypdf and the fonts before the first sheet."""
    fonts()
    draw_part(LabelFace("warm-up", 3, "L", date(2000, 1, 1), None, None, None),
              SheetLayout(50, 30, 1), [Code("https://example.org")], "warm-up")
