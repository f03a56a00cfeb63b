"""Contract events as the services' aggregates receive them, for unit tests of the read
models (catalog, traceability) without a bus."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.messaging.contracts.rating import (
    CertificateExpired,
    CertificateRevoked,
    CurrentCertificate,
)
from shared.messaging.contracts.registry import ProductState
from shared.ocop.vocabulary import SubjectType


def certified(certificate_id: str = "c1", *, stars: int = 4,
              valid_until: date = date(2029, 10, 14), product_version: int | None = 1,
              **changes: Any) -> CurrentCertificate:
    return CurrentCertificate(**{
        "product_id": "p1", "product_name": "Nước mắm Phú Khương", "description": "Cá cơm",
        "group": "food", "subgroup": "processed", "gtin": "08934563138165",
        "image_urls": [], "subject_id": "s1", "subject_name": "HTX Phú Khương",
        "subject_type": SubjectType.COOPERATIVE, "province": "Khánh Hòa",
        "commune": "Khánh Sơn", "score": 78.5, "stars": stars,
        "certificate_id": certificate_id, "certificate_number": "KH-2026-0001",
        "level": "province", "decision_number": "12/QĐ-UBND",
        "decision_date": date(2026, 10, 15), "valid_from": date(2026, 10, 15),
        "valid_until": valid_until, "product_version": product_version} | changes)


def product_state(name: str = "Nước mắm Phú Khương thượng hạng", *,
                  gtin: str | None = "08934563138165") -> ProductState:
    return ProductState(product_id="p1", subject_id="s1", name=name, group="food",
                        subgroup="processed", description="Cá cơm, muối", gtin=gtin,
                        image_urls=["https://img/1"], status="submitted",
                        registered_on=date(2026, 1, 5))


def revoked(certificate_id: str = "c1") -> CertificateRevoked:
    return CertificateRevoked(product_id="p1", certificate_id=certificate_id,
                              certificate_number="KH-2026-0001",
                              reason="Vi phạm an toàn thực phẩm", revoked_on=date(2027, 2, 1))


def expired(certificate_id: str = "c1") -> CertificateExpired:
    return CertificateExpired(product_id="p1", certificate_id=certificate_id,
                              certificate_number="KH-2026-0001",
                              expired_on=date(2029, 10, 15))
