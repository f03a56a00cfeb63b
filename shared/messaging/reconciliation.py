"""Reconciliation (anti-entropy): a service says again, slice by slice, the state of what
it owns, with each aggregate's own ``sequence``, so that a consumer whose broker lost an
event catches up with the source of truth — over the bus, no service calling another.

The consumers' inboxes make this cheap and safe: where the event was applied, the one said
again has a sequence that is not newer and is ignored; where it was lost, it is applied
(and a change it makes is recorded as a repair, ``shared.messaging.repairs``). A sweep
takes ``size`` aggregates a run, in id order, and keeps where it has got to
(``SWEEPS``), so a million are covered over many runs and a restart goes on where the last
run stopped; past the last it starts again from the first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from shared.messaging.collections import SWEEPS
from shared.platform.clock import Clock
from shared.ports.store import Document, DocumentStore

TOGETHER = 100
"""Aggregates said again in one transaction: a transaction each cost 1 ms of SQLite's
write lock per aggregate; a hundred together hold it a few tens of ms at a time."""


@dataclass(frozen=True)
class SweepRun:
    """What one run of a sweep did."""

    looked_at: int
    """Aggregates in the slice."""
    said: int
    """Of those, how many had their state said again."""
    round_done: bool
    """The slice reached the last aggregate: the next run starts from the first."""


@dataclass(frozen=True)
class Sweep:
    """``name``: the sweep's (and its cursor's) name; ``collection``: the aggregates it
    walks; ``size``: how many a run takes."""

    name: str
    collection: str
    size: int
    clock: Clock

    async def run(self, store: DocumentStore,
                  restate: Callable[[Sequence[Document]], Awaitable[int]]) -> SweepRun:
        """Hand the next slice's aggregates to ``restate``, up to ``TOGETHER`` at a time
        (which says them again in one transaction, and answers how many it said: some may
        have nothing to say), then move the cursor past them."""
        held = await store.get(SWEEPS.name, self.name)
        after: str = held.data["after"] if held else ""
        rounds: int = held.data["rounds"] if held else 0
        looked_at = said = 0
        round_done = False
        while looked_at < self.size:
            limit = min(TOGETHER, self.size - looked_at)
            page = await store.find(self.collection, {"id": {"$gt": after}} if after else None,
                                    order_by="id", limit=limit)
            if page.items:
                said += await restate(page.items)
                looked_at += len(page.items)
                after = page.items[-1].id
            if len(page.items) < limit:
                round_done = True
                break
        if round_done:
            after, rounds = "", rounds + 1
        async with store.transaction() as tx:
            await tx.put(SWEEPS.name, self.name, {
                "after": after, "rounds": rounds, "ran_at": self.clock.now().isoformat()})
        return SweepRun(looked_at, said, round_done)
