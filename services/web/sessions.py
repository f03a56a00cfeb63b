"""Web sign-ins: the only data the web front keeps.

The browser holds a random session key in an HttpOnly, Secure, SameSite cookie; the store
keeps only its SHA-256, so a copy of the store opens no session. Each session carries the
account's own API token (every rule stays in the service that enforces it) and the CSRF
token its forms must echo."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from shared.clock import Clock
from shared.store import Collection, DocumentStore

SESSIONS = Collection("web_sessions", indexes=("expires_at",))
COOKIE = "ocop_session"


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


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Sessions:
    store: DocumentStore
    clock: Clock
    hours: int

    async def open(self, token: str, token_seconds: int, me: dict[str, str | None]
                   ) -> tuple[str, WebSession]:
        """A new session for a signed-in account; the cookie's key and the session. It ends
        with its token (or sooner, after ``hours``)."""
        key = secrets.token_urlsafe(32)
        lasts = min(timedelta(hours=self.hours), timedelta(seconds=token_seconds))
        session = WebSession(_digest(key), token, str(me["username"]), str(me["role"]),
                             me.get("subject_id"), secrets.token_urlsafe(24),
                             (self.clock.now() + lasts).isoformat())
        await self._keep(session)
        return key, session

    async def find(self, key: str | None) -> WebSession | None:
        if not key:
            return None
        doc = await self.store.get(SESSIONS.name, _digest(key))
        if doc is None:
            return None
        session = WebSession(id=doc.id, **doc.data)
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
        async with self.store.transaction() as tx:
            await tx.put(SESSIONS.name, session.id, _data(session))


def _data(session: WebSession) -> dict[str, object]:
    return {k: v for k, v in asdict(session).items() if k != "id"}
