"""A notification, the person it is for (a read model of their account) and what they chose
to receive by e-mail. Pure: no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

LANGUAGES = ("vi", "en")


class Kind(StrEnum):
    """What a notification tells of, in the order the settings page lists them."""

    STAGE_DECIDED = "stage_decided"
    IDENTITY_DECIDED = "identity_decided"
    CERTIFICATE_ISSUED = "certificate_issued"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CERTIFICATE_EXPIRED = "certificate_expired"
    COUNTERFEIT_ALERT = "counterfeit_alert"
    EVALUATION_OPENED = "evaluation_opened"


def notification_id(key: str, person: str) -> str:
    """The same for one event (or one anomaly at one confidence) and one person, however
    often it is heard: what makes a notification exist once."""
    return hashlib.sha256(f"{key}\x1f{person}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Person:
    """An account as far as telling it what concerns it needs (the registry's
    ``AccountState``): its role, its subject or commune, whether it is disabled."""

    user_id: str
    role: str
    subject_id: str | None = None
    commune_code: str | None = None
    disabled: bool = False

    def to_doc(self) -> dict[str, Any]:
        return {"role": self.role, "subject_id": self.subject_id,
                "commune_code": self.commune_code, "disabled": self.disabled}

    @classmethod
    def from_doc(cls, user_id: str, data: dict[str, Any]) -> Person:
        return cls(user_id, data["role"], data.get("subject_id"), data.get("commune_code"),
                   bool(data.get("disabled")))


@dataclass(frozen=True)
class Told:
    """What one event tells: its kind, the few facts its words need (names, dates, a note:
    never another person's name, never a token), the page in the workspace it concerns, and
    the key that makes it once (the event's id, or the anomaly and its confidence)."""

    kind: Kind
    key: str
    facts: dict[str, str]
    link: str


@dataclass(frozen=True)
class Notification:
    id: str
    person: str
    kind: Kind
    facts: dict[str, str]
    link: str
    created_at: str
    read_at: str | None = None

    @classmethod
    def of(cls, told: Told, person: str, at: str) -> Notification:
        return cls(notification_id(told.key, person), person, told.kind, dict(told.facts),
                   told.link, at)

    @property
    def unread(self) -> bool:
        return self.read_at is None

    def read(self, at: str) -> Notification:
        """Marked read (the first time counts)."""
        return self if self.read_at else replace(self, read_at=at)

    def to_doc(self) -> dict[str, Any]:
        return {"person": self.person, "kind": self.kind.value, "facts": self.facts,
                "link": self.link, "created_at": self.created_at, "read_at": self.read_at,
                "unread": self.unread}

    @classmethod
    def from_doc(cls, doc_id: str, data: dict[str, Any]) -> Notification:
        return cls(doc_id, data["person"], Kind(data["kind"]), dict(data["facts"]),
                   data["link"], data["created_at"], data.get("read_at"))


@dataclass(frozen=True)
class Preferences:
    """What a person chose: the address their e-mail goes to (none: the inbox only), the
    language they read it in, and which kinds come by e-mail (all, unless they said
    otherwise)."""

    person: str
    email: str | None = None
    language: str = "vi"
    by_email: frozenset[Kind] = field(default_factory=lambda: frozenset(Kind))

    def mails(self, kind: Kind) -> bool:
        return bool(self.email) and kind in self.by_email

    def to_doc(self) -> dict[str, Any]:
        return {"email": self.email, "language": self.language,
                "by_email": sorted(kind.value for kind in self.by_email)}

    @classmethod
    def from_doc(cls, person: str, data: dict[str, Any] | None) -> Preferences:
        if data is None:
            return cls(person)
        return cls(person, data.get("email"), data.get("language", "vi"),
                   frozenset(Kind(k) for k in data.get("by_email", [])))
