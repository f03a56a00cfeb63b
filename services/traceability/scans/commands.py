"""What a shopper's scan finds, and what is kept of it: the batch and the unit a code names
(a unit's scan counted with its code, in one transaction), forged codes reported as
anomalies, every scan counted per product, batch and day — each device's scans of a code
once per window (``model.RecentScans``). The views of those counts are in ``queries``."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial

from services.traceability.labels.model import UnitCode
from services.traceability.origin.journey import JourneyStep, journey
from services.traceability.origin.model import Batch
from services.traceability.origin.queries import Histories
from services.traceability.profiles.model import TraceProfile
from services.traceability.scans.model import (
    Anomaly,
    AnomalyKind,
    ClientReports,
    RecentScans,
    ScanDay,
    ScanTally,
    Visit,
)
from services.traceability.scans.rules import (
    Confidence,
    copy_confidence,
    day_in_vietnam,
    fingerprint,
    salted_network,
)
from services.traceability.store import (
    anomalies,
    client_reports,
    scan_days,
    unit_codes,
)
from shared.messaging import Outbox
from shared.messaging.contracts.traceability import ScanAnomalyDetected
from shared.platform.clock import Clock
from shared.ports.store import DocumentStore, Transaction, retried


@dataclass(frozen=True)
class Asked:
    """What a scan asked for beyond the product — a lot, a unit's serial — and what it
    found: the batch and its journey, the unit's code with its scans."""

    lot: str | None = None
    batch: Batch | None = None
    steps: list[JourneyStep] = field(default_factory=list)
    serial: str | None = None
    unit: UnitCode | None = None

    @property
    def unknown(self) -> bool:
        """A lot or a serial the platform never printed for this product."""
        return ((self.lot is not None and self.batch is None)
                or (self.serial is not None and self.unit is None))

    @property
    def may_be_copied(self) -> bool:
        """Whether the shopper is warned that the unit's code may have been copied: only
        on strong evidence (devices in many places), never because its own buyer, or one
        client, scanned it again."""
        return self.unit is not None and copy_confidence(self.unit) is Confidence.HIGH


NOTHING_ASKED = Asked()
"""A scan of the product's own code: no lot, no serial."""


@dataclass
class Scanning:
    store: DocumentStore
    outbox: Outbox
    histories: Histories
    clock: Clock
    fingerprint_key: bytes
    """Salts client fingerprints (``rules.fingerprint``)."""
    office_contact: str = ""
    """How shoppers reach the provincial OCOP office (``OCOP_OFFICE_CONTACT``), told
    under every counterfeit warning."""
    tally: ScanTally = field(default_factory=ScanTally)
    recent: RecentScans = field(default_factory=RecentScans)
    writing: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    """One flush at a time: a report's flush waits for the job's, whose counts it must read."""

    def today(self) -> date:
        """Today in Việt Nam: the day scans are counted on."""
        return day_in_vietnam(self.clock.now())

    def visit(self, address: str, user_agent: str, *, counts: bool) -> Visit:
        return Visit(self.clock.now(), fingerprint(self.fingerprint_key, address, user_agent),
                     salted_network(self.fingerprint_key, address), counts)

    def counted(self, product_id: str, batch_id: str | None, visit: Visit) -> None:
        """A scan of a product's or a batch's page sent from memory (``scan_pages``)."""
        if self._once(visit, _page(product_id, batch_id)).counts:
            self.tally.count(product_id, batch_id, visit)

    def _once(self, visit: Visit, code: str) -> Visit:
        """``visit`` as a scan of ``code``: it counts unless its device scanned the code
        lately (or enough today)."""
        if visit.counts and not self.recent.counts(visit, code):
            return replace(visit, counts=False)
        return visit

    async def asked(self, profile: TraceProfile | None, lot: str | None, serial: str | None,
                    visit: Visit) -> Asked:
        """The batch and the unit a scan of ``profile``'s code names. A lot the product has
        no batch of, or a serial never printed for it (or printed for another of its lots),
        is a code the platform never made: warned about, and reported as an anomaly."""
        if profile is None or not profile.certified:
            return Asked(lot, serial=serial)
        unit, batch = None, None
        if serial is not None:
            unit, visit = await self._unit(profile, serial, lot, visit)
            if unit is None:
                await self._forged(AnomalyKind.UNKNOWN_SERIAL, profile, serial, lot, visit)
                return Asked(lot, serial=serial)
            batch = await self.histories.batch(unit.batch_id)
        elif lot is not None:
            batch = await self.histories.batch_by_lot(profile.id, lot)
            if batch is None:
                await self._forged(AnomalyKind.UNKNOWN_LOT, profile, lot, lot, visit)
                return Asked(lot)
            visit = self._once(visit, _page(profile.id, batch.id))
        else:
            visit = self._once(visit, _page(profile.id, None))
        if visit.counts:
            self.tally.count(profile.id, batch.id if batch else None, visit, unit=unit)
        steps = journey(await self.histories.history(batch)) if batch else []
        return Asked(batch.lot if batch else lot, batch, steps, serial, unit)

    async def _unit(self, profile: TraceProfile, serial: str, lot: str | None, visit: Visit
                    ) -> tuple[UnitCode | None, Visit]:
        """The unit's code if it was printed for the product (under ``lot``, when the scan
        names one), and the visit as a scan of it; a counted scan is added to it, and a code
        that now looks copied is reported, in the same transaction."""
        key = UnitCode.key(profile.id, serial)
        found = await unit_codes.get_or_none(self.store, key)
        if found is None or not found.under(lot):
            return None, visit
        visit = self._once(visit, key)
        if not visit.counts:
            return found, visit

        async def count(tx: Transaction) -> UnitCode | None:
            code = await unit_codes.get_or_none(tx, key)
            if code is None or not code.under(lot):
                return None
            code.scanned(visit.stamp, visit.device, visit.network)
            if code.looks_copied:
                kind = AnomalyKind.COPIED_SERIAL
                anomaly = await anomalies.get_or_new(
                    tx, Anomaly.key(kind, profile, serial, visit.day),
                    lambda: Anomaly.open(kind, profile, serial, visit, batch_id=code.batch_id,
                                         lot=code.lot))
                await self._keep(tx, anomaly, anomaly.follow(code, serial, visit))
            return await unit_codes.save(tx, code)

        return await retried(self.store, count), visit

    async def _forged(self, kind: AnomalyKind, profile: TraceProfile, code: str,
                      lot: str | None, visit: Visit) -> None:
        # One client's made-up codes of a product count once per window, whichever they
        # are: a thousand invented serials are one scan of evidence, and one write.
        if not self._once(visit, f"{profile.id}|?").counts:
            return

        async def seen(tx: Transaction) -> None:
            anomaly = await anomalies.get_or_new(
                tx, Anomaly.key(kind, profile, code, visit.day),
                lambda: Anomaly.open(kind, profile, code, visit, lot=lot))
            await self._keep(tx, anomaly, anomaly.seen(code, visit))

        await retried(self.store, seen)

    async def report(self, profile: TraceProfile, code: str, visit: Visit) -> bool:
        """A shopper reports ``code`` of ``profile`` from its scan page's warning: a
        ``consumer_report`` anomaly its producer and the office see. False when the client
        already reported it today (or enough of the product's codes): nothing is recorded."""

        async def record(tx: Transaction) -> bool:
            key = ClientReports.key(visit, profile.id)
            reports = await client_reports.get_or_new(tx, key, lambda: ClientReports(key))
            if not reports.take(code):
                return False
            await client_reports.keep(tx, reports)
            kind = AnomalyKind.CONSUMER_REPORT
            anomaly = await anomalies.get_or_new(
                tx, Anomaly.key(kind, profile, code, visit.day),
                lambda: Anomaly.open(kind, profile, code, visit))
            await self._keep(tx, anomaly, anomaly.seen(code, visit))
            return True

        return await retried(self.store, record)

    async def _keep(self, tx: Transaction, anomaly: Anomaly,
                    detected: ScanAnomalyDetected | None) -> None:
        await anomalies.keep(tx, anomaly)
        if detected is not None:
            await self.outbox.emit(tx, detected, aggregate_id=anomaly.id,
                                   sequence=anomaly.version)

    # --- counts ---------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write the scans counted in memory since the last time (a job every few seconds,
        and at stop, and before a report reads them); counts that could not be written are
        kept for the next time."""
        async with self.writing:
            pending = self.tally.drain()
            try:
                for key, counted in list(pending.items()):
                    await retried(self.store, partial(self._add, key, counted))
                    del pending[key]
            except Exception:
                self.tally.restore(pending)
                raise

    @staticmethod
    async def _add(key: tuple[str, str | None, str], counted: Counter[str],
                   tx: Transaction) -> None:
        product_id, batch_id, day = key
        held = await scan_days.get_or_new(
            tx, ScanDay.key(product_id, batch_id, day),
            lambda: ScanDay(ScanDay.key(product_id, batch_id, day), product_id, batch_id, day))
        held.add(counted)
        await scan_days.keep(tx, held)


def _page(product_id: str, batch_id: str | None) -> str:
    """What a scan of a product's or a batch's page is a scan of (``RecentScans``)."""
    return f"{product_id}|{batch_id or '-'}"
