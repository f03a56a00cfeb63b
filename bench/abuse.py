"""Large bodies against a running platform: four parallel 100 MB bodies to POST /subjects
without a token (and, with --token, with one), while /healthz is timed and the server's
memory read. Prints the refusals, /healthz latency and the process's peak RSS.

    ocop run &            # or any service address with --url
    python bench/abuse.py --url http://127.0.0.1:8001 --pid $(pgrep -f 'ocop run')
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

CHUNK = b"x" * (1 << 20)


async def body(megabytes: int) -> AsyncIterator[bytes]:
    for _ in range(megabytes):
        yield CHUNK


def rss_mb(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8001")
    parser.add_argument("--pid", type=int, default=None, help="the server's process id")
    parser.add_argument("--token", default=None, help="send the bodies signed in")
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    headers = {"Content-Type": "application/json"}
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    async with httpx.AsyncClient(timeout=120) as client:
        before = rss_mb(args.pid)
        peak = before
        latencies: list[float] = []
        sends = [asyncio.create_task(client.post(f"{args.url}/subjects", headers=headers,
                                                 content=body(args.megabytes)))
                 for _ in range(4)]
        while not all(s.done() for s in sends):
            start = time.perf_counter()
            await client.get(f"{args.url}/healthz")
            latencies.append((time.perf_counter() - start) * 1000)
            peak = max(peak, rss_mb(args.pid))
            await asyncio.sleep(0.01)
        statuses = []
        for s in sends:
            try:
                statuses.append(str(s.result().status_code))
            except httpx.HTTPError as exc:  # the server may close the connection early
                statuses.append(type(exc).__name__)
    print(f"answers to 4 × {args.megabytes} MB: {', '.join(statuses)}")
    if latencies:
        print(f"/healthz during: n={len(latencies)} p50={statistics.median(latencies):.1f} ms "
              f"max={max(latencies):.1f} ms")
    print(f"server RSS: before {before:.0f} MB, peak {peak:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
