"""Scan analytics and counterfeit signals (lượt quét, dấu hiệu hàng giả): what is kept of a
shopper's scan, and when scans point at forged codes. Pure: no I/O, no clock of its own.

A scan is counted per product, batch and day, and a unit's code keeps the coarse
fingerprints of the devices that scanned it and the salted networks they were on
(``rules.fingerprint``, ``rules.salted_network``): no personal data.

One client cannot pass for many: its scans of a code count once per ``rules.SCAN_WINDOW``
and at most ``rules.SCANS_PER_DEVICE_A_DAY`` times a day (``RecentScans``), a copy is told by
distinct devices, and how sure it is (``rules.Confidence``) by the distinct networks they
came from."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from services.traceability.labels.model import UnitCode
from services.traceability.profiles.model import TraceProfile
from services.traceability.scans.rules import (
    REPORTS_PER_CLIENT_A_DAY,
    SCAN_WINDOW,
    SCANS_PER_DEVICE_A_DAY,
    Confidence,
    day_in_vietnam,
)
from shared.messaging.contracts.traceability import ScanAnomalyDetected

CODES_KEPT = 20
"""Distinct forged codes (and devices, networks) an anomaly keeps as evidence; past that
it counts."""
RECENT_KEPT = 100_000
"""(device, code) pairs ``RecentScans`` remembers; past that the longest unseen is
forgotten (its next scan counts again)."""


@dataclass(frozen=True)
class Visit:
    """A scan as the analytics see it: when, from which coarse device on which network,
    and whether it counts (a shopper's GET; a HEAD or a monitor's probe does not, nor a
    device's scan of a code it scanned lately)."""

    at: datetime
    device: str
    network: str = ""
    counts: bool = True

    @property
    def day(self) -> date:
        return day_in_vietnam(self.at)

    @property
    def stamp(self) -> str:
        return self.at.isoformat()


class RecentScans:
    """Which device scanned which code lately, so that a device's scans of a code count
    once per ``SCAN_WINDOW`` and at most ``SCANS_PER_DEVICE_A_DAY`` a day. In memory, per
    process (each replica counts its own), at most ``RECENT_KEPT`` pairs."""

    def __init__(self, kept: int = RECENT_KEPT) -> None:
        self.kept = kept
        self._seen: dict[tuple[str, str], tuple[datetime, date, int]] = {}
        """(device, code) → its last counted scan, that scan's day, scans counted that day;
        in order of last use."""

    def counts(self, visit: Visit, code: str) -> bool:
        """Whether ``visit`` of ``code`` counts; remembered if it does."""
        key = (visit.device, code)
        last = self._seen.pop(key, None)
        today = last is not None and last[1] == visit.day
        if last is not None and (visit.at - last[0] < SCAN_WINDOW
                                 or (today and last[2] >= SCANS_PER_DEVICE_A_DAY)):
            self._seen[key] = last
            return False
        self._seen[key] = (visit.at, visit.day, last[2] + 1 if last and today else 1)
        if len(self._seen) > self.kept:
            del self._seen[next(iter(self._seen))]
        return True


class AnomalyKind(StrEnum):
    COPIED_SERIAL = "copied_serial"
    """A unit's code scanned from far more devices than one unit is."""
    UNKNOWN_SERIAL = "unknown_serial"
    """A serial never printed for the product (or printed under another of its lots)."""
    UNKNOWN_LOT = "unknown_lot"
    """A lot the product has no batch of."""
    CONSUMER_REPORT = "consumer_report"
    """A shopper reported a code its scan page warned about (``ClientReports``)."""


@dataclass
class Anomaly:
    """A counterfeit signal the producer and the office see (and others hear of on
    ``ocop.traceability.anomalies``, when it is detected and each time its confidence
    rises). A copied serial is one anomaly per code; unknown codes are gathered per product,
    kind and day, keeping the first codes seen as evidence — a forger inventing serials
    makes one anomaly a day, not thousands."""

    id: str
    kind: AnomalyKind
    product_id: str
    subject_id: str
    province: str
    commune: str
    gtin: str | None
    day: str
    """ISO date (Việt Nam) it was detected on."""
    first_seen_at: str
    last_seen_at: str = ""
    batch_id: str | None = None
    lot: str | None = None
    codes: list[str] = field(default_factory=list)
    scans: int = 0
    devices: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    """Distinct networks (salted) among its scans (the first ``CODES_KEPT``)."""
    version: int = 0

    @property
    def device_count(self) -> int:
        """Distinct devices among its scans (the first ``CODES_KEPT``)."""
        return len(self.devices)

    @property
    def confidence(self) -> Confidence:
        return Confidence.of(len(self.networks))

    @staticmethod
    def key(kind: AnomalyKind, profile: TraceProfile, code: str, day: date) -> str:
        if kind is AnomalyKind.COPIED_SERIAL:
            return f"{kind.value}|{UnitCode.key(profile.id, code)}"
        return f"{kind.value}|{profile.id}|{day.isoformat()}"

    @classmethod
    def open(cls, kind: AnomalyKind, profile: TraceProfile, code: str, visit: Visit, *,
             batch_id: str | None = None, lot: str | None = None) -> Anomaly:
        assert profile.subject  # only certified products are scanned
        subject = profile.subject
        return cls(cls.key(kind, profile, code, visit.day), kind, profile.id, subject.id,
                   subject.province, subject.commune, profile.gtin, visit.day.isoformat(),
                   visit.stamp, batch_id=batch_id, lot=lot)

    def seen(self, code: str, visit: Visit) -> ScanAnomalyDetected | None:
        """One more counted scan of a forged ``code``; the event when the anomaly is new or
        its confidence rose."""
        was = self.confidence
        self.scans += 1
        self.last_seen_at = visit.stamp
        for kept, seen in ((self.codes, code), (self.devices, visit.device),
                           (self.networks, visit.network)):
            if seen not in kept and len(kept) < CODES_KEPT:
                kept.append(seen)
        return self._announced(code, visit, was)

    def follow(self, unit: UnitCode, serial: str, visit: Visit) -> ScanAnomalyDetected | None:
        """A copied unit's code scanned again: its scans, devices and networks so far; the
        event when the anomaly is new or its confidence rose."""
        was = self.confidence
        self.codes, self.scans = [serial], unit.scans
        self.devices, self.networks = list(unit.devices), list(unit.networks)
        self.last_seen_at = visit.stamp
        return self._announced(serial, visit, was)

    def _announced(self, code: str, visit: Visit, was: Confidence
                   ) -> ScanAnomalyDetected | None:
        if self.version == 0 or self.confidence.rank > was.rank:
            return self.detected(code, visit)
        return None

    def detected(self, code: str, visit: Visit) -> ScanAnomalyDetected:
        return ScanAnomalyDetected(
            anomaly_id=self.id, kind=self.kind.value, product_id=self.product_id,
            subject_id=self.subject_id, province=self.province, commune=self.commune,
            gtin=self.gtin, code=code, batch_id=self.batch_id, scans=self.scans,
            devices=self.device_count, networks=len(self.networks),
            confidence=self.confidence.value, day=date.fromisoformat(self.day),
            detected_at=visit.at)


@dataclass
class ClientReports:
    """The codes of a product that one client (its salted network, as ``Visit``) reported
    on one day: each counts once, and only the first ``REPORTS_PER_CLIENT_A_DAY``."""

    id: str
    codes: list[str] = field(default_factory=list)
    version: int = 0

    @staticmethod
    def key(visit: Visit, product_id: str) -> str:
        return f"{visit.network}|{product_id}|{visit.day.isoformat()}"

    def take(self, code: str) -> bool:
        """Whether the report of ``code`` counts (not already made, nor one too many)."""
        if code in self.codes or len(self.codes) >= REPORTS_PER_CLIENT_A_DAY:
            return False
        self.codes.append(code)
        return True


@dataclass
class ScanDay:
    """Scans of one product (and one of its batches, or none named) on one day."""

    id: str
    """``{product_id}|{batch_id or "-"}|{day}``"""
    product_id: str
    batch_id: str | None
    day: str
    scans: int = 0
    """Every counted scan of the product's codes (batch or unit codes, or its product code)."""
    unit_scans: int = 0
    """Scans of units' own codes (serials)."""
    units_first_scanned: int = 0
    """Units whose code was scanned for the first time that day."""
    version: int = 0

    @staticmethod
    def key(product_id: str, batch_id: str | None, day: date | str) -> str:
        return f"{product_id}|{batch_id or '-'}|{day}"

    def add(self, counts: Counter[str]) -> None:
        self.scans += counts["scans"]
        self.unit_scans += counts["unit_scans"]
        self.units_first_scanned += counts["units_first_scanned"]


@dataclass
class ScanTally:
    """Scans counted in memory between two writes: the scan page stays a read; the counts
    reach the store every few seconds (``Scanning.flush``) and when the service stops."""

    counts: dict[tuple[str, str | None, str], Counter[str]] = field(default_factory=dict)

    def count(self, product_id: str, batch_id: str | None, visit: Visit, *,
              unit: UnitCode | None = None) -> None:
        key = (product_id, batch_id, visit.day.isoformat())
        counts = self.counts.setdefault(key, Counter())
        counts["scans"] += 1
        if unit is not None:
            counts["unit_scans"] += 1
            counts["units_first_scanned"] += unit.scans == 1

    def drain(self) -> dict[tuple[str, str | None, str], Counter[str]]:
        drained, self.counts = self.counts, {}
        return drained

    def restore(self, counts: dict[tuple[str, str | None, str], Counter[str]]) -> None:
        """Counts that could not be written go back, to be written next time."""
        for key, counted in counts.items():
            self.counts.setdefault(key, Counter()).update(counted)


@dataclass(frozen=True)
class ScanCounts:
    scans: int = 0
    unit_scans: int = 0
    units_scanned: int = 0
    """Distinct units whose code was scanned (each counted on its first scan's day)."""

    def __add__(self, other: ScanCounts) -> ScanCounts:
        return ScanCounts(self.scans + other.scans, self.unit_scans + other.unit_scans,
                          self.units_scanned + other.units_scanned)

    @classmethod
    def of(cls, day: ScanDay) -> ScanCounts:
        return cls(day.scans, day.unit_scans, day.units_first_scanned)


@dataclass(frozen=True)
class ScanReport:
    """Scans over a span of days: in all, on each day (every day of the span, zeros
    included, for a chart), and per batch (None: scans of the product's own code)."""

    since: date
    until: date
    total: ScanCounts
    days: list[tuple[date, ScanCounts]]
    batches: dict[str | None, ScanCounts]

    @classmethod
    def of(cls, counted: list[ScanDay], since: date, until: date) -> ScanReport:
        by_day: dict[str, ScanCounts] = {}
        by_batch: dict[str | None, ScanCounts] = {}
        for day in counted:
            by_day[day.day] = by_day.get(day.day, ScanCounts()) + ScanCounts.of(day)
            by_batch[day.batch_id] = by_batch.get(day.batch_id, ScanCounts()) + ScanCounts.of(day)
        span = [date.fromordinal(n) for n in range(since.toordinal(), until.toordinal() + 1)]
        return cls(since, until, sum(by_day.values(), ScanCounts()),
                   [(d, by_day.get(d.isoformat(), ScanCounts())) for d in span], by_batch)


def by_province(found: list[Anomaly]) -> list[tuple[str, Counter[str]]]:
    """Anomalies per province and kind, the provinces with most first."""
    counted: dict[str, Counter[str]] = {}
    for anomaly in found:
        counted.setdefault(anomaly.province, Counter())[anomaly.kind.value] += 1
    return sorted(counted.items(), key=lambda item: (-item[1].total(), item[0]))
