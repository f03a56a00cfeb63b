"""The public catalog website (danh mục sản phẩm OCOP): what its pages say, in Vietnamese
first and in English, and what search engines and marketplaces read from a product page
(schema.org ``Product`` JSON-LD with its OCOP certificate). Pure: the routes are
``api/site.py``, the pages ``templates/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.contracts.catalog import ListingState, Named
from shared.images import WebWidth, sized_url
from shared.vocabulary import GROUPS_148_2023

PAGE_SIZE = 24
MIN_STARS = (3, 4, 5)

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "site": "Sản phẩm OCOP", "tagline": "Mỗi xã một sản phẩm — danh mục các sản phẩm đã "
        "được công nhận, cùng giấy chứng nhận và nơi bán.",
        "switch": "English", "search": "Tìm sản phẩm hoặc chủ thể", "search_button": "Tìm",
        "search_hint": "Gõ có dấu hay không dấu đều được, ví dụ: che tan cuong",
        "stars_filter": "Hạng sao", "any_stars": "Mọi hạng sao", "at_least": "Từ {n} sao",
        "group_filter": "Nhóm sản phẩm", "any_group": "Mọi nhóm", "province_filter": "Tỉnh/thành",
        "any_province": "Mọi tỉnh, thành phố", "results": "Kết quả",
        "none_found": "Không có sản phẩm nào khớp với tìm kiếm này. Hãy bớt điều kiện lọc.",
        "next_page": "Trang sau", "first_page": "Về trang đầu", "stars": "sao",
        "producer": "Chủ thể sản xuất", "locality": "Địa phương", "group": "Nhóm sản phẩm",
        "gtin": "Mã số GTIN", "certificate": "Giấy chứng nhận OCOP",
        "number": "Số giấy chứng nhận", "level": "Cấp công nhận",
        "decision": "Quyết định", "valid": "Hiệu lực", "verify": "Kiểm tra giấy chứng nhận",
        "origin": "Truy xuất nguồn gốc",
        "origin_batches": "Chủ thể ghi nhật ký nguồn gốc cho {n} lô sản phẩm.",
        "origin_none": "Chủ thể chưa ghi nhật ký nguồn gốc cho lô nào trên hệ thống.",
        "origin_scan": "Quét mã QR trên bao bì để xem hành trình của đúng lô bạn cầm trên tay.",
        "origin_open": "Xem trang truy xuất", "qr": "Mã QR in trên bao bì",
        "where_to_buy": "Nơi bán trực tuyến",
        "no_offers": "Chưa có kênh bán trực tuyến nào được ghi cho sản phẩm này.",
        "back": "← Danh mục sản phẩm", "photo": "Ảnh sản phẩm {name}",
        "missing": "Không có sản phẩm này trong danh mục",
        "footer": "Dữ liệu từ hệ thống OCOP của các cơ quan quản lý; cập nhật ngay khi sản "
                  "phẩm được công nhận, thay đổi hay bị thu hồi.",
        "main": "Nội dung chính", "filters": "Lọc danh mục",
    },
    "en": {
        "site": "OCOP products", "tagline": "One Commune One Product — the catalog of "
        "recognised products, with their certificates and where to buy them.",
        "switch": "Tiếng Việt", "search": "Search products or producers",
        "search_button": "Search",
        "search_hint": "With or without Vietnamese accents, e.g. che tan cuong",
        "stars_filter": "Stars", "any_stars": "Any rating", "at_least": "{n} stars or more",
        "group_filter": "Product group", "any_group": "Every group",
        "province_filter": "Province", "any_province": "Every province and city",
        "results": "Results",
        "none_found": "No product matches this search. Try fewer filters.",
        "next_page": "Next page", "first_page": "First page", "stars": "stars",
        "producer": "Producer", "locality": "Locality", "group": "Product group",
        "gtin": "GTIN", "certificate": "OCOP certificate", "number": "Certificate number",
        "level": "Recognised by", "decision": "Decision", "valid": "Valid",
        "verify": "Verify the certificate", "origin": "Origin records",
        "origin_batches": "Batches whose origin the producer records here: {n}.",
        "origin_none": "The producer has not recorded the origin of any batch here yet.",
        "origin_scan": "Scan the QR code on the package to see the journey of the very batch "
                       "in your hands.",
        "origin_open": "Open the origin page", "qr": "The QR code printed on the package",
        "where_to_buy": "Where to buy online",
        "no_offers": "No online shop has been recorded for this product yet.",
        "back": "← Product catalog", "photo": "Photo of {name}",
        "missing": "This product is not in the catalog",
        "footer": "Data from the OCOP offices' platform; updated as soon as a product is "
                  "recognised, changed or revoked.",
        "main": "Main content", "filters": "Filter the catalog",
    },
}


def name_in(named: Named, lang: str) -> str:
    return named.name_vi if lang == "vi" else named.name_en


def group_choices(lang: str) -> list[tuple[str, str]]:
    """(code, name) of each product group, for the filter."""
    return [(code, g.name_vi if lang == "vi" else g.name_en)
            for code, g in GROUPS_148_2023.items()]


@dataclass(frozen=True)
class Filters:
    """What a visitor searched for on the home page."""

    q: str | None = None
    min_stars: int | None = None
    group: str | None = None
    province: str | None = None

    @property
    def stars(self) -> list[int] | None:
        return list(range(self.min_stars, 6)) if self.min_stars else None

    def query(self, lang: str, **more: str) -> dict[str, str]:
        """The page's query string (for the language switch and the next page)."""
        given = {"q": self.q, "stars": str(self.min_stars) if self.min_stars else None,
                 "group": self.group, "province": self.province, "lang": lang, **more}
        return {k: v for k, v in given.items() if v}


def product_json_ld(listing: ListingState) -> dict[str, Any]:
    """schema.org ``Product``: name, images, producer as brand and manufacturer, GTIN, and
    ``hasCertification`` — the OCOP certificate, its stars as the rating, who issued it,
    its validity and the page that verifies it."""
    producer, c = listing.producer, listing.certificate
    certification: dict[str, Any] = {
        "@type": "Certification",
        "name": f"OCOP {listing.stars} sao (One Commune One Product, {listing.stars} stars)",
        "certificationIdentification": c.number,
        "certificationRating": {"@type": "Rating", "ratingValue": listing.stars,
                                "bestRating": 5, "worstRating": 1},
        "issuedBy": {"@type": "Organization", "name": c.level.name_vi},
        "validFrom": c.valid_from.isoformat(), "expires": c.valid_until.isoformat()}
    if c.verification_url:
        certification["url"] = c.verification_url
    made_by = {"@type": "Organization", "name": producer.name,
               "address": {"@type": "PostalAddress", "addressLocality": producer.commune,
                           "addressRegion": producer.province, "addressCountry": "VN"}}
    ld: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Product", "name": listing.name,
        "url": listing.page_url, "category": listing.group.name_vi,
        "image": [sized_url(u, WebWidth.WIDE) for u in listing.image_urls],
        "brand": {"@type": "Brand", "name": producer.name}, "manufacturer": made_by,
        "countryOfOrigin": {"@type": "Country", "name": "VN"},
        "hasCertification": certification}
    if listing.description:
        ld["description"] = listing.description
    if listing.gtin:
        ld["gtin"] = listing.gtin
    return ld
