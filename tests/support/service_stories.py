"""The OCOP story told through the services' commands, for the service tier: a subject and
its product registered and submitted, evaluated by the council, recognised. Each step
happens on its own day: the office moves the clock to it (nine in the morning, UTC), so a
test sets the clock for the rule it checks only after the story is told."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from services.rating.certificates.commands import Certificates
from services.rating.certificates.model import Certificate
from services.rating.evaluations.commands import Rating
from services.rating.evaluations.model import Evaluation
from services.rating.evaluations.rules import PROCEDURE_1489_FROM, Level
from services.registry.subjects.commands import Registry
from services.registry.subjects.model import Subject
from services.registry.subjects.rules import DISTRICTS_ABOLISHED
from shared.identity.auth import Caller, Role
from shared.ocop.vocabulary import SubjectType
from tests.support.clocks import FixedClock
from tests.support.service_tier import Running, ServiceTier

OFFICE = Caller("office", "office", Role.ADMIN)
COUNCIL = Caller("council", "council", Role.COUNCIL_MEMBER)
"""The one council member: its user id is what a round's ``members`` list."""
SCORES = {3: {"A": 25.0, "B": 15.0, "C": 20.0}, 4: {"A": 30.0, "B": 20.0, "C": 25.0},
          5: {"A": 33.0, "B": 24.0, "C": 33.0}}
"""Part scores that make each number of stars, within the maxima of both criteria sets."""
PAPER_DOSSIER = "Hồ sơ giấy lưu tại cơ quan quản lý (dữ liệu kiểm thử)"
PROVINCE, DISTRICT, COMMUNE = "Thái Nguyên", "Đại Từ", "Xã Tân Cương"


def move_to(clock: FixedClock, day: date) -> None:
    """Nine in the morning (UTC: four in the afternoon in Việt Nam) of ``day``."""
    clock.instant = datetime.combine(day, time(9), UTC)


@dataclass
class Office:
    """The provincial OCOP office and its council at work in the registry and rating."""

    tier: ServiceTier
    registry: Running
    rating: Running
    _codes: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def certificates(self) -> Certificates:
        return self.rating.part(Certificates)

    def on(self, day: date) -> None:
        move_to(self.tier.clock, day)

    async def subject(self, registered_on: date) -> Subject:
        """A cooperative group of Thái Nguyên, with its district if registered before the
        districts were abolished."""
        self.on(registered_on)
        return await self.registry.part(Registry).register_subject(
            OFFICE, type=SubjectType.COOPERATIVE_GROUP, name="Tổ hợp tác chè Tân Cương",
            code=f"THT-{next(self._codes):04d}", province=PROVINCE, commune=COMMUNE,
            district=DISTRICT if registered_on < DISTRICTS_ABOLISHED else None,
            registered_on=registered_on)

    async def submitted_product(self, registered_on: date) -> str:
        """A new subject's product, submitted for evaluation on a paper dossier and known
        to every running service."""
        subject = await self.subject(registered_on)
        registry = self.registry.part(Registry)
        product = await registry.register_product(
            OFFICE, subject_id=subject.id, name="Chè Tân Cương", group="food", subgroup="tea",
            registered_on=registered_on)
        await registry.submit_product(OFFICE, product.id, paper_dossier=PAPER_DOSSIER)
        await self.tier.settle()
        return product.id

    async def evaluated(self, product_id: str, stars: int, on: date,
                        round_id: str | None = None) -> Evaluation:
        """Scored to ``stars`` and closed on ``on``; from 6 July 2025 the commune proposes
        it first."""
        self.on(on)
        rating = self.rating.part(Rating)
        if on >= PROCEDURE_1489_FROM:
            await rating.propose(OFFICE, product_id, on, dict.fromkeys(
                ("origin", "local_labour", "idea", "local_identity"), True), "")
        evaluation = await rating.open_evaluation(OFFICE, product_id, on, round_id)
        await rating.score(COUNCIL, evaluation.id, parts=SCORES[stars], by_criterion=None,
                           comment="")
        return await rating.close(OFFICE, evaluation.id)

    async def recognised(self, evaluation: Evaluation, decided_on: date,
                         level: Level | None = None) -> Certificate:
        self.on(decided_on)
        return await self.certificates.recognise(
            OFFICE, evaluation.id, decision_number="12/QĐ-UBND", decision_date=decided_on,
            level=level)

    async def certified(self, decided_on: date, *, stars: int = 4,
                        evaluated_on: date | None = None,
                        registered_on: date | None = None) -> Certificate:
        """A new product's certificate, decided on ``decided_on`` (evaluated and registered
        that day unless told otherwise)."""
        evaluated_on = evaluated_on or decided_on
        product_id = await self.submitted_product(registered_on or evaluated_on)
        return await self.recognised(await self.evaluated(product_id, stars, evaluated_on),
                                     decided_on)
