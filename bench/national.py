"""A national catalog for benchmarks: N listings that read like Việt Nam's OCOP products
(honey, durian, fish sauce, tea… from 34 provinces, by cooperatives, enterprises and
households, 3 to 5 stars), stored straight into a catalog's store as its event handlers
would keep them. Used by bench/feeds.py and bench/catalog.py."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from services.catalog.listings.model import ListedCertificate, Listing, Producer
from services.catalog.listings.rules import ListingStatus, search_text
from services.catalog.store import LISTINGS, listings
from shared.i18n.text import fold
from shared.ocop.vocabulary import SubjectType
from shared.ports.store import Collection, DocumentStore
from shared.ports.store.sqlite import SqliteDocumentStore

PROVINCES = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên",
    "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng",
    "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "TP. Hồ Chí Minh",
    "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang")
"""The 34 provinces and cities since 1 July 2025."""
PRODUCTS = (
    ("Mật ong rừng", "food", "honey_confectionery"), ("Sầu riêng", "food", "fresh_produce"),
    ("Nước mắm cá cơm", "food", "seasonings"), ("Chè búp", "food", "tea"),
    ("Cà phê rang xay", "food", "coffee_cocoa"), ("Miến dong", "food", "processed_produce"),
    ("Bánh đa vừng đen", "food", "honey_confectionery"), ("Gạo thơm", "food", "grains"),
    ("Tỏi cô đơn", "food", "fresh_produce"), ("Ổi", "food", "fresh_produce"),
    ("Cam sành", "food", "fresh_produce"), ("Bưởi da xanh", "food", "fresh_produce"),
    ("Chả cá", "food", "processed_meat_seafood"), ("Mắm tôm", "food", "seasonings"),
    ("Rượu đinh lăng", "beverages", "spirits"), ("Rượu cần", "beverages", "other_alcoholic"),
    ("Nước ép chanh dây", "beverages", "non_alcoholic"), ("Trà hoa vàng", "herbal", "herbs"),
    ("Tinh dầu sả chanh", "herbal", "essential_oils"), ("Cao dược liệu", "herbal",
                                                         "herbal_health"),
    ("Nón lá", "handicrafts", "household_decor"), ("Mây tre đan", "handicrafts",
                                                   "household_decor"),
    ("Thổ cẩm", "handicrafts", "textiles"), ("Lan hồ điệp", "ornamental", "flowers"),
    ("Bonsai", "ornamental", "ornamental_plants"), ("Du lịch cộng đồng bản", "tourism",
                                                    "community_tourism"))
PLACES = ("Khánh Sơn", "Phú Khương", "Kỳ Lạc", "Ba Cụp", "Tân Cương", "Nguyên Lâm",
          "Sơn Bình", "Khe Xai", "Mộc Châu", "Bảo Lộc", "Cái Bè", "Ninh Hòa", "Tam Nông",
          "Hương Sơn", "Đồng Văn", "Bình Minh", "Thanh Chương", "Vạn Ninh", "Hòa Bình",
          "Yên Thế")
PRODUCERS = ((SubjectType.COOPERATIVE, "HTX Nông nghiệp"),
             (SubjectType.ENTERPRISE, "Công ty TNHH"),
             (SubjectType.COOPERATIVE_GROUP, "Tổ hợp tác"),
             (SubjectType.HOUSEHOLD_BUSINESS, "Hộ kinh doanh"))
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hạnh", "Lan", "Minh", "Phúc", "Sơn", "Thảo", "Tâm",
         "Vinh", "Xuân", "Yến", "Hương", "Lộc", "Nga", "Quang", "Tùng", "Hải")


def listing(n: int, today: date) -> Listing:
    """The ``n``-th listing: every product kind in every place and province, in turn."""
    kind, group, subgroup = PRODUCTS[n % len(PRODUCTS)]
    place = PLACES[(n // len(PRODUCTS)) % len(PLACES)]
    province = PROVINCES[(n // 7) % len(PROVINCES)]
    subject_type, prefix = PRODUCERS[n % len(PRODUCERS)]
    producer = Producer(f"subject-{n // 3}",
                        f"{prefix} {GIVEN[(n // 3) % len(GIVEN)]} {place} {n // 3}",
                        subject_type)
    name = f"{kind} {place} {n}"
    decided = today - timedelta(days=n % 1000)
    return Listing(
        id=f"product-{n:07d}", status=ListingStatus.LISTED, name=name, name_key=fold(name),
        search_text=search_text(name, producer.name), description="Mô tả sản phẩm " * 8,
        group=group, subgroup=subgroup, gtin=None,
        image_urls=[f"https://img.ocop.example/{n}.webp"], stars=3 + (n * 7919) % 3,
        producer=producer, province=province, province_key=fold(province),
        commune=f"Xã {place}",
        certificate=ListedCertificate(f"cert-{n}", f"{n}/GCN", "province", f"{n}/QĐ-UBND",
                                      decided, decided, decided + timedelta(days=1095)),
        valid_until=decided + timedelta(days=1095),
        certified_at=f"{decided.isoformat()}T08:00:00+00:00",
        listed_at=f"{decided.isoformat()}T08:00:00+00:00",
        scan_url=f"https://scan.ocop.example/p/product-{n:07d}")


async def fill(store: DocumentStore, count: int, today: date, *, progress: bool = True,
               at_once: int = 1) -> float:
    """Store ``count`` listings, a thousand per statement and transaction, into a store
    whose indexes take each, ``at_once`` transactions in flight (a server's store: the next
    thousand made while the last are written); the seconds it took."""
    started = time.perf_counter()
    slots = asyncio.Semaphore(at_once)

    async def put(first: int, docs: dict[str, dict[str, Any]]) -> None:
        try:
            async with store.transaction() as tx:
                await tx.put_many(LISTINGS.name, docs)
        finally:
            slots.release()
        if progress and (first // 1000) % 50 == 49:
            print(f"  {first + 1000:,} listings stored", flush=True)

    async with asyncio.TaskGroup() as group:
        for first in range(0, count, 1000):
            docs = {made.id: listings.dump(made) for made in
                    (listing(n, today) for n in range(first, min(first + 1000, count)))}
            await slots.acquire()
            group.create_task(put(first, docs))
    return time.perf_counter() - started


async def fill_then_index(path: Path, count: int, today: date) -> float:
    """``fill`` a catalog's SQLite file before its store first opens: the rows go into the
    bare table, and the store builds its indexes and full-text index over them when it
    opens (one sorted pass each, where a million inserts into a dozen indexes slowed down
    with every hundred thousand). The seconds the rows took; the opening times itself."""
    bare = SqliteDocumentStore(path, [Collection(LISTINGS.name)])
    await bare.open()
    try:
        return await fill(bare, count, today)
    finally:
        await bare.close()
