"""The OCOP certificate (giấy chứng nhận) as a PDF: A4 landscape, Vietnamese with English
beneath, drawn with ReportLab in a font that carries every Vietnamese letter."""

from __future__ import annotations

import io
import math
import os
from datetime import date
from functools import cache
from typing import Any

import font_source_sans_pro
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

RED, GOLD, INK = HexColor("#9b1c1c"), HexColor("#c8961e"), HexColor("#1b1b1b")
LEVELS = {"district": ("Ủy ban nhân dân cấp huyện", "District People's Committee"),
          "province": ("Ủy ban nhân dân cấp tỉnh", "Provincial People's Committee"),
          "central": ("Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment")}


@cache
def _fonts() -> tuple[str, str]:
    for name, file in (("OCOP", "SourceSansPro-Regular.ttf"),
                       ("OCOP-Bold", "SourceSansPro-Bold.ttf")):
        pdfmetrics.registerFont(TTFont(name, os.path.join(font_source_sans_pro.font_directory,
                                                          file)))
    return "OCOP", "OCOP-Bold"


def warm_up_renderer() -> None:
    """Load ReportLab and the fonts in the worker before the first certificate."""
    _fonts()


def _star(pdf: Canvas, cx: float, cy: float, radius: float) -> None:
    points = [(cx + (radius if i % 2 == 0 else radius * 0.4) * math.sin(i * math.pi / 5),
               cy + (radius if i % 2 == 0 else radius * 0.4) * math.cos(i * math.pi / 5))
              for i in range(10)]
    path = pdf.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    pdf.drawPath(path, stroke=0, fill=1)


def _shown(day: str) -> str:
    return date.fromisoformat(day).strftime("%d/%m/%Y")


def render_certificate(certificate: dict[str, Any], product: dict[str, Any],
                       subject: dict[str, Any]) -> bytes:
    regular, bold = _fonts()
    out = io.BytesIO()
    width, height = landscape(A4)
    pdf = Canvas(out, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"Giấy chứng nhận OCOP {certificate['number']}")
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(6)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(1.5)
    pdf.rect(36, 36, width - 72, height - 72)

    def line(text: str, y: float, size: float, font: str = regular, colour: Any = INK) -> None:
        pdf.setFillColor(colour)
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, text)

    authority_vi, authority_en = LEVELS.get(certificate["level"], (certificate["level"],) * 2)
    line(authority_vi.upper(), height - 80, 14, bold)
    line(authority_en, height - 97, 11)
    line("GIẤY CHỨNG NHẬN SẢN PHẨM OCOP", height - 145, 30, bold, RED)
    line("OCOP PRODUCT CERTIFICATE", height - 170, 14, regular, RED)
    line(product["name"], height - 225, 26, bold)
    line(f"Chủ thể / Producer: {subject['name']}", height - 258, 14)
    place = ", ".join(p for p in (subject.get("commune"), subject.get("district"),
                                  subject.get("province")) if p)
    line(f"Địa chỉ / Address: {place}", height - 278, 12)
    pdf.setFillColor(GOLD)
    stars = int(certificate["stars"])
    for i in range(stars):
        _star(pdf, width / 2 + (i - (stars - 1) / 2) * 44, height - 325, 18)
    line(f"Đạt hạng {stars} sao / Rated {stars} stars — {certificate['score']:g} điểm / points",
         height - 365, 14, bold)
    line(f"Quyết định số / Decision no. {certificate['decision_number']} ngày / of "
         f"{_shown(certificate['decision_date'])}", height - 395, 12)
    line(f"Có giá trị đến / Valid until {_shown(certificate['valid_until'])}", height - 415, 12)
    line(f"Số giấy chứng nhận / Certificate no. {certificate['number']}", height - 445, 13, bold)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
