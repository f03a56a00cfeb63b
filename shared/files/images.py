"""Uploaded photos made safe and light for the web.

Every image is decoded and drawn again (Pillow), so what is served is only pixels: no
metadata (a phone's GPS position, its serial), nothing hidden after the picture (a PNG
header followed by HTML). It is served at web widths as WebP, for a page to choose with
``srcset``; a 3000 px photo is not sent to a phone on mobile data.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from enum import IntEnum

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.refusals import N_, BadRequest


class WebWidth(IntEnum):
    """The widths (pixels) each image is served at."""

    PHONE = 480
    WIDE = 1200
    """A wide page, or a phone's dense screen."""


WEB_WIDTHS = tuple(WebWidth)
MAX_PIXELS = 25_000_000
"""Pixels decoded at most (100 MB in RGBA): a phone's photo is 12 million. A JPEG is
decoded at the smallest of 1/2, 1/4, 1/8 of its size that still fills the widest
rendition, so a 50 or 200-megapixel camera's photo is read in a few million; a PNG or WebP
is decoded whole, and beyond this a small file may be a decompression bomb."""
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
IMAGE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
"""Content type → the bytes such a file starts with (a WebP's RIFF is followed by WEBP)."""
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
WEBP_QUALITY = 80


@dataclass(frozen=True)
class WebImage:
    width: int
    height: int
    data: bytes
    content_type: str = "image/webp"


def _unreadable() -> BadRequest:
    return BadRequest(N_("The image cannot be read: send a whole JPEG, PNG or WebP photo."),
                      code="unreadable-image")


def _decoded(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise _unreadable()
            if image.format == "JPEG":
                image.draft("RGB", (WebWidth.WIDE, WebWidth.WIDE))
            if image.width * image.height > MAX_PIXELS:
                raise BadRequest(
                    N_("The image is %(width)s×%(height)s pixels; at most %(millions)s "
                       "million pixels are accepted."), code="image-too-large",
                    width=image.width, height=image.height, millions=MAX_PIXELS // 1_000_000)
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _unreadable() from None
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA") or "transparency" in upright.info
    return upright.convert("RGBA" if has_alpha else "RGB")


def web_renditions(data: bytes) -> dict[int, WebImage]:
    """The image at each of ``WEB_WIDTHS`` (never enlarged), as WebP without metadata;
    BadRequest if it is not a readable JPEG, PNG or WebP image. CPU-bound and up to a few
    hundred MB for a moment: run it in a worker process (``warm_up`` loads what it needs),
    which decodes one at a time and hands the memory back after each."""
    image = _decoded(data)
    renditions = {}
    for width in WEB_WIDTHS:
        copy = image.copy()
        copy.thumbnail((width, width * 10), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
        renditions[int(width)] = WebImage(copy.width, copy.height, out.getvalue())
    return renditions


def sized_url(url: str, width: int) -> str:
    """An image's URL at one of ``WEB_WIDTHS``."""
    return f"{url}?w={int(width)}"


def srcset(url: str) -> str:
    """The ``srcset`` of an image served at every web width."""
    return ", ".join(f"{sized_url(url, w)} {int(w)}w" for w in WEB_WIDTHS)


def warm_up() -> None:
    """Load the decoders and the WebP encoder in the worker process."""
    web_renditions(_sample_png())


def _sample_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    return out.getvalue()
