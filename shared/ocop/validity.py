"""When a certificate counts as expired — the one rule of the rating service's published
language that every service applying its events needs (rating for its own records and PDF,
traceability for the scan page, catalog for what is listed).

A certificate is in force through its last valid day (``valid_until``, 36 months from the
decision less a day) and expired from the day after, whether or not the expiry sweep has
marked it yet: so no reader waits for the sweep, and none decides differently."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any


class CertificateStatus(StrEnum):
    """A certificate's state (trạng thái giấy chứng nhận)."""

    ACTIVE = "active"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    """Replaced by a renewal, upgrade or downgrade."""
    EXPIRED = "expired"


def in_force_on(valid_until: date, day: date) -> bool:
    """Is a certificate valid through ``valid_until`` still valid on ``day``?"""
    return day <= valid_until


def status_on(status: CertificateStatus, valid_until: date, day: date) -> CertificateStatus:
    """The state on ``day`` of a certificate recorded as ``status``: an active one past its
    last valid day has expired."""
    if status is CertificateStatus.ACTIVE and not in_force_on(valid_until, day):
        return CertificateStatus.EXPIRED
    return status


def in_force_where(day: date) -> dict[str, Any]:
    """``in_force_on`` as a document-store filter on a record's ``valid_until``."""
    return {"valid_until": {"$gte": day.isoformat()}}


def status_where(status: CertificateStatus, day: date) -> dict[str, Any]:
    """``status_on(...) is status`` as a document-store filter on a record's ``status`` and
    ``valid_until``: an active record past its last valid day counts as expired."""
    if status is CertificateStatus.ACTIVE:
        return {"status": status.value, **in_force_where(day)}
    if status is CertificateStatus.EXPIRED:
        # Only an active certificate expires, so a past valid_until is what both share.
        return {"status": {"$in": [CertificateStatus.ACTIVE.value, status.value]},
                "valid_until": {"$lt": day.isoformat()}}
    return {"status": status.value}
