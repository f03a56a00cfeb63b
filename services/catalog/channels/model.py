"""Online sales channels (kênh bán hàng) and their API keys: who carries which listings.

The office registers a channel and decides what it may carry: every listing, or those of
some provinces and/or some product groups. A channel calls with an API key made here:
shown once, kept only as a SHA-256 digest (the key is 256 random bits, so a digest cannot
be reversed by guessing, and checking it costs nothing), revocable, and rotated by issuing
a new key before revoking the old one, so a channel never has a moment without a working
key. Pure: no I/O, no clock of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from shared.i18n.text import fold
from shared.platform.ids import new_id
from shared.refusals import N_, Conflict, NotFound, Unauthorized

KEY_PREFIX = "ocopk"
_KEY = re.compile(rf"^{KEY_PREFIX}_([0-9a-f]{{16}})_([A-Za-z0-9_-]{{43}})$")
MAX_ACTIVE_KEYS = 5
"""Enough for a rotation in progress on each of a channel's systems, few enough to audit."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def bad_key() -> Unauthorized:
    return Unauthorized(N_("This API key is not valid (unknown, mistyped or revoked); ask "
                           "the OCOP office for a new one."), code="api-key-invalid")


def parse_key(presented: str) -> tuple[str, str]:
    """(key id, secret) of a presented key; Unauthorized if it has not a key's shape."""
    match = _KEY.match(presented.strip())
    if match is None:
        raise bad_key()
    return match.group(1), match.group(2)


@dataclass
class ApiKey:
    """One of a channel's keys: its id is public (in the key itself), its secret is not."""

    id: str
    digest: str
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def matches(self, secret: str) -> bool:
        return self.active and hmac.compare_digest(self.digest, digest(secret))


@dataclass
class Scope:
    """Which listings a channel may carry: all when both lists are empty; otherwise those
    of the provinces named (if any) and of the groups named (if any)."""

    provinces: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def province_keys(self) -> list[str]:
        return [fold(p) for p in self.provinces]

    def allows(self, province_key: str, group: str) -> bool:
        return ((not self.provinces or province_key in self.province_keys)
                and (not self.groups or group in self.groups))


@dataclass
class Channel:
    """A registered sales channel: Postmart, a provincial shop, a marketplace."""

    id: str
    name: str
    website: str
    contact_name: str
    contact_email: str
    created_at: str
    version: int = 0
    scope: Scope = field(default_factory=Scope)
    keys: list[ApiKey] = field(default_factory=list)

    @classmethod
    def register(cls, *, name: str, website: str, contact_name: str, contact_email: str,
                 scope: Scope, at: str) -> Channel:
        return cls(id=new_id(), name=name, website=website, contact_name=contact_name,
                   contact_email=contact_email, created_at=at, scope=scope)

    def issue_key(self, at: str) -> str:
        """A new key, returned in full this once; the channel keeps only its digest."""
        if sum(k.active for k in self.keys) >= MAX_ACTIVE_KEYS:
            raise Conflict(N_("The channel already has %(limit)s active keys; revoke one it "
                              "no longer uses first."), code="too-many-keys",
                           limit=MAX_ACTIVE_KEYS)
        key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        self.keys.append(ApiKey(key_id, digest(secret), at))
        return f"{KEY_PREFIX}_{key_id}_{secret}"

    def revoke_key(self, key_id: str, at: str) -> ApiKey:
        key = self.key(key_id)
        if key.active:
            key.revoked_at = at
        return key

    def key(self, key_id: str) -> ApiKey:
        for key in self.keys:
            if key.id == key_id:
                return key
        raise NotFound(N_("The channel has no key %(key)s."), code="no-such-key", key=key_id)

    def admits(self, key_id: str, secret: str) -> bool:
        """Whether the key is one of this channel's active keys."""
        return any(k.id == key_id and k.matches(secret) for k in self.keys)
