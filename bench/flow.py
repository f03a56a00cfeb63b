"""Benchmark of the headline flow: from the office's recognition request to the product
being listed in the catalog, to its QR label existing, and to a sales channel's webhook
receiving the news (``ListingPublished``, signed, over HTTP).

The platform runs as it is deployed, in other processes: embedded (`ocop run`: one process,
in-process bus, SQLite, a directory) and distributed (four `ocop serve` processes on a Tansu
Kafka-protocol broker and a SeaweedFS S3 server, both started here). Products are certified
one at a time, from this process's request; a product counts as listed (labelled) at the
time the catalog (traceability) committed it, which the record carries; the webhook when
the receiver (in this process) has its request. Beside them, the raw aiokafka round trip on
the same broker in the same run.

    python bench/flow.py [--products 200] [--mode embedded|kafka|all]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench.bus import percentiles, raw_round_trip
from shared.platform.config import SERVICES
from shared.ports.bus import open_bus
from tests.support.platform import User
from tests.support.ports import free_port, free_port_block
from tests.support.receiver import Receiver, receiver
from tests.support.seaweed import SeaweedS3
from tests.support.tansu import TansuBroker

console = Console()
PASSWORD = "bench-" + secrets.token_hex(8)
POLL_SECONDS = 0.02
"""Polling only finds the record; the latency is read from the record's own timestamp
(listed_at, issued_at), so a gentle poll neither adds to nor slows what is measured."""


def ocop(*args: str) -> list[str]:
    return [sys.executable, "-m", "services.cli", *args]


ROOT = str(Path(__file__).resolve().parents[1])


def platform_log(env: dict[str, str]) -> Path:
    """Where the platform's processes print: ``platform.log`` in its data directory."""
    return Path(env["OCOP_DATA_DIR"]) / "platform.log"


def bench_env(env: dict[str, str]) -> dict[str, str]:
    """What every process of a bench's platform is started with, ``env`` last."""
    # One client makes every request here: the per-address rate limit would measure itself.
    return os.environ | {"PYTHONPATH": ROOT, "OCOP_LOG_LEVEL": "WARNING",
                         "OCOP_ADMIN_PASSWORD": PASSWORD,
                         "OCOP_RATE_LIMIT": "100000/second",
                         "OCOP_SCAN_RATE_LIMIT": "100000/second",
                         "OCOP_ALLOW_PRIVATE_WEBHOOK_URLS": "true"} | env


def add_admin(env: dict[str, str]) -> None:
    """The first admin, ``office`` (its password: ``PASSWORD``)."""
    subprocess.run(ocop("users", "add-admin", "office"), env=bench_env(env), check=True,
                   capture_output=True)


def serve(name: str, urls: dict[str, str], env: dict[str, str], log: IO[bytes],
          **popen: Any) -> subprocess.Popen:
    """``ocop serve name`` on its port of ``urls``, printing to ``log``."""
    url = urls[name]
    return subprocess.Popen(ocop("serve", name, "--port", url.rsplit(":", 1)[1]),
                            env=bench_env(env) | {"OCOP_PUBLIC_URL": url,
                                                  "OCOP_SCAN_BASE_URL": urls["traceability"]},
                            stdout=log, stderr=log, **popen)


def launch(mode: str, env: dict[str, str]) -> tuple[dict[str, str], list[subprocess.Popen]]:
    """The first admin, then the platform's processes; returns each service's URL."""
    add_admin(env)
    base_env = bench_env(env)
    with platform_log(env).open("ab") as log:  # each process keeps its own copy open
        if mode == "embedded":
            base = free_port_block(1 + len(SERVICES))
            urls = {name: f"http://127.0.0.1:{base + i + 1}"
                    for i, name in enumerate(SERVICES)}
            return urls, [subprocess.Popen(ocop("run", "--base-port", str(base)),
                                           env=base_env, stdout=log, stderr=log)]
        urls = {name: f"http://127.0.0.1:{free_port()}" for name in SERVICES}
        return urls, [serve(name, urls, env, log) for name in urls]


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=30)


@contextlib.asynccontextmanager
async def platform(mode: str, env: dict[str, str]) -> AsyncIterator[dict[str, str]]:
    """The platform in its own processes; yields each service's URL once all are ready."""
    urls, procs = await asyncio.to_thread(launch, mode, env)
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            deadline = time.monotonic() + 90
            for url in urls.values():
                while True:
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get(f"{url}/readyz")).status_code == 200:
                            break
                    if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                        log = platform_log(env)
                        tail = log.read_text(errors="replace").splitlines()[-30:]
                        raise RuntimeError(f"the platform did not start ({mode}); the end of "
                                           f"{log}:\n" + "\n".join(tail))
                    await asyncio.sleep(0.1)
        yield urls
    finally:
        await asyncio.to_thread(stop, procs)


async def prepare(admin: User, member: User, count: int, progress: Progress) -> list[str]:
    """Products registered, submitted, scored (4★) and closed: ready to be recognised."""
    subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
        "type": "enterprise", "name": "Công ty Nông sản Khánh Sơn", "code": "0100233488",
        "province": "Khánh Hòa", "commune": "Xã Khánh Sơn"})
    task = progress.add_task("preparing products", total=count)
    evaluations = []
    for i in range(count):
        product = await admin.call("POST", "registry", "/products", expect=201, json={
            "subject_id": subject["id"], "name": f"Sầu riêng Khánh Sơn {i}", "group": "food",
            "subgroup": "fresh_produce"})
        await admin.call("POST", "registry", f"/products/{product['id']}/submission",
                         json={"paper_dossier": "bench: dossier not part of the measure"})
        await admin.until("POST", "rating", "/proposals", expect=201, json={
            "product_id": product["id"], "origin": True, "local_labour": True, "idea": True,
            "local_identity": True})
        evaluation = await admin.until("POST", "rating", "/evaluations", expect=201,
                                       json={"product_id": product["id"]})
        await member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                          expect=201, json={"part_a": 32, "part_b": 20, "part_c": 28})
        await admin.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
        evaluations.append(evaluation["id"])
        progress.advance(task)
    return evaluations


async def hooked(admin: User, hook: Receiver) -> None:
    """A sales channel whose webhook endpoint is ``hook``."""
    issued = await admin.call("POST", "catalog", "/channels", expect=201, json={
        "name": "Postmart", "website": "https://postmart.vn", "contact_name": "Bench",
        "contact_email": "bench@postmart.vn"})
    await admin.channel(issued["api_key"]).call("POST", "catalog", "/channel/webhooks",
                                                expect=201, json={"url": hook.url})


async def certify_one(admin: User, client: httpx.AsyncClient, urls: dict[str, str],
                      hook: Receiver, evaluation_id: str) -> tuple[float, float, float]:
    async def webhook(product_id: str) -> float:
        while True:
            for request in hook.accepted[seen_before:]:
                body = json.loads(request.body)
                if body["data"]["product_id"] == product_id and body["type"].endswith(
                        "listing.published.v1"):
                    return request.at - monotonic_start
            await asyncio.sleep(POLL_SECONDS / 4)

    async def seen(url: str, stamp: str) -> float:
        while True:
            response = await client.get(url)
            if response.status_code == 200:
                return datetime.fromisoformat(response.json()[stamp]).timestamp() - started
            await asyncio.sleep(POLL_SECONDS)

    seen_before = len(hook.accepted)
    started, monotonic_start = time.time(), time.monotonic()
    certificate = await admin.call("POST", "rating",
                                   f"/evaluations/{evaluation_id}/recognition", expect=201,
                                   json={"decision_number": "1/QĐ-UBND"})
    product_id = certificate["product_id"]
    listed, labelled, hooked_at = await asyncio.gather(
        seen(f"{urls['catalog']}/listings/{product_id}", "listed_at"),
        seen(f"{urls['traceability']}/labels/{product_id}", "issued_at"),
        webhook(product_id))
    return listed, labelled, hooked_at


async def run_mode(mode: str, env: dict[str, str], count: int,
                   progress: Progress) -> dict[str, dict[str, float]]:
    async with platform(mode, env) as urls, httpx.AsyncClient(timeout=30) as client, \
            receiver() as hook:
        anyone = User(urls, client)
        admin = await anyone.sign_in("office", PASSWORD)
        await hooked(admin, hook)
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "member", "password": PASSWORD, "role": "council_member"})
        member = await anyone.sign_in("member", PASSWORD)
        evaluations = await prepare(admin, member, count, progress)
        task = progress.add_task(f"certifying ({mode})", total=count)
        listed, labelled, webhooks = [], [], []
        for evaluation_id in evaluations:
            to_listed, to_label, to_webhook = await certify_one(admin, client, urls, hook,
                                                                evaluation_id)
            listed.append(to_listed)
            labelled.append(to_label)
            webhooks.append(to_webhook)
            progress.advance(task)
    return {"listed": percentiles(listed), "label": percentiles(labelled),
            "webhook": percentiles(webhooks)}


def report(results: dict[str, dict[str, dict[str, float]]], raw: dict[str, float] | None) -> None:
    table = Table(title="certify request → visible, one product at a time (ms)")
    for col in ("platform", "until", "n", "p50", "p95", "p99", "max"):
        table.add_column(col, justify="right")
    for mode, r in results.items():
        for what, label in (("listed", "listed in catalog"), ("label", "label exists"),
                            ("webhook", "channel's webhook received")):
            s = r[what]
            table.add_row(mode, label, str(int(s["n"])),
                          *(f"{s[k]:.1f}" for k in ("p50", "p95", "p99", "max")))
    if raw:
        table.add_row("kafka", "raw aiokafka round trip", str(int(raw["n"])),
                      *(f"{raw[k]:.1f}" for k in ("p50", "p95", "p99", "max")))
    console.print(table)
    if "embedded" in results:
        worst = max(results["embedded"][w]["p99"] for w in ("listed", "label"))
        console.print(f"embedded p99 (worse of the two) = {worst:.1f} ms (aim: < 50 ms)")
    if "kafka" in results and raw:
        worst = max(results["kafka"][w]["p99"] for w in ("listed", "label"))
        aim = 3 * raw["p99"] + 50
        console.print(f"kafka p99 (worse of the two) = {worst:.1f} ms (aim: < 3 × raw p99 "
                      f"{raw['p99']:.1f} + 50 = {aim:.1f} ms)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--mode", choices=("embedded", "kafka", "all"), default="all")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    results: dict[str, dict[str, dict[str, float]]] = {}
    raw = None
    with Progress(console=console, transient=True) as progress:
        if args.mode in ("embedded", "all"):
            data = tempfile.mkdtemp(prefix="ocop-bench-flow-")
            results["embedded"] = await run_mode("embedded", {"OCOP_DATA_DIR": data},
                                                 args.products, progress)
        if args.mode in ("kafka", "all"):
            broker, s3 = TansuBroker(), SeaweedS3()
            broker.start()
            s3.start()
            try:
                env = {"OCOP_DATA_DIR": tempfile.mkdtemp(prefix="ocop-bench-flow-"),
                       "OCOP_BUS_URL": broker.url, "OCOP_OBJECTS_URL": s3.url("bench")}
                results["kafka"] = await run_mode("kafka", env, args.products, progress)
                fetch_wait = open_bus(broker.url).fetch_max_wait_ms  # type: ignore[attr-defined]
                raw = await raw_round_trip(broker.bootstrap, args.products, fetch_wait,
                                           progress)
            finally:
                broker.stop()
                s3.stop()
    report(results, raw)


if __name__ == "__main__":
    asyncio.run(main())
