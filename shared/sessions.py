"""Ending an account's tokens in every service at once.

Tokens are verified with the registry's public key alone, so without more a disabled
account's tokens would work until they expire. Each token carries its account's token
generation; the registry announces a new generation (``AccountTokensRevoked``) when an
account is disabled or changes its password, and every service keeps the newest
generation per account — in its store, so a restart remembers it, and in memory, so the
check costs nothing per request.
"""

from __future__ import annotations

from shared.auth import TokenVerifier
from shared.contracts.registry import AccountTokensRevoked
from shared.events.envelope import Envelope
from shared.messaging.consumer import EventHandler
from shared.store import Collection, DocumentStore, Transaction

REVOCATIONS = Collection("_token_revocations")
"""Per account (user id): the oldest token generation still accepted."""


async def load_revocations(store: DocumentStore, verifier: TokenVerifier) -> None:
    """At start: what the service already knows."""
    after = None
    while True:
        page = await store.find(REVOCATIONS.name, limit=1000, after=after)
        for doc in page.items:
            verifier.revoke(doc.id, int(doc.data["generation"]))
        if page.next_cursor is None:
            return
        after = page.next_cursor


def revocation_handler(verifier: TokenVerifier) -> EventHandler:
    """The event handler every service registers for ``AccountTokensRevoked``."""

    async def on_tokens_revoked(envelope: Envelope, tx: Transaction) -> None:
        event = AccountTokensRevoked.model_validate(envelope.data)
        held = await tx.get(REVOCATIONS.name, event.user_id)
        if held is not None and held.data["generation"] >= event.token_generation:
            return
        await tx.put(REVOCATIONS.name, event.user_id, {"generation": event.token_generation})
        tx.on_commit(lambda: verifier.revoke(event.user_id, event.token_generation))

    return on_tokens_revoked
