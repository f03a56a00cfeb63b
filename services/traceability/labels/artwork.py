"""Label artwork: the QR code of a scan URL as PNG (for screens and print shops) and SVG
(scales to any package size)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage


@dataclass(frozen=True)
class LabelArtwork:
    png: bytes
    svg: bytes


def render_qr(url: str) -> LabelArtwork:
    # Level M survives the scuffs and creases of packaging while keeping modules large;
    # the 4-module quiet zone is what scanners need around the code.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10,
                         border=4)
    code.add_data(url)
    code.make(fit=True)
    png = io.BytesIO()
    code.make_image(image_factory=PilImage).save(png, format="PNG")
    svg = code.make_image(image_factory=SvgPathImage).to_string(encoding="utf-8")
    return LabelArtwork(png=png.getvalue(), svg=svg)
