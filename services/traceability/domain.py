"""Traceability rules: the URL a label encodes (GS1 Digital Link), the states a scan can
tell (a certificate's live state is ``model.ShownCertificate.state_on``), and what the scan
page says. Pure functions, no I/O."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from stdnum import ean
from stdnum.exceptions import ValidationError as NumberInvalid

from shared.text import day_shown

GTIN14 = re.compile(r"^[0-9]{14}$")


def scan_url(base: str, product_id: str, gtin: str | None) -> str:
    """``{base}/01/{gtin14}`` (GS1 Digital Link) with a GTIN, ``{base}/p/{id}`` without."""
    root = base.rstrip("/")
    return f"{root}/01/{gtin}" if gtin else f"{root}/p/{product_id}"


def is_gtin14(value: str) -> bool:
    if not GTIN14.match(value):
        return False
    try:
        ean.validate(value)
    except NumberInvalid:
        return False
    return True


class CertificateState(StrEnum):
    """What the scan page tells: certified, or no longer (and why)."""

    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


STATE_TEXT = {
    ("vi", CertificateState.ACTIVE): "Sản phẩm OCOP {stars} sao — giấy chứng nhận còn hiệu lực "
                                     "đến {valid_until}",
    ("en", CertificateState.ACTIVE): "{stars}-star OCOP product — certificate valid until "
                                     "{valid_until}",
    ("vi", CertificateState.REVOKED): "KHÔNG còn là sản phẩm OCOP: giấy chứng nhận đã bị thu "
                                      "hồi ngày {revoked_on}",
    ("en", CertificateState.REVOKED): "NO LONGER an OCOP product: its certificate was revoked "
                                      "on {revoked_on}",
    ("vi", CertificateState.EXPIRED): "KHÔNG còn là sản phẩm OCOP: giấy chứng nhận đã hết hạn "
                                      "ngày {valid_until}",
    ("en", CertificateState.EXPIRED): "NO LONGER an OCOP product: its certificate expired on "
                                      "{valid_until}",
}


def state_text(lang: str, state: CertificateState, certificate: dict[str, Any]) -> str:
    return STATE_TEXT[(lang, state)].format(
        stars=certificate["stars"], valid_until=day_shown(certificate["valid_until"]),
        revoked_on=day_shown(certificate.get("revoked_on")))
