"""A product's card as an image: what a feed's ``image_link`` and a shared link's preview
show of a product that has no photo.

The card says what the listing says — the product's name, its OCOP stars drawn and in
words, its producer and where it is, its certificate's number and level — in Vietnamese,
the feeds' language, with the font the platform's PDFs use (Source Sans Pro carries every
Vietnamese letter). 1200×630 PNG: the size Open Graph previews show whole (1.91:1), and
over Merchant Center's minimum of 100×100 for a product image.

Its URL holds a digest of what is drawn (``card_url``): it changes only when the card
would look different, so it is drawn once per such version, kept in the object store, and
served with a year's ``immutable`` cache; a feed only computes the URL (no drawing, no I/O).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import math
import os
from functools import cache

import font_source_sans_pro
from PIL import Image, ImageDraw, ImageFont

from shared.i18n import N_, words
from shared.messaging.contracts.catalog import ListingState
from shared.ports.objects import ObjectNotFound, ObjectStore

WIDTH, HEIGHT = 1200, 630
DESIGN = "1"
"""Moves every card's URL when the drawing changes (a new layout, colours, font)."""
LANGUAGE = "vi"
MEDIA_TYPE = "image/png"
GREEN, INK, MUTED, STAR, NO_STAR = "#14532d", "#1b1b1b", "#4b5563", "#b45309", "#d1d5db"
MARGIN = 60


def card_digest(state: ListingState) -> str:
    """16 hex digits of what the card shows: equal digests, equal pictures."""
    c = state.certificate
    shown = "\x1f".join((DESIGN, state.name, str(state.stars), state.producer.name,
                         state.producer.commune, state.producer.province, c.number,
                         c.level.code))
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def card_url(state: ListingState) -> str:
    """Where the card of the listing as it is now is served (beside its page)."""
    return f"{state.page_url}/card/{card_digest(state)}.png"


def picture_url(state: ListingState) -> str:
    """The product's first photo, else its card: what a feed or a preview shows."""
    return state.image_urls[0] if state.image_urls else card_url(state)


@cache
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        os.path.join(font_source_sans_pro.font_directory, f"SourceSansPro-{weight}.ttf"), size)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float, fill: str) -> None:
    points = [(cx + (radius if i % 2 == 0 else radius * 0.4) * math.sin(i * math.pi / 5),
               cy - (radius if i % 2 == 0 else radius * 0.4) * math.cos(i * math.pi / 5))
              for i in range(10)]
    draw.polygon(points, fill=fill)


def _lines(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int,
           most: int) -> list[str]:
    """``text`` wrapped at words to ``width`` pixels, at most ``most`` lines (the last one
    cut with an ellipsis)."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] += "…"
    fitted = []
    for line in lines:
        while draw.textlength(line, font=font) > width and len(line) > 1:
            line = line[:-2] + "…"
        fitted.append(line)
    return fitted


def draw_card(state: ListingState) -> bytes:
    """The card as PNG bytes (CPU work: a few tens of milliseconds)."""
    said = words(LANGUAGE)
    image = Image.new("RGB", (WIDTH, HEIGHT), "#fafaf9")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 96), fill=GREEN)
    draw.text((MARGIN, 48), said.gettext(N_("OCOP products")), font=_font("Bold", 44),
              fill="white", anchor="lm")
    y = 130
    for line in _lines(draw, state.name, _font("Bold", 66), WIDTH - 2 * MARGIN, 2):
        draw.text((MARGIN, y), line, font=_font("Bold", 66), fill=GREEN)
        y += 78
    y += 20
    for i in range(5):
        _star(draw, MARGIN + 30 + i * 68, y + 30, 30, STAR if i < state.stars else NO_STAR)
    draw.text((MARGIN + 5 * 68 + 20, y + 30),
              said.gettext(N_("OCOP %(stars)s stars"), stars=state.stars),
              font=_font("Bold", 48), fill=STAR, anchor="lm")
    y += 100
    producer = state.producer
    for line in _lines(draw, producer.name, _font("Semibold", 40), WIDTH - 2 * MARGIN, 1):
        draw.text((MARGIN, y), line, font=_font("Semibold", 40), fill=INK)
    y += 54
    draw.text((MARGIN, y), f"{producer.commune}, {producer.province}",
              font=_font("Regular", 34), fill=MUTED)
    c = state.certificate
    draw.line((MARGIN, HEIGHT - 80, WIDTH - MARGIN, HEIGHT - 80), fill=NO_STAR, width=2)
    draw.text((MARGIN, HEIGHT - 42),
              f"{said.gettext(N_('Certificate number'))}: {c.number} · {c.level.name_vi}",
              font=_font("Regular", 32), fill=MUTED, anchor="lm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


class Cards:
    """Product cards, drawn on first demand and kept in the object store by digest (two
    replicas drawing the same card at once store the same bytes)."""

    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects

    async def png(self, state: ListingState) -> bytes:
        key = f"cards/{state.product_id}/{card_digest(state)}.png"
        try:
            return (await self.objects.get(key)).data
        except ObjectNotFound:
            drawn = await asyncio.to_thread(draw_card, state)
            await self.objects.put(key, drawn, MEDIA_TYPE)
            return drawn
