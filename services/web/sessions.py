"""Web sign-ins: the only data the web front keeps.

The browser holds a random session key in an HttpOnly, Secure, SameSite cookie; the store
keeps only its SHA-256, so a copy of the store opens no session. Each session carries the
account's own API token (every rule stays in the service that enforces it), encrypted with
a key kept in the data directory (AES-GCM, bound to its session), so a copy of the store
alone holds no usable token; and the CSRF token its forms must echo."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.web.clients.registry import Me
from shared.platform.clock import Clock
from shared.platform.keyfiles import kept_secret
from shared.ports.store import Collection, DocumentStore

SESSIONS = Collection("web_sessions", indexes=("expires_at",))
COOKIE = "ocop_session"
SIGN_IN_COOKIE = "ocop_sign_in"
"""The sign-in form's CSRF token, which the form echoes: no session holds it yet."""
TOKEN_KEY_FILE = ".web-session-key"
_NONCE_BYTES = 12


@dataclass(frozen=True)
class WebSession:
    """One signed-in browser (phiên đăng nhập)."""

    id: str
    """SHA-256 of the cookie's key."""
    token: str
    username: str
    role: str
    subject_id: str | None
    csrf: str
    expires_at: str

    def accepts(self, csrf: str | None) -> bool:
        return bool(csrf) and hmac.compare_digest(self.csrf, csrf or "")


def sign_in_token(held: str | None) -> str:
    """The sign-in form's CSRF token: the one the browser holds (each open sign-in page
    stays good), else a new one."""
    return held or secrets.token_urlsafe(24)


def sign_in_accepts(held: str | None, sent: str | None) -> bool:
    """A sign-in posted from the workspace's own form: the field echoes the cookie, which
    another site can neither read nor make the browser send (SameSite=Strict)."""
    return bool(held) and bool(sent) and hmac.compare_digest(held or "", sent or "")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenBox:
    """Seals a session's API token for the store and opens it again: AES-GCM with a key
    made once in the data directory; the session's id is bound in, so a sealed token moved
    to another session's row does not open."""

    def __init__(self, key: bytes) -> None:
        self._cipher = AESGCM(key)

    @classmethod
    def kept_in(cls, data_dir: Path) -> TokenBox:
        return cls(bytes.fromhex(kept_secret(data_dir / TOKEN_KEY_FILE).decode()))

    def seal(self, session_id: str, token: str) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, token.encode(), session_id.encode())
        return base64.b64encode(nonce + sealed).decode()

    def open(self, session_id: str, sealed: str) -> str | None:
        """The token; None if it does not open (another key, or a row of an earlier
        version, which kept it in plain text): that session has ended."""
        try:
            raw = base64.b64decode(sealed, validate=True)
            return self._cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:],
                                        session_id.encode()).decode()
        except (InvalidTag, ValueError):
            return None


@dataclass
class Sessions:
    store: DocumentStore
    clock: Clock
    hours: int
    box: TokenBox

    async def open(self, token: str, token_seconds: int, me: Me) -> tuple[str, WebSession]:
        """A new session for a signed-in account; the cookie's key and the session. It ends
        with its token (or sooner, after ``hours``)."""
        key = secrets.token_urlsafe(32)
        lasts = min(timedelta(hours=self.hours), timedelta(seconds=token_seconds))
        session = WebSession(_digest(key), token, me.username, me.role, me.subject_id,
                             secrets.token_urlsafe(24),
                             (self.clock.now() + lasts).isoformat())
        await self._keep(session)
        return key, session

    async def find(self, key: str | None) -> WebSession | None:
        if not key:
            return None
        doc = await self.store.get(SESSIONS.name, _digest(key))
        if doc is None:
            return None
        token = self.box.open(doc.id, doc.data["token"])
        if token is None:
            return None
        session = WebSession(id=doc.id, **doc.data | {"token": token})
        if datetime.fromisoformat(session.expires_at) <= self.clock.now():
            return None
        return session

    async def renew_token(self, session: WebSession, token: str) -> WebSession:
        """After a password change the account's earlier tokens end; the session goes on
        with the new one."""
        renewed = replace(session, token=token)
        await self._keep(renewed)
        return renewed

    async def close(self, session: WebSession) -> None:
        async with self.store.transaction() as tx:
            await tx.delete(SESSIONS.name, session.id)

    async def sweep(self) -> int:
        """Forget sessions that have ended; how many."""
        ended = await self.store.find(SESSIONS.name,
                                      {"expires_at": {"$lte": self.clock.now().isoformat()}},
                                      limit=1000)
        async with self.store.transaction() as tx:
            for doc in ended.items:
                await tx.delete(SESSIONS.name, doc.id)
        return len(ended.items)

    async def _keep(self, session: WebSession) -> None:
        data = {k: v for k, v in asdict(session).items() if k != "id"}
        async with self.store.transaction() as tx:
            await tx.put(SESSIONS.name, session.id,
                         data | {"token": self.box.seal(session.id, session.token)})
