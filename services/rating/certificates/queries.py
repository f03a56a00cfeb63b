"""Reading certificates back: which certificates a list's filters select on a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.rating.certificates.rules import add_months
from shared.ocop.validity import CertificateStatus, status_where
from shared.refusals import N_, BadRequest, FieldError


def certificates_where(day: date, *, product_id: str | None = None, number: str | None = None,
                       status: CertificateStatus | None = None,
                       expiring_within_months: int | None = None,
                       decided_in: int | None = None) -> dict[str, Any]:
    """The store filter of the certificates in ``status`` on ``day`` (``status_on``), and
    with ``expiring_within_months``, of those in force whose last valid day falls within
    that many months of ``day``: the ones to renew. ``decided_in``: only those whose
    recognition decision is of that year (the year's decision list)."""
    where: dict[str, Any] = {k: v for k, v in (("product_id", product_id),
                                               ("number", number)) if v}
    if decided_in is not None:
        where["decision_date"] = {"$gte": date(decided_in, 1, 1).isoformat(),
                                  "$lte": date(decided_in, 12, 31).isoformat()}
    if expiring_within_months is not None:
        if status not in (None, CertificateStatus.ACTIVE):
            raise BadRequest(N_("Only certificates in force are expiring; leave out status "
                                "or ask for active ones."), code="expiring-not-active",
                             errors=[FieldError("status", N_("use active"))])
        in_force = status_where(CertificateStatus.ACTIVE, day)
        end = add_months(day, expiring_within_months).isoformat()
        return where | in_force | {"valid_until": in_force["valid_until"] | {"$lte": end}}
    return where | (status_where(status, day) if status else {})
