"""What the producer's pages say about a product: where it stands on the road to OCOP, and
how long its certificate remains valid. Plain rules on the services' answers."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.web.clients.rating import Certificate
from services.web.clients.registry import Product
from shared.i18n import N_

RENEWAL_NOTICE_MONTHS = 6
"""The producer is reminded to renew this long before its certificate expires."""

DOSSIER_STAGES = ("idea", "plan", "dossier")


class Standing(StrEnum):
    """Where a product stands: ý tưởng → phương án → hồ sơ → đánh giá → chứng nhận."""

    IDEA = "idea"
    PLAN = "plan"
    DOSSIER = "dossier"
    EVALUATION = "evaluation"
    CERTIFIED = "certified"
    ENDED = "ended"
    """Its certificate was revoked or has expired: no longer OCOP until recognised anew."""


STANDING_NAMES = {Standing.IDEA: N_("Idea"), Standing.PLAN: N_("Plan"),
                  Standing.DOSSIER: N_("Dossier"), Standing.EVALUATION: N_("Evaluation"),
                  Standing.CERTIFIED: N_("Certified"), Standing.ENDED: N_("No longer certified")}


def road(now: Standing) -> tuple[Standing, ...]:
    """The steps a product's road shows: its last is the certificate, or that it ended."""
    return (Standing.IDEA, Standing.PLAN, Standing.DOSSIER, Standing.EVALUATION,
            Standing.ENDED if now is Standing.ENDED else Standing.CERTIFIED)


def standing(product: Product, stages: dict[str, str],
             certificate: Certificate | None) -> Standing:
    """``stages``: the dossier's stage → status; ``certificate``: its newest, if any."""
    if certificate is not None and certificate.status == "active":
        return Standing.CERTIFIED
    if certificate is not None and certificate.status in ("revoked", "expired"):
        return Standing.ENDED
    if product.status == "submitted":
        return Standing.EVALUATION
    for stage in DOSSIER_STAGES:
        if stages.get(stage) != "accepted":
            return Standing(stage)
    return Standing.DOSSIER


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the month's last day when shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Validity:
    """A certificate's remaining life as its producer sees it on ``today``."""

    valid_until: date
    today: date

    @property
    def days_left(self) -> int:
        return max(0, (self.valid_until - self.today).days)

    @property
    def renew_from(self) -> date:
        return months_before(self.valid_until, RENEWAL_NOTICE_MONTHS)

    @property
    def renewal_due(self) -> bool:
        """Within the last six months of its validity: time to prepare the renewal."""
        return self.renew_from <= self.today <= self.valid_until


def newest(certificates: list[Certificate]) -> Certificate | None:
    """The certificate that speaks for the product: the newest decision."""
    return max(certificates, key=lambda c: (c.valid_from, c.decision_date), default=None)
