"""How the office's decision pages read what the rating service answered: which open
evaluations every member has scored, how long a certificate has left, the names of its
states and levels. Plain functions and tables; the services keep every rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.web.clients.rating import IssuedCertificate, QueuedEvaluation
from services.web.clients.registry import CertifiedProduct, CertifiedSubject
from shared.i18n import N_

CERTIFICATE_STATES = {"active": N_("In force"), "expired": N_("Expired"),
                      "revoked": N_("Revoked"), "superseded": N_("Superseded")}
"""The states ``GET /certificates`` filters on, as the pages name them."""
LEVELS = {"province": N_("Provincial level"), "district": N_("District level"),
          "central": N_("Central level")}
"""Who recognised a certificate (the rating service's ``Level``)."""
EXPIRING_MONTHS = {1: N_("1 month"), 3: N_("3 months"), 6: N_("6 months"),
                   12: N_("12 months")}
"""The choices of "expiring within" the certificates list offers."""
RECOGNITION_FORM = ("decision_number", "decision_date")
REVOCATION_FORM = ("reason",)


def fully_scored(evaluation: QueuedEvaluation) -> bool:
    """Every member of its round's council has scored it (outside rounds, where any council
    member may score, one sheet is enough to close it)."""
    if evaluation.council_size is None:
        return evaluation.scored >= 1
    return evaluation.scored >= evaluation.council_size


def days_left(certificate: IssuedCertificate, today: date) -> int | None:
    """Days until a certificate in force lapses (0 on its last valid day); none otherwise."""
    if certificate.status != "active":
        return None
    return (certificate.valid_until - today).days


@dataclass(frozen=True)
class CertificateRow:
    """A certificate with whose product it is, as a list shows it."""

    certificate: IssuedCertificate
    product: CertifiedProduct | None
    subject: CertifiedSubject | None
    days_left: int | None


def rows(certificates: list[IssuedCertificate], products: dict[str, CertifiedProduct],
         subjects: dict[str, CertifiedSubject], today: date) -> list[CertificateRow]:
    return [CertificateRow(c, products.get(c.product_id), subjects.get(c.subject_id),
                           days_left(c, today)) for c in certificates]
