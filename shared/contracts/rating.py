"""Events the rating service publishes about certificates (giấy chứng nhận OCOP).

Keyed by product: one product's certification, revocation and later changes stay in order.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.events.contracts import EventContract, contract
from shared.vocabulary import SubjectType

CERTIFICATES_TOPIC = "ocop.rating.certificates"


@contract("vn.ocop.rating.product.certified.v1", topic=CERTIFICATES_TOPIC)
class ProductCertified(EventContract):
    """A product recognised as OCOP (≥ 3★): what listings and labels show."""

    product_id: str
    product_name: str
    description: str = ""
    group: str
    subgroup: str
    gtin: str | None = None
    image_urls: list[str] = Field(default_factory=list)
    subject_id: str
    subject_name: str
    subject_type: SubjectType
    province: str
    commune: str
    score: float
    stars: int
    certificate_id: str
    certificate_number: str
    level: str
    """Recognising level: district, province or central."""
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    """Last day of validity (36 months from the decision)."""


@contract("vn.ocop.rating.certificate.revoked.v1", topic=CERTIFICATES_TOPIC)
class CertificateRevoked(EventContract):
    """Thu hồi: the product must no longer be presented as OCOP anywhere."""

    product_id: str
    certificate_id: str
    certificate_number: str
    reason: str
    revoked_on: date
