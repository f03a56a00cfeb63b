"""Scan rules (quy tắc lượt quét): what is kept of a shopper's device, the day a scan counts
on, how often a device's scans of a code count, how sure a copied code is, and the days a
report may cover. Pure functions and data, no I/O.

No personal data is kept: a device is a salted hash of the client's network (/24, /48 for
IPv6) and browser family (``fingerprint``), which tells "many different phones" from "one
phone scanning again" without naming anyone, and its network is salted alone
(``salted_network``)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.traceability.labels.model import DEVICES_PER_UNIT, UnitCode
from shared.platform.clock import VIETNAM
from shared.refusals import N_, BadRequest, FieldError

DEFAULT_SPAN_DAYS = 30
MAX_SPAN_DAYS = 366
SCAN_WINDOW = timedelta(minutes=30)
"""Scans of one code from one device within this count once: a page reloaded, opened again
to show someone, in another language."""
SCANS_PER_DEVICE_A_DAY = 3
"""Scans of one code a device counts for in a day, however many it makes: the evidence one
client gives is capped."""
REPORTS_PER_CLIENT_A_DAY = 5
"""Codes of one product one client may report in a day: a shopper has a package or two in
hand, a flood of made-up codes is one client's word a few times, not thousands."""

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
