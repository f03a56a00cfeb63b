"""Traceability rules: the URL a label encodes (GS1 Digital Link), the states a scan can
tell (a certificate's live state is ``model.ShownCertificate.state_on``), and what the scan
page says. Pure functions, no I/O."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from urllib.parse import quote, unquote

from shared.i18n import N_, words
from shared.i18n.text import day_shown

LOT = re.compile(r"""^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$""")
"""GS1 AI 10 (batch/lot): 1–20 characters of GS1's encodable character set 82."""
CANONICAL_RESOLVER = "https://id.gs1.org"


def scan_url(base: str, product_id: str, gtin: str | None) -> str:
    """``{base}/01/{gtin14}`` (GS1 Digital Link) with a GTIN, ``{base}/p/{id}`` without."""
    root = base.rstrip("/")
    return f"{root}/01/{gtin}" if gtin else f"{root}/p/{product_id}"


def batch_scan_url(base: str, product_id: str, gtin: str | None, lot: str) -> str:
    """A batch's label: ``{base}/01/{gtin}/10/{lot}`` (the lot percent-encoded)."""
    return f"{scan_url(base, product_id, gtin)}/10/{quote(lot, safe='')}"


def unit_scan_url(batch_url: str, serial: str) -> str:
    """A unit's label: its batch's URL, then ``/21/{serial}``."""
    return f"{batch_url}/21/{quote(serial, safe='')}"


def batch_identifier(base: str, product_id: str, gtin: str | None, lot: str) -> str:
    """The batch's EPC class in EPCIS events: the canonical GS1 Digital Link URI with a GTIN,
    the platform's own batch URL without one."""
    return batch_scan_url(CANONICAL_RESOLVER if gtin else base, product_id, gtin, lot)


QUALIFIERS = ("22", "10", "21")
"""The key qualifiers of a GTIN in a Digital Link path: consumer product variant (22), lot
(10), serial (21), in GS1's order; a path may give them in any order, each once."""


def qualifiers(raw_path: str) -> dict[str, str] | None:
    """``10/LOT%2F1/21/X`` → ``{"10": "LOT/1", "21": "X"}``: split before decoding, so a
    lot may hold an encoded ``/``; a trailing slash is tolerated. None unless it is
    qualifier/value pairs, each a GTIN's qualifier at most once, each value 1–20 characters
    of GS1's set."""
    segments = raw_path.strip("/").split("/")
    if len(segments) % 2 or not segments[0]:
        return None
    pairs = [(segments[i], unquote(segments[i + 1])) for i in range(0, len(segments), 2)]
    keys = [key for key, _ in pairs]
    if (any(key not in QUALIFIERS for key in keys) or len(set(keys)) != len(keys)
            or not all(LOT.match(value) for _, value in pairs)):
        return None
    return dict(sorted(pairs, key=lambda pair: QUALIFIERS.index(pair[0])))


class CertificateState(StrEnum):
    """What the scan page tells: certified, or no longer (and why)."""

    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


STATE_TEXT = {
    CertificateState.ACTIVE: N_("%(stars)s-star OCOP product — certificate valid until "
                                "%(valid_until)s"),
    CertificateState.REVOKED: N_("NO LONGER an OCOP product: its certificate was revoked on "
                                 "%(revoked_on)s"),
    CertificateState.EXPIRED: N_("NO LONGER an OCOP product: its certificate was valid "
                                 "only until the end of %(valid_until)s"),
}


def state_text(lang: str, state: CertificateState, stars: int, valid_until: date,
               revoked_on: date | None = None) -> str:
    return words(lang).gettext(STATE_TEXT[state], stars=stars,
                               valid_until=day_shown(valid_until),
                               revoked_on=day_shown(revoked_on))
