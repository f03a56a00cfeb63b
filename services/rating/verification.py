"""The public verification page of a certificate (trang xác minh), which its PDF's QR code
opens: what the certificate says and whether it is in force today."""

from __future__ import annotations

from typing import Any

from shared.text import day_shown
from shared.validity import CertificateStatus

STATE_TEXT = {
    ("vi", CertificateStatus.ACTIVE): "Còn hiệu lực đến ngày {valid_until}.",
    ("en", CertificateStatus.ACTIVE): "In force until {valid_until}.",
    ("vi", CertificateStatus.REVOKED): "ĐÃ BỊ THU HỒI ngày {revoked_on}: sản phẩm không còn là "
                                       "sản phẩm OCOP.",
    ("en", CertificateStatus.REVOKED): "REVOKED on {revoked_on}: the product is no longer an "
                                       "OCOP product.",
    ("vi", CertificateStatus.EXPIRED): "ĐÃ HẾT HIỆU LỰC sau ngày {valid_until}.",
    ("en", CertificateStatus.EXPIRED): "EXPIRED after {valid_until}.",
    ("vi", CertificateStatus.SUPERSEDED): "Đã được thay thế bằng một giấy chứng nhận mới.",
    ("en", CertificateStatus.SUPERSEDED): "Replaced by a newer certificate.",
}
PAGE_TEXT = {
    "vi": {"title": "Giấy chứng nhận sản phẩm OCOP", "switch": "English", "product": "Sản phẩm",
           "producer": "Chủ thể", "locality": "Địa chỉ", "stars": "Hạng", "star_unit": "sao",
           "authority": "Cơ quan công nhận", "decision": "Quyết định",
           "validity": "Hiệu lực", "reason": "Lý do thu hồi", "pdf": "Bản PDF",
           "newer": "Giấy chứng nhận hiện hành", "points": "điểm"},
    "en": {"title": "OCOP product certificate", "switch": "Tiếng Việt", "product": "Product",
           "producer": "Producer", "locality": "Address", "stars": "Rating",
           "star_unit": "stars", "authority": "Recognised by", "decision": "Decision",
           "validity": "Validity", "reason": "Reason for revocation", "pdf": "PDF copy",
           "newer": "Certificate in force", "points": "points"},
}


def verification_view(certificate: dict[str, Any], status: CertificateStatus,
                      language: str) -> dict[str, Any]:
    """The page's words for a certificate in ``status`` (its state today)."""
    return {
        "state": status.value,
        "state_text": STATE_TEXT[(language, status)].format(
            valid_until=day_shown(certificate["valid_until"]),
            revoked_on=day_shown(certificate.get("revoked_on"))),
        "valid_from": day_shown(certificate["valid_from"]),
        "valid_until": day_shown(certificate["valid_until"]),
        "decision_date": day_shown(certificate["decision_date"]),
        "t": PAGE_TEXT[language],
    }
