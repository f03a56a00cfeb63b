"""Capture jobs, as the EPCIS 2.0 capture interface answers them: a capture is answered
202 with the ``Location`` of its job, which tells whether it succeeded and which events it
recorded. Here a capture is checked, hashed and recorded before it is answered (its
refusals are the answer's 400, and a producer's phone is told at once what was
recorded), so its job is finished when it is first read; a refused capture makes no job.
Pure: the job as stored (``capturing.CaptureJobs`` keeps them)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CaptureJob:
    id: str
    created_at: str
    finished_at: str
    created_by: str
    event_ids: list[str] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)
    version: int = 0
