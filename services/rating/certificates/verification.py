"""The public verification page of a certificate (trang xác minh), which its PDF's QR code
opens: what the certificate says and whether it is in force today."""

from __future__ import annotations

from typing import Any

from shared.i18n import N_, words
from shared.i18n.text import day_shown
from shared.ocop.validity import CertificateStatus

STATE_TEXT = {
    CertificateStatus.ACTIVE: N_("In force until %(valid_until)s."),
    CertificateStatus.REVOKED: N_("REVOKED on %(revoked_on)s: the product is no longer an OCOP "
                                  "product."),
    CertificateStatus.EXPIRED: N_("EXPIRED after %(valid_until)s."),
    CertificateStatus.SUPERSEDED: N_("Replaced by a newer certificate."),
}


def verification_view(certificate: dict[str, Any], status: CertificateStatus,
                      language: str) -> dict[str, Any]:
    """What the page says of a certificate in ``status`` (its state today)."""
    return {
        "state": status.value,
        "state_text": words(language).gettext(
            STATE_TEXT[status], valid_until=day_shown(certificate["valid_until"]),
            revoked_on=day_shown(certificate.get("revoked_on"))),
        "valid_from": day_shown(certificate["valid_from"]),
        "valid_until": day_shown(certificate["valid_until"]),
        "decision_date": day_shown(certificate["decision_date"]),
    }
