"""The OCOP certificate (giấy chứng nhận) as a PDF: A4 landscape, Vietnamese with English
beneath or beside it (both from the catalog, ``shared.i18n``), drawn with ReportLab in a
font that carries every Vietnamese letter.

It names the authority that signed it and carries a QR code to its public verification
page, which shows its state today. A certificate no longer in force is drawn stamped as
such, so a copy downloaded today cannot pass for a valid one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from qrcode import QRCode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from shared.files.pdf import fonts, star
from shared.i18n import N_, both, in_both, in_every_language, words
from shared.i18n.language import LANGUAGES
from shared.i18n.text import day_shown

RED, GOLD, INK = HexColor("#9b1c1c"), HexColor("#c8961e"), HexColor("#1b1b1b")
STAMPS = {"revoked": N_("Revoked"), "expired": N_("Expired"), "superseded": N_("Superseded")}
"""The stamp across a certificate no longer in force, by its state."""


@dataclass(frozen=True)
class Drawing:
    """What a certificate is drawn with besides its own record."""

    authority: tuple[str, str]
    """Who signed it (Vietnamese, English)."""
    verify_url: str
    status: str
    """Its state today: active, or the stamp's key."""


def warm_up_renderer() -> None:
    """Load ReportLab and the fonts in the worker before the first certificate."""
    fonts()


def _qr(pdf: Canvas, url: str, x: float, y: float, size: float, font: str) -> None:
    code = QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=8)
    code.add_data(url)
    picture = io.BytesIO()
    code.make_image(image_factory=PilImage).save(picture, format="PNG")
    pdf.drawImage(ImageReader(picture), x, y, size, size)
    pdf.setFont(font, 7)
    pdf.setFillColor(INK)
    pdf.drawCentredString(x + size / 2, y - 9, in_both(N_("Verify")))


def _stamp(pdf: Canvas, width: float, height: float, status: str, detail: str,
           font: str) -> None:
    said = in_every_language(STAMPS[status])
    pdf.saveState()
    pdf.translate(width / 2, height / 2)
    pdf.rotate(18)
    pdf.setStrokeColor(RED)
    pdf.setFillColor(RED)
    pdf.setFillAlpha(0.85)
    pdf.setLineWidth(4)
    pdf.roundRect(-260, -62, 520, 124, 14)
    pdf.setFont(font, 40)
    pdf.drawCentredString(0, 14, said["vi"].upper())
    pdf.setFont(font, 22)
    pdf.drawCentredString(0, -16, said["en"].upper())
    pdf.setFont(font, 12)
    pdf.drawCentredString(0, -44, detail)
    pdf.restoreState()


def _stamp_detail(certificate: dict[str, Any], status: str) -> str:
    if status == "revoked":
        on = {lang: words(lang).pgettext("the day of a revocation", "On") for lang in LANGUAGES}
        return f"{both(on)} {day_shown(certificate['revoked_on'])}"
    if status == "expired":
        expired = in_both(N_("Expired after"))
        return f"{expired} {day_shown(certificate['valid_until'])}"
    return in_both(N_("See the newer certificate"))


def render_certificate(certificate: dict[str, Any], product: dict[str, Any],
                       subject: dict[str, Any], drawing: Drawing) -> bytes:
    regular, bold = fonts()
    out = io.BytesIO()
    width, height = landscape(A4)
    pdf = Canvas(out, pagesize=(width, height), pageCompression=1)
    named = words("vi").gettext("OCOP certificate")  # the file's title: Vietnamese
    pdf.setTitle(f"{named} {certificate['number']}")
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(6)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(1.5)
    pdf.rect(36, 36, width - 72, height - 72)

    def line(text: str, y: float, size: float, font: str = regular, colour: Any = INK) -> None:
        pdf.setFillColor(colour)
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, text)

    authority_vi, authority_en = drawing.authority
    line(authority_vi.upper(), height - 80, 14, bold)
    line(authority_en, height - 97, 11)
    title = in_every_language(N_("OCOP product certificate"))
    line(title["vi"].upper(), height - 145, 30, bold, RED)
    line(title["en"].upper(), height - 170, 14, regular, RED)
    line(product["name"], height - 225, 26, bold)
    producer = in_both(N_("Producer"))
    line(f"{producer}: {subject['name']}", height - 258, 14)
    place = ", ".join(p for p in (subject.get("commune"), subject.get("district"),
                                  subject.get("province")) if p)
    address = in_both(N_("Address"))
    line(f"{address}: {place}", height - 278, 12)
    pdf.setFillColor(GOLD)
    stars = int(certificate["stars"])
    for i in range(stars):
        star(pdf, width / 2 + (i - (stars - 1) / 2) * 44, height - 325, 18)
    rated, points = in_both(N_("Rated %(stars)s stars"), stars=stars), in_both(N_("points"))
    line(f"{rated} — {certificate['score']:g} {points}", height - 365, 14, bold)
    decision = in_both(N_("Decision no."))
    # the decision's date is said between its number and the day ("ngày" / "of")
    dated = {lang: words(lang).pgettext("a decision's date", "of") for lang in LANGUAGES}
    line(f"{decision} {certificate['decision_number']} {both(dated)} "
         f"{day_shown(certificate['decision_date'])}", height - 395, 12)
    valid_until = in_both(N_("Valid until"))
    line(f"{valid_until} {day_shown(certificate['valid_until'])}", height - 415, 12)
    number = in_both(N_("Certificate no."))
    line(f"{number} {certificate['number']}", height - 445, 13, bold)
    _qr(pdf, drawing.verify_url, width - 150, 52, 96, regular)
    if drawing.status in STAMPS:
        _stamp(pdf, width, height, drawing.status, _stamp_detail(certificate, drawing.status),
               bold)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
