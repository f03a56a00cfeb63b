"""Scan analytics and counterfeit signals (lượt quét, dấu hiệu hàng giả): what is kept of a
shopper's scan, and when scans point at forged codes. Pure: no I/O, no clock of its own.

No personal data is kept: a scan is counted per product, batch and day, and a unit's code
keeps the coarse fingerprints of the devices that scanned it — a salted hash of the
client's network (/24, /48 for IPv6) and browser family, which tells "many different
phones" from "one phone scanning again" without naming anyone — and the salted networks
they were on.

One client cannot pass for many: its scans of a code count once per ``SCAN_WINDOW`` and at
most ``SCANS_PER_DEVICE_A_DAY`` times a day (``RecentScans``), a copy is told by distinct
devices, and how sure it is (``Confidence``) by the distinct networks they came from."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.traceability.labels.model import DEVICES_PER_UNIT, UnitCode
from services.traceability.profiles.model import TraceProfile
from shared.messaging.contracts.traceability import ScanAnomalyDetected
from shared.platform.clock import VIETNAM
from shared.refusals import N_, BadRequest, FieldError

DEFAULT_SPAN_DAYS = 30
MAX_SPAN_DAYS = 366
CODES_KEPT = 20
"""Distinct forged codes (and devices, networks) an anomaly keeps as evidence; past that
it counts."""
SCAN_WINDOW = timedelta(minutes=30)
"""Scans of one code from one device within this count once: a page reloaded, opened again
to show someone, in another language."""
SCANS_PER_DEVICE_A_DAY = 3
"""Scans of one code a device counts for in a day, however many it makes: the evidence one
client gives is capped."""
RECENT_KEPT = 100_000
"""(device, code) pairs ``RecentScans`` remembers; past that the longest unseen is
forgotten (its next scan counts again)."""

_PLATFORMS = (("Android", "android"), ("iPhone", "ios"), ("iPad", "ios"),
              ("Windows", "windows"), ("Mac OS X", "mac"), ("CrOS", "chromeos"),
              ("Linux", "linux"))
_BROWSERS = (("Zalo", "zalo"), ("FBAN", "facebook"), ("FB_IAB", "facebook"),
             ("coc_coc", "coccoc"), ("Edg", "edge"), ("SamsungBrowser", "samsung"),
             ("OPR", "opera"), ("Firefox", "firefox"), ("Chrome", "chrome"),
             ("Safari", "safari"))


def _first(pairs: tuple[tuple[str, str], ...], agent: str) -> str:
    return next((name for token, name in pairs if token in agent), "other")


def coarse_agent(user_agent: str) -> str:
    """Platform and browser family only ("android/zalo"): no versions, no device model."""
    return f"{_first(_PLATFORMS, user_agent)}/{_first(_BROWSERS, user_agent)}"


def _network(address: str) -> str:
    """The client's /24 (/48 for IPv6): a household's, a shop's, a mobile cell's."""
    try:
        ip = ipaddress.ip_address(address)
        return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}",
                                        strict=False))
    except ValueError:
        return re.sub(r"[^\w.:-]", "", address)[:64]


def fingerprint(key: bytes, address: str, user_agent: str) -> str:
    """A coarse, salted client fingerprint: 12 hex digits of an HMAC of the client's network
    and browser family. Without the key it cannot be linked back to an address."""
    message = f"{_network(address)}|{coarse_agent(user_agent)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:12]


def salted_network(key: bytes, address: str) -> str:
    """The client's network alone, salted as ``fingerprint`` is: scans from one household
    or one client share it, whatever browsers they name."""
    return hmac.new(key, f"network|{_network(address)}".encode(),
                    hashlib.sha256).hexdigest()[:12]


def day_in_vietnam(at: datetime) -> date:
    """The day scans are counted on: a scan at 23:30 on the 1st in Hà Nội is the 1st's,
    though it is the 1st's 16:30 in UTC, and one at 02:00 on the 2nd is the 2nd's."""
    return at.astimezone(VIETNAM).date()


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


class Confidence(StrEnum):
    """How sure a counterfeit signal is, told by the distinct networks its scans came from:
    one client, or one household or shop, is one network however many browsers it names."""

    LOW = "low"
    """One network."""
    MEDIUM = "medium"
    """A few networks."""
    HIGH = "high"
    """As many networks as a copy needs devices (``DEVICES_PER_UNIT``): goods in several
    places. Only then is a shopper warned."""

    @classmethod
    def of(cls, networks: int) -> Confidence:
        if networks >= DEVICES_PER_UNIT:
            return cls.HIGH
        return cls.MEDIUM if networks >= 2 else cls.LOW

    @property
    def rank(self) -> int:
        return list(Confidence).index(self)


def copy_confidence(unit: UnitCode) -> Confidence | None:
    """How sure it is that a unit's code was copied; None while it does not look so."""
    return Confidence.of(len(unit.networks)) if unit.looks_copied else None


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


REPORTS_PER_CLIENT_A_DAY = 5
"""Codes of one product one client may report in a day: a shopper has a package or two in
hand, a flood of made-up codes is one client's word a few times, not thousands."""


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


def span(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    """The days a report covers: the last ``DEFAULT_SPAN_DAYS`` up to ``today`` unless
    asked; at most ``MAX_SPAN_DAYS``."""
    until = until or today
    since = since or until - timedelta(days=DEFAULT_SPAN_DAYS - 1)
    if since > until:
        raise BadRequest(N_("'since' is after 'until'."), code="span",
                         errors=[FieldError("since", N_("on or before until"))])
    if (until - since).days >= MAX_SPAN_DAYS:
        raise BadRequest(N_("Ask for at most %(most)s days at a time."), code="span",
                         most=MAX_SPAN_DAYS,
                         errors=[FieldError("since", N_("at most %(most)s days before until"),
                                            {"most": MAX_SPAN_DAYS})])
    return since, until


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
