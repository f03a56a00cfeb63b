"""Ending an account's tokens in every process of every service at once.

Tokens are verified with the registry's public key alone, so without more a disabled
account's tokens would work until they expire. Each token carries its account's token
generation; the registry announces a new generation (``AccountTokensRevoked``) when an
account is disabled or changes its password, and every process keeps the newest
generation per account in memory, so the check costs nothing per request.

A service may run as several replicas sharing its store, and its consumer group hands each
event to one of them; yet every replica must refuse the token. So every process hears the
revocation twice over, each way enough on its own:

- it *watches* the accounts topic (``EventBus.watch``: each replica hears each message),
  and refuses the token the moment the event is heard;
- the replica that the consumer group gives the event *records* it in the service's store
  (a restart, or a new replica, begins from there) and, once committed, raises the
  service's signal ``<service>.token-revocations``, on which the other replicas reload the
  store. The registry records a revocation in the very transaction that disables the
  account or changes its password, so its own process refuses the token from that commit.

A gap in watching (a reconnect) may miss an event, and the replica then reloads the store;
an event the store did not hold yet at that reload is stored later by a replica that raises
the signal, heard by this one since it listens again. A replica that fails between its
commit and its signal is covered by the watchers, which heard the event itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from shared.identity.auth import TokenVerifier
from shared.messaging.consumer import EventHandler
from shared.messaging.contracts.registry import AccountTokensRevoked
from shared.messaging.events.codec import decode
from shared.messaging.events.envelope import Envelope
from shared.ports.bus.port import Message
from shared.ports.store import Collection, DocumentStore, Transaction

REVOCATIONS = Collection("_token_revocations")
"""Per account (user id): the oldest token generation still accepted."""


class Revocations:
    """One process's knowledge of ended tokens: its verifier's memory, kept in step with the
    service's store (which the replicas share) and the accounts topic."""

    def __init__(self, store: DocumentStore, verifier: TokenVerifier) -> None:
        self.store = store
        self.verifier = verifier
        self.stored_elsewhere = asyncio.Event()
        """Set when another replica stored a revocation: a runtime job then reloads."""
        self.stored: Callable[[], None] = lambda: None
        """Raises the replicas' signal (``ServiceRuntime`` wires it)."""

    async def load(self) -> None:
        """Everything the service's store holds (at start, after a gap, on the signal)."""
        after = None
        while True:
            page = await self.store.find(REVOCATIONS.name, limit=1000, after=after)
            for doc in page.items:
                self.verifier.revoke(doc.id, int(doc.data["generation"]))
            if page.next_cursor is None:
                return
            after = page.next_cursor

    async def record(self, tx: Transaction, user_id: str, generation: int) -> None:
        """Store a revocation in ``tx``; once committed, this process refuses the account's
        older tokens and the other replicas are signalled to reload."""
        held = await tx.get(REVOCATIONS.name, user_id)
        if held is None or held.data["generation"] < generation:
            await tx.put(REVOCATIONS.name, user_id, {"generation": generation})
            tx.on_commit(self.stored)
        tx.on_commit(partial(self.verifier.revoke, user_id, generation))

    @property
    def handler(self) -> EventHandler:
        """The consumer group's handler of ``AccountTokensRevoked``."""

        async def on_tokens_revoked(envelope: Envelope, tx: Transaction) -> None:
            event = AccountTokensRevoked.model_validate(envelope.data)
            await self.record(tx, event.user_id, event.token_generation)

        return on_tokens_revoked

    async def heard(self, message: Message) -> None:
        """The accounts topic as every process watches it: the token is refused here at
        once, whichever replica the consumer group gave the event to."""
        envelope = decode(message)
        if envelope.type == AccountTokensRevoked.event_type:
            event = AccountTokensRevoked.model_validate(envelope.data)
            self.verifier.revoke(event.user_id, event.token_generation)
