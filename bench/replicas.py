"""Scale-out of the scan page: 1, 2 and 4 processes of traceability (`ocop serve
traceability --reuse-port`, one port shared, the kernel spreading connections among them),
on a Kafka-protocol broker (Tansu) and one store, under wrk (Debian's) in one run:
requests/s, p50/p99 and the gain over one process. The rest of the platform runs beside
them, on the same broker (`ocop serve` per service), to certify the product scanned.

    python bench/replicas.py [--replicas 1,2,4] [--seconds 10] [--connections 64]

Every process on this machine shares its cores with wrk and with the others: the gain
measured is bounded by the cores there are (`nproc`); across machines, behind any HTTP load
balancer, each replica brings its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench.flow import ROOT, ocop, platform
from bench.scan import certified_with_batch, wrk
from tests.support.ports import free_port, wait_for_port
from tests.support.tansu import TansuBroker

console = Console()


def replicas(count: int, port: int, env: dict[str, str]) -> list[subprocess.Popen]:
    """``count`` processes of traceability sharing ``port``."""
    procs = [subprocess.Popen(ocop("serve", "traceability", "--port", str(port),
                                   "--reuse-port"), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(count)]
    if not wait_for_port("127.0.0.1", port, 60):
        raise RuntimeError("the replicas did not start")
    return procs


async def ready(url: str, count: int) -> None:
    """Until every replica answers (each connection may reach another process)."""
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(600):
            answers = [await client.get(url, headers={"Connection": "close"})
                       for _ in range(4 * count)]
            if all(a.status_code == 200 for a in answers):
                return
            await asyncio.sleep(0.1)
    raise RuntimeError("the replicas did not all answer the scan page")


async def main(counts: list[int], seconds: int, connections: int, threads: int) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    broker = TansuBroker()
    broker.start()
    data = tempfile.mkdtemp(prefix="ocop-bench-replicas-")
    env = {"OCOP_DATA_DIR": data, "OCOP_BUS_URL": broker.url,
           "OCOP_ALLOW_PRIVATE_SCAN_URL": "true"}
    results: dict[int, dict[str, float]] = {}
    try:
        with Progress(console=console, transient=True) as progress:
            async with platform("kafka", env) as urls, \
                    httpx.AsyncClient(timeout=30) as client:
                product_id = await certified_with_batch(urls, client, progress)
                port = free_port()
                # the page a scan of /01/{GTIN} is redirected to
                scan_url = f"http://127.0.0.1:{port}/p/{product_id}"
                served = os.environ | {"PYTHONPATH": ROOT, "OCOP_LOG_LEVEL": "WARNING",
                                       "OCOP_RATE_LIMIT": "100000/second",
                                       "OCOP_SCAN_RATE_LIMIT": "100000/second",
                                       "OCOP_PUBLIC_URL": f"http://127.0.0.1:{port}",
                                       "OCOP_SCAN_BASE_URL": urls["traceability"]} | env
                task = progress.add_task("wrk", total=len(counts))
                for count in counts:
                    procs = replicas(count, port, served)
                    try:
                        await ready(scan_url, count)
                        wrk(scan_url, 2, connections, threads)  # warm up every process
                        results[count] = wrk(scan_url, seconds, connections, threads)
                    finally:
                        for proc in procs:
                            proc.terminate()
                        for proc in procs:
                            proc.wait(timeout=30)
                    progress.advance(task)
    finally:
        broker.stop()
    table = Table(title=f"scan page (HTML) on N processes sharing a port, wrk -t{threads} "
                        f"-c{connections} -d{seconds}s, {os.cpu_count()} cores (ms)")
    for column in ("processes", "requests/s", "× one process", "p50", "p99", "non-2xx"):
        table.add_column(column, justify="right")
    one = results[counts[0]]["rps"]
    for count, r in results.items():
        table.add_row(str(count), f"{r['rps']:,.0f}", f"{r['rps'] / one:.2f}",
                      f"{r['p50']:.1f}", f"{r['p99']:.1f}", f"{r['errors']:.0f}")
    console.print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", default="1,2,4")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main([int(n) for n in args.replicas.split(",")], args.seconds,
                     args.connections, args.threads))
