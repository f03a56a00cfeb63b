"""Signals: news that every replica of a service must hear at once and that carries no
state of its own — 'what you keep in memory is stale' — sent on the bus beside the outbox.

A signal is raised after a change has committed (``Transaction.on_commit``); raising it many
times before it is sent sends it once. Each replica hears the signals published while it
listens (``EventBus.watch``: no group, nothing committed), except its own; a gap in
listening (a reconnect) is heard as a signal too, so a replica never trusts what it may
have missed. A signal that cannot be sent (the bus is down) stays raised and is sent once
the bus is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from shared.platform.ids import new_id
from shared.ports.bus import EventBus
from shared.ports.bus.port import Message

REPLICA_HEADER = "replica"


class Signal:
    def __init__(self, topic: str, heard: Callable[[], None]) -> None:
        """``heard``: what this replica does when another one raises the signal."""
        self.topic = topic
        self.heard = heard
        self.replica = new_id()
        self.wakes = asyncio.Event()
        self._raised = False

    def raise_(self) -> None:
        self._raised = True
        self.wakes.set()

    async def send(self, bus: EventBus) -> None:
        """Publish the signal if it was raised since the last time (a runtime job)."""
        if not self._raised:
            return
        self._raised = False
        try:
            await bus.publish([Message(self.topic, self.replica,
                                       {REPLICA_HEADER: self.replica.encode()}, b"")])
        except Exception:
            self._raised = True
            raise

    async def on_message(self, message: Message) -> None:
        if message.headers.get(REPLICA_HEADER) != self.replica.encode():
            self.heard()

    async def on_gap(self) -> None:
        self.heard()
