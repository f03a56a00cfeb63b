"""The product card (``services/catalog/site/card.py``): a 1200×630 PNG whose font carries
every Vietnamese letter, and whose URL moves only when what it shows does."""

from __future__ import annotations

import io
import os
from datetime import date

import font_source_sans_pro
from PIL import Image
from reportlab.pdfbase.ttfonts import TTFontFile

from services.catalog.site.card import HEIGHT, WIDTH, card_url, draw_card, picture_url
from shared.messaging.contracts.catalog import (
    ListedCertificate,
    ListedProducer,
    ListingState,
    Named,
    Offer,
)

VIETNAMESE = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstu"
              "ùúủũụưừứửữựvxyỳýỷỹỵ")
"""The Vietnamese alphabet with every tone mark, in lower case (upper case below)."""


def named(code: str, name: str) -> Named:
    return Named(code=code, name_vi=name, name_en=name)


def state(**changes: object) -> ListingState:
    given: dict[str, object] = dict(
        product_id="p1", name="Rượu cần Lạc Dương", description="", stars=4,
        group=named("beverages", "Đồ uống"), subgroup=named("other", "Khác"),
        producer=ListedProducer(id="s1", name="Hộ Rượu Cần Lạc Dương",
                                type=named("household_business", "Hộ kinh doanh"),
                                province="Lâm Đồng", commune="Xã Lạc Dương"),
        gtin=None, image_urls=[],
        certificate=ListedCertificate(
            number="12/2026/OCOP-LĐ", level=named("province", "Cấp tỉnh"),
            decision_number="4/QĐ-UBND", decision_date=date(2026, 1, 5),
            valid_from=date(2026, 1, 5), valid_until=date(2029, 1, 4)),
        page_url="https://catalog.example/products/p1", scan_url=None, label_png_url=None,
        listed_at=None)
    return ListingState(**(given | changes))


def test_the_card_is_a_png_of_the_size_previews_show() -> None:
    picture = Image.open(io.BytesIO(draw_card(state())))
    assert (picture.format, picture.size) == ("PNG", (WIDTH, HEIGHT)) == ("PNG", (1200, 630))


def test_its_fonts_carry_every_vietnamese_letter() -> None:
    for weight in ("Regular", "Semibold", "Bold"):
        mapped = TTFontFile(os.path.join(font_source_sans_pro.font_directory,
                                         f"SourceSansPro-{weight}.ttf")).charToGlyph
        missing = {c for c in VIETNAMESE + VIETNAMESE.upper() if ord(c) not in mapped}
        assert not missing, (weight, missing)


def test_its_url_moves_only_when_what_it_shows_does() -> None:
    first = card_url(state())
    assert first.startswith("https://catalog.example/products/p1/card/")
    assert card_url(state(description="Ngon", offers=[Offer(
        channel_id="c1", channel_name="Postmart", url="https://postmart.vn/x")])) == first
    assert card_url(state(stars=5)) != first
    assert card_url(state(name="Rượu cần Lạc Dương thượng hạng")) != first
    assert picture_url(state()) == first
    assert picture_url(state(image_urls=["https://r.example/i/1"])) == "https://r.example/i/1"
