"""Keeping capture jobs (``captures.CaptureJob``): one per capture that recorded events."""

from __future__ import annotations

from dataclasses import dataclass

from services.traceability.origin.captures import CaptureJob
from services.traceability.origin.model import OriginRecord
from services.traceability.store import captures
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.ports.store import DocumentStore


@dataclass
class CaptureJobs:
    store: DocumentStore
    clock: Clock

    async def finished(self, started_at: str, by: str, recorded: list[OriginRecord]
                       ) -> CaptureJob:
        """The job of a capture that recorded ``recorded`` (a retry's too: the same
        records)."""
        job = CaptureJob(new_id(), started_at, self.clock.stamp(), by,
                         [r.event_id for r in recorded], [r.id for r in recorded])
        async with self.store.transaction() as tx:
            await captures.add(tx, job)
        return job

    async def get(self, job_id: str) -> CaptureJob:
        return await captures.get(self.store, job_id)
