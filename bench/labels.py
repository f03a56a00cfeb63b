"""Benchmark of labels: how fast a sheet of N serial labels is drawn, the way the
traceability service draws it (in a worker process, a part of about 500 labels at a time,
the parts then joined), and how large the PDF is; then what a shopper's phone waits for
once it has read one: the scan page of a batch with 20 origin events, its unit's page and
the JSON, from the embedded platform (`ocop run`, in its own process) under a few
concurrent clients.

    python bench/labels.py [--labels 10000] [--width 60] [--height 30] [--scans 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench.bus import percentiles
from bench.flow import PASSWORD, platform, prepare
from services.traceability.labels import pdf as sheet_pdf
from services.traceability.labels.commands import part_size
from services.traceability.labels.model import SheetLayout, new_serial
from services.traceability.labels.pdf import Code, LabelFace, draw_part, join_parts
from services.traceability.profiles import rules
from shared.platform.workers import WorkerProcess
from tests.support.platform import User

console = Console()
GTIN = "08935049510000"


async def main(labels: int, width: float, height: float) -> None:
    layout = SheetLayout.chosen(width, height, None)
    face = LabelFace("Nước mắm Khánh Hòa cá cơm 40 độ đạm", 4, "NM-2026-11",
                     date(2026, 11, 2), None, date(2028, 11, 1), GTIN)
    batch_url = rules.batch_scan_url("https://truyxuat.ocop.khanhhoa.gov.vn", "p", GTIN,
                                      face.lot)
    codes = [Code(rules.unit_scan_url(batch_url, s), s)
             for s in (new_serial() for _ in range(labels))]
    per_part = part_size(layout)
    worker = WorkerProcess(sheet_pdf.warm_up)
    await worker.run(pow, 1, 1)  # warmed up: the service's worker is, too
    parts, part_seconds = [], []
    started = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("drawing", total=labels)
        for start in range(0, labels, per_part):
            began = time.perf_counter()
            parts.append(await worker.run(draw_part, face, layout,
                                          codes[start:start + per_part], "bench"))
            part_seconds.append(time.perf_counter() - began)
            progress.update(task, completed=min(labels, start + per_part))
    drawn = time.perf_counter()
    pdf = parts[0] if len(parts) == 1 else await worker.run(join_parts, parts)
    joined = time.perf_counter()
    await worker.close()

    table = Table(title=f"{labels:,} serial labels, {width:g} × {height:g} mm, "
                        f"{layout.per_page} per A4 page")
    for column in ("labels/s", "total s", "parts", "part s (median / max)", "join s",
                   "pages", "PDF MB", "KB / page"):
        table.add_column(column, justify="right")
    pages = layout.pages(labels)
    table.add_row(f"{labels / (joined - started):,.0f}", f"{joined - started:.1f}",
                  str(len(parts)),
                  f"{statistics.median(part_seconds):.2f} / {max(part_seconds):.2f}",
                  f"{joined - drawn:.2f}", str(pages), f"{len(pdf) / 1e6:.1f}",
                  f"{len(pdf) / 1e3 / pages:.0f}")
    console.print(table)


EVENTS = 20
CLIENTS = 8
"""Concurrent clients: phones scanning at once (one process here makes every request)."""


async def batch_with_events(admin: User, member: User, progress: Progress) -> dict[str, str]:
    """A certified product with a GTIN, a batch with ``EVENTS`` origin events and one unit
    label: the paths a shopper's phone opens."""
    [evaluation] = await prepare(admin, member, 1, progress)
    product_id = (await admin.call("GET", "rating", f"/evaluations/{evaluation}"))["product_id"]
    await admin.call("PATCH", "registry", f"/products/{product_id}", json={"gtin": GTIN})
    await admin.call("POST", "rating", f"/evaluations/{evaluation}/recognition", expect=201,
                     json={"decision_number": "1/QĐ-UBND"})
    await admin.until("GET", "traceability", f"/labels/{product_id}")
    produced = datetime.now().astimezone() - timedelta(days=EVENTS + 1)
    batch = await admin.call("POST", "traceability", f"/products/{product_id}/batches",
                             expect=201, json={"lot": "NM-2026-11", "quantity": 500,
                                               "unit": "LTR",
                                               "produced_on": produced.date().isoformat()})
    steps = itertools.cycle([
        {"step": "harvest"},
        {"step": "sensor_reading", "readings": [{"kind": "salinity", "value": 265}]},
        {"step": "sensor_reading", "readings": [{"kind": "temperature", "value": 31.5}]},
        {"step": "packing"}])
    for n, step in zip(range(EVENTS), steps, strict=False):
        await admin.call("POST", "traceability", f"/batches/{batch['id']}/events",
                         expect=201, json=step | {
                             "place": {"name": "Nhà thùng Cửa Bé"},
                             "happened_at": (produced + timedelta(days=n + 1)).isoformat()})
    sheet = await admin.call("POST", "traceability", f"/batches/{batch['id']}/label-sheets",
                             expect=202, json={"count": 1})
    codes = await admin.call("GET", "traceability", f"/label-sheets/{sheet['id']}/codes.csv")
    serial = codes.text.splitlines()[1].split(",")[0]
    page = f"/p/{product_id}/10/NM-2026-11"  # where the Digital Link /01/… redirects
    return {"batch page": page, "batch JSON": f"/01/{GTIN}/10/NM-2026-11?format=json",
            "unit page": f"{page}/21/{serial}"}


async def scan_latencies(scans: int) -> None:
    env = {"OCOP_ALLOW_PRIVATE_SCAN_URL": "true"}
    with Progress(console=console, transient=True) as progress:
        async with platform("embedded", env) as urls, \
                httpx.AsyncClient(timeout=30, limits=httpx.Limits(
                    max_connections=CLIENTS)) as client:
            anyone = User(urls, client)
            admin = await anyone.sign_in("office", PASSWORD)
            await admin.call("POST", "registry", "/users", expect=201, json={
                "username": "member", "password": PASSWORD, "role": "council_member"})
            member = await anyone.sign_in("member", PASSWORD)
            paths = await batch_with_events(admin, member, progress)
            table = Table(title=f"scan pages of a batch with {EVENTS} origin events: "
                                f"{scans:,} requests each, {CLIENTS} concurrent (ms)")
            for column in ("page", "requests/s", "p50", "p95", "p99", "max"):
                table.add_column(column, justify="right")
            for name, path in paths.items():
                task = progress.add_task(name, total=scans)
                samples = await _load(client, urls["traceability"] + path, scans,
                                      lambda task=task: progress.advance(task))
                stats, rate = percentiles(samples[0]), scans / samples[1]
                table.add_row(name, f"{rate:,.0f}",
                              *(f"{stats[k]:.1f}" for k in ("p50", "p95", "p99", "max")))
    console.print(table)


async def _load(client: httpx.AsyncClient, url: str, count: int, advance: Callable[[], None]
                ) -> tuple[list[float], float]:
    """``count`` GETs of ``url`` from ``CLIENTS`` concurrent clients: each one's seconds,
    and the seconds it all took."""
    samples: list[float] = []
    remaining = itertools.count()

    async def client_loop() -> None:
        while next(remaining) < count:
            began = time.perf_counter()
            response = await client.get(url)
            samples.append(time.perf_counter() - began)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            advance()

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(CLIENTS)))
    return samples, time.perf_counter() - started


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--width", type=float, default=60)
    parser.add_argument("--height", type=float, default=30)
    parser.add_argument("--scans", type=int, default=2_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.labels, arguments.width, arguments.height))
    asyncio.run(scan_latencies(arguments.scans))
