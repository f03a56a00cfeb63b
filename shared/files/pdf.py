"""What every PDF the platform draws shares (ReportLab): a font that carries every
Vietnamese letter, and the OCOP star."""

from __future__ import annotations

import math
import os
from functools import cache

import font_source_sans_pro
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas


@cache
def fonts() -> tuple[str, str]:
    """The regular and bold font names, registered with ReportLab on first use."""
    for name, file in (("OCOP", "SourceSansPro-Regular.ttf"),
                       ("OCOP-Bold", "SourceSansPro-Bold.ttf")):
        pdfmetrics.registerFont(TTFont(name, os.path.join(font_source_sans_pro.font_directory,
                                                          file)))
    return "OCOP", "OCOP-Bold"


def star(pdf: Canvas, cx: float, cy: float, radius: float) -> None:
    """A filled five-pointed star centred on (cx, cy), in the current fill colour."""
    points = [(cx + (radius if i % 2 == 0 else radius * 0.4) * math.sin(i * math.pi / 5),
               cy + (radius if i % 2 == 0 else radius * 0.4) * math.cos(i * math.pi / 5))
              for i in range(10)]
    path = pdf.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    pdf.drawPath(path, stroke=0, fill=1)
