"""What one caller's burst does to everyone else, on the embedded platform (`ocop run`, in its
own processes): the memory high-water mark of the whole platform (the process and its worker
processes) while four photos are uploaded at once, and the scan page's latency while a
producer's 10,000-label sheet is drawn, beside the same page's latency at rest.

    python bench/bursts.py [--photos 4] [--megapixels 24] [--labels 10000] [--clients 4]

The photos are PNGs of one colour (a few hundred kB that decode to ``--megapixels`` million
pixels each), sent twice: at that size, and at 49 million pixels (7000 × 7000, refused
before it is decoded).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image
from rich.console import Console
from rich.progress import Progress

from bench.bus import percentiles
from bench.flow import PASSWORD, platform
from bench.scan import GTIN, LOT, certified_with_batch
from tests.support.platform import User

console = Console()


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and every process under it, in MB."""
    total, waiting = 0.0, [pid]
    while waiting:
        current = waiting.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        total += next((int(line.split()[1]) / 1024 for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0.0)
        waiting += [int(child) for child in children]
    return total


def png(megapixels: float) -> bytes:
    side = int(math.sqrt(megapixels * 1_000_000))
    out = io.BytesIO()
    Image.new("RGB", (side, side), (200, 160, 40)).save(out, format="PNG")
    return out.getvalue()


async def photo_burst(admin: User, product_id: str, pid: int, count: int, megapixels: float
                      ) -> None:
    data = png(megapixels)
    url = admin.urls["registry"] + f"/products/{product_id}/images"
    before = tree_rss_mb(pid)
    peak = before
    sends = [asyncio.create_task(admin.client.post(
        url, content=data, headers=admin.headers | {"Content-Type": "image/png"}, timeout=300))
        for _ in range(count)]
    started = time.perf_counter()
    while not all(send.done() for send in sends):
        peak = max(peak, tree_rss_mb(pid))
        await asyncio.sleep(0.02)
    took = time.perf_counter() - started
    answers = [str(send.result().status_code) for send in sends]
    await asyncio.sleep(3)
    after = tree_rss_mb(pid)
    console.print(f"{count} × {megapixels:g} MP PNG ({len(data) // 1024} kB): answers "
                  f"{', '.join(answers)} in {took:.1f} s; platform RSS before {before:.0f} MB, "
                  f"peak {peak:.0f} MB, 3 s after {after:.0f} MB")


async def scan_latencies(client: httpx.AsyncClient, url: str, clients: int,
                         until: asyncio.Event | None, seconds: float) -> list[float]:
    """Scan-page latencies from ``clients`` concurrent shoppers, until ``until`` is set (or
    for ``seconds``)."""
    samples: list[float] = []
    deadline = time.monotonic() + seconds

    async def shopper() -> None:
        while (until is None and time.monotonic() < deadline) or \
                (until is not None and not until.is_set()):
            began = time.perf_counter()
            response = await client.get(url)
            assert response.status_code == 200, response.status_code
            samples.append(time.perf_counter() - began)

    await asyncio.gather(*(shopper() for _ in range(clients)))
    return samples


def show(name: str, samples: list[float]) -> None:
    figures = percentiles(samples)
    console.print(f"scan page {name}: n={len(samples)} p50 {figures['p50']:.1f} ms, "
                  f"p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms, "
                  f"max {max(samples) * 1000:.0f} ms")


async def main(photos: int, megapixels: float, labels: int, clients: int) -> None:
    env = {"OCOP_DATA_DIR": tempfile.mkdtemp(prefix="ocop-bursts-"),
           "OCOP_ALLOW_PRIVATE_SCAN_URL": "true"}
    async with platform("embedded", env) as urls, httpx.AsyncClient(timeout=60) as client:
        with Progress(console=console, transient=True) as progress:
            product_id = await certified_with_batch(urls, client, progress)
        admin = await User(urls, client).sign_in("office", PASSWORD)
        pid = platform_pid(int(urls["registry"].rsplit(":", 1)[1]) - 1)
        await photo_burst(admin, product_id, pid, photos, 49)
        await photo_burst(admin, product_id, pid, photos, megapixels)

        page = f"{urls['traceability']}/p/{product_id}/10/{LOT}"  # where /01/… redirects
        await scan_latencies(client, page, clients, None, 2)  # warm
        show("at rest", await scan_latencies(client, page, clients, None, 10))
        batch = (await admin.call("GET", "traceability", f"/01/{GTIN}/10/{LOT}",
                                  headers={"Accept": "application/json"}))
        batch_id = batch["batch"]["id"]
        sheet = await admin.call("POST", "traceability", f"/batches/{batch_id}/label-sheets",
                                 expect=202, json={"count": labels, "kind": "serial"})
        drawn = asyncio.Event()
        started = time.perf_counter()

        async def watch() -> None:
            while True:
                now = await admin.call("GET", "traceability", f"/label-sheets/{sheet['id']}")
                if now["status"] != "drawing":
                    break
                await asyncio.sleep(0.5)
            drawn.set()

        during, _ = await asyncio.gather(scan_latencies(client, page, clients, drawn, 0),
                                         watch())
        console.print(f"{labels:,} labels drawn in {time.perf_counter() - started:.1f} s")
        show(f"while drawing {labels:,} labels", during)


def platform_pid(base_port: int) -> int:
    """The `ocop run --base-port base_port` process this bench started."""
    wanted = f"services.cli\0run\0--base-port\0{base_port}\0".encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and wanted in (proc / "cmdline").read_bytes():
                return int(proc.name)
        except OSError:
            continue
    raise RuntimeError(f"no platform process on base port {base_port}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--megapixels", type=float, default=24)
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(main(args.photos, args.megapixels, args.labels, args.clients))
