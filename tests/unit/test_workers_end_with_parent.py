"""Worker processes end with the process that started them (issue 34): a ``kill -9`` of
``ocop run`` left its 3–4 workers (~200 MB) running. Here the smallest thing that starts
them: a process with a service's ``WorkerProcess``, killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]

STARTS_WORKERS = """
import asyncio, os
from shared.platform.workers import WorkerProcess

async def main():
    workers = [WorkerProcess(os.getpid), WorkerProcess(os.getpid, background=True)]
    print(*[await worker.run(os.getpid) for worker in workers], flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def alive(pid: int) -> bool:
    """Running (a process ended but not yet reaped, a zombie, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> set[int]:
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()}


def test_worker_processes_end_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", STARTS_WORKERS], cwd=REPOSITORY,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        workers = {int(pid) for pid in parent.stdout.readline().split()}
        assert len(workers) == 2 and parent.pid not in workers
        started = children(parent.pid)  # the workers, and multiprocessing's tracker
        assert workers <= started and all(alive(pid) for pid in started)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in started if alive(pid)]
    finally:
        parent.kill()
        parent.wait(timeout=10)
