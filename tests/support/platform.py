"""The four services really served over HTTP on free loopback ports, and a client that
walks the platform as its users do (admin, council members, producer, consumer)."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from PIL import Image
from typer.testing import CliRunner

from services import build_service
from services.cli import app as ocop
from services.embedded import ServiceServer
from services.registry.subjects.rules import DISTRICTS_ABOLISHED
from shared.http import tls
from shared.platform.config import SERVICES, Settings
from shared.platform.runtime import CLIENT_KEEP_ALIVE_SECONDS, ServiceRuntime, server_config
from shared.platform.workers import WorkerFactory
from shared.ports.bus import EventBus, open_bus
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.kept_workers import KEPT
from tests.support.ports import bound_socket, port_of

SHARED_BUSES: dict[str, EventBus] = {}
"""The bus each running platform's services share, by its registry's URL: the web front
joins it (``tests.support.workspace.serving_workspace``)."""


RUNTIMES: dict[str, dict[str, ServiceRuntime]] = {}
"""Each running platform's services (the first replica of each), by its registry's URL."""


def shared_bus(urls: dict[str, str]) -> EventBus | None:
    """The bus the platform serving ``urls`` shares, if it shares one."""
    return SHARED_BUSES.get(urls.get("registry", ""))


async def run_job(urls: dict[str, str], service: str, name: str) -> Any:
    """Runs once, now, what ``service`` of the platform serving ``urls`` schedules as
    ``name`` (``runtime.every``), as its timer would: a test that moves the clock to a day
    (time-machine moves the wall clock, not the timers) has that day's sweep at once rather
    than on the next hour. What it writes to the outbox the relay publishes as usual."""
    return await RUNTIMES[urls["registry"]][service].job(name)()


@dataclass(frozen=True)
class Platform:
    settings: Settings
    urls: dict[str, str]
    replicas: dict[str, list[str]]
    """Each service's replicas' URLs (the first is ``urls[service]``)."""


@contextlib.asynccontextmanager
async def running_platform(settings: Settings, *, shared_bus: bool, replicas: int = 1,
                           workers: WorkerFactory = KEPT, scan_base_url: str | None = None
                           ) -> AsyncIterator[Platform]:
    """``shared_bus``: one bus for all four, as ``ocop run`` does; otherwise each service
    opens its own, as in the distributed deployment. ``replicas``: servers of each service,
    each on its own port with its own bus (so, on Kafka, one consumer group of several
    members) and sharing the service's store, as processes of ``ocop serve --reuse-port``
    do. ``workers``: kept from one test's platform to the next unless a test asks for its
    own (``tests/support/kept_workers.py``). ``scan_base_url``: where the scan pages are
    published (a proxy in front of traceability's); traceability's own URL otherwise."""
    assert replicas == 1 or not shared_bus, "replicas each open their own bus"
    sockets = {(name, i): bound_socket() for name in SERVICES for i in range(replicas)}
    urls = {key: f"http://127.0.0.1:{port_of(sock)}" for key, sock in sockets.items()}
    bus = open_bus(settings.bus_url_resolved(), client_id="ocop-test") if shared_bus else None
    if bus is not None:
        await bus.start([])
    servers = []
    runtimes: dict[str, ServiceRuntime] = {}
    for name, i in sockets:
        runtime = build_service(name, settings.model_copy(update={
            "public_url": urls[name, 0],
            "scan_base_url": scan_base_url or urls["traceability", 0]}), bus=bus,
            workers=workers)
        runtimes.setdefault(name, runtime)
        servers.append(ServiceServer(server_config(
            runtime.fastapi_app(), host="127.0.0.1", port=port_of(sockets[name, i]),
            access_log=False, trusted_proxies=settings.trusted_proxies)))
    tasks = [asyncio.create_task(s.serve(sockets=[sock]))
             for sock, s in zip(sockets.values(), servers, strict=True)]
    if bus is not None:
        SHARED_BUSES[urls["registry", 0]] = bus
    RUNTIMES[urls["registry", 0]] = runtimes
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while not all(s.started for s in servers):
            failed = [t for t in tasks if t.done()]
            if failed:
                raise RuntimeError(f"a service did not start: {failed[0].exception()!r}")
            assert asyncio.get_running_loop().time() < deadline, "services did not start"
            await asyncio.sleep(0.05)
        yield Platform(settings, {name: urls[name, 0] for name in SERVICES},
                       {name: [urls[name, i] for i in range(replicas)]
                        for name in SERVICES})
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for sock in sockets.values():
            sock.close()
        RUNTIMES.pop(urls["registry", 0], None)
        if bus is not None:
            SHARED_BUSES.pop(urls["registry", 0], None)
            await bus.stop()


async def add_admin(settings: Settings, username: str, password: str) -> None:
    """The README's first step: ``ocop users add-admin`` (its own event loop, so a thread)."""
    result = await asyncio.to_thread(
        CliRunner().invoke, ocop, ["users", "add-admin", username,
                                   "--data-dir", str(settings.data_dir)],
        env={"OCOP_ADMIN_PASSWORD": password,
             "OCOP_STORE_URL": settings.store_url.get_secret_value(),
             "OCOP_PASSWORD_HASH_MEMORY_KIB": str(settings.password_hash_memory_kib),
             "OCOP_PASSWORD_HASH_TIME_COST": str(settings.password_hash_time_cost)})
    assert result.exit_code == 0, result.output


@contextlib.asynccontextmanager
async def office_signed_in(settings: Settings, password: str, *, shared_bus: bool = True,
                           workers: WorkerFactory = KEPT, scan_base_url: str | None = None
                           ) -> AsyncIterator[User]:
    """The platform running with its first admin ("office", made by ``ocop users
    add-admin``) signed in; ``.urls`` and ``.client`` of the yielded user reach it all."""
    await add_admin(settings, "office", password)
    async with running_platform(settings, shared_bus=shared_bus, workers=workers,
                                scan_base_url=scan_base_url) as platform, \
            httpx.AsyncClient(timeout=30, verify=tls.verified(), limits=httpx.Limits(
                keepalive_expiry=CLIENT_KEEP_ALIVE_SECONDS)) as client:
        yield await User(platform.urls, client).sign_in("office", password)


def png_image() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 160, 40)).save(out, format="PNG")
    return out.getvalue()


class User:
    """One person's HTTP session with the platform."""

    def __init__(self, urls: dict[str, str], client: httpx.AsyncClient,
                 token: str | None = None) -> None:
        self.urls = urls
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def call(self, method: str, service: str, path: str, *, expect: int = 200,
                   **kwargs: Any) -> Any:
        response = await self.client.request(method, self.urls[service] + path,
                                             headers=self.headers | kwargs.pop("headers", {}),
                                             **kwargs)
        assert response.status_code == expect, (method, path, response.status_code,
                                                response.text)
        return response.json() if "json" in response.headers.get("content-type", "") else response

    def anonymous(self) -> User:
        """Someone on the same platform without a token: a consumer, a visitor."""
        return User(self.urls, self.client)

    def channel(self, api_key: str) -> User:
        """A sales channel's systems, calling with one of its API keys."""
        user = User(self.urls, self.client)
        user.headers = {"X-API-Key": api_key}
        return user

    async def sign_in(self, username: str, password: str) -> User:
        body = await self.call("POST", "registry", "/auth/token",
                               json={"username": username, "password": password})
        return User(self.urls, self.client, body["access_token"])

    async def until(self, method: str, service: str, path: str, *, expect: int = 200,
                    within: float = 30, **kwargs: Any) -> Any:
        """Repeat a call until it answers ``expect``: events take a moment to arrive."""
        result: list[Any] = []

        async def answered() -> bool:
            response = await self.client.request(method, self.urls[service] + path,
                                                 headers=self.headers, **kwargs)
            if response.status_code != expect:
                return False
            result.append(response)
            return True

        await wait_until(answered, within=within, interval=0.02)
        response = result[-1]
        return response.json() if "json" in response.headers.get("content-type", "") else response


def registered(on: date | str | None = None, *, district: str) -> dict[str, str]:
    """A subject's ``registered_on`` (today by default) as the registry takes it: a record
    made before 1 July 2025 names its district (huyện) too, a later one none (the suite may
    be travelling to a day before it)."""
    day = date.fromisoformat(on) if isinstance(on, str) else on or today()
    return {"registered_on": day.isoformat(),
            **({"district": district} if day < DISTRICTS_ABOLISHED else {})}


async def propose(officer: User, product_id: str, assessed_on: str | None = None) -> None:
    """The commune's pre-assessment, every criterion met: the product is proposed."""
    body: dict[str, Any] = {"product_id": product_id, "origin": True, "local_labour": True,
                            "idea": True, "local_identity": True}
    if assessed_on:
        body["assessed_on"] = assessed_on
    proposal = await officer.until("POST", "rating", "/proposals", expect=201, json=body)
    assert proposal["proposed"] is True


PAPER_DOSSIER = {"paper_dossier": "Hồ sơ giấy lưu tại cơ quan quản lý (dữ liệu kiểm thử)"}
"""The office submitting a product whose dossier it holds on paper."""
PDF = b"%PDF-1.7\n% a dossier document\n%%EOF\n"


async def accepted_dossier(producer: User, office: User, product_id: str) -> None:
    """The producer adds every document its checklist lacks and proposes what is left of
    idea → plan → dossier; the office accepts each stage."""
    path = f"/products/{product_id}"
    dossier = await producer.call("GET", "registry", f"{path}/dossier")
    for missing in dossier["missing"]:
        await producer.call("POST", "registry", f"{path}/documents", expect=201, content=PDF,
                            params={"type": missing["type"]},
                            headers={"Content-Type": "application/pdf"})
    for stage in ("idea", "plan", "dossier"):
        if dossier["stages"].get(stage) == "accepted":
            continue
        await producer.call("POST", "registry", f"{path}/cycle",
                            json={"stage": stage, "status": "proposed"})
        await office.call("POST", "registry", f"{path}/cycle",
                          json={"stage": stage, "status": "accepted"})


async def certified_product(office: User, member: User, producer: User, subject_id: str,
                            days_ago: str, gtin: str, image: bytes | None = None
                            ) -> dict[str, Any]:
    """A product of ``subject_id`` registered by ``producer`` with ``gtin``, an image (a
    small PNG unless given) and a dossier document, certified at 4★ ``days_ago``; once its
    label and listing exist. The ids of what was made."""
    product = await producer.call("POST", "registry", "/products", expect=201, json={
        "subject_id": subject_id, "name": "Chè búp Tân Cương", "group": "food",
        "subgroup": "tea", "gtin": gtin, "registered_on": days_ago,
        "description": "Chè búp hái tay, sao bằng chảo gang."})
    path = f"/products/{product['id']}"
    added = await producer.call("POST", "registry", f"{path}/images", expect=201,
                                content=image or png_image(),
                                headers={"Content-Type": "image/jpeg" if image else "image/png"})
    document = await producer.call("POST", "registry", f"{path}/documents", expect=201,
                                   content=PDF, params={"type": "product_story"},
                                   headers={"Content-Type": "application/pdf"})
    await office.call("POST", "registry", f"{path}/submission", json=PAPER_DOSSIER)
    await propose(office, product["id"], assessed_on=days_ago)
    evaluation = await office.until("POST", "rating", "/evaluations", expect=201, json={
        "product_id": product["id"], "evaluation_date": days_ago})
    await member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                      expect=201, json={"part_a": 30, "part_b": 20, "part_c": 25})
    await office.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
    certificate = await office.call(
        "POST", "rating", f"/evaluations/{evaluation['id']}/recognition", expect=201,
        json={"decision_number": "4/QĐ-UBND", "decision_date": days_ago})
    await office.until("GET", "traceability", f"/labels/{product['id']}")
    await office.until("GET", "catalog", f"/listings/{product['id']}")
    return {"product_id": product["id"], "image_id": added["image_id"],
            "image_url": added["url"], "document_id": document["id"],
            "evaluation_id": evaluation["id"], "certificate_id": certificate["id"]}


@dataclass(frozen=True)
class Cooperative:
    """HTX Chè Tân Cương, registered a month ago, with its producer's account and a council
    member's, both signed in."""

    subject_id: str
    producer: User
    member: User
    registered_on: str


async def cooperative_with_council(office: User, password: str) -> Cooperative:
    registered_on = (today() - timedelta(days=30)).isoformat()
    subject = await office.call("POST", "registry", "/subjects", expect=201, json={
        "type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
        "province": "Thái Nguyên", "commune": "Xã Tân Cương",
        **registered(registered_on, district="Thành phố Thái Nguyên")})
    for username, role in (("producer", "producer"), ("member", "council_member")):
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": username, "password": password, "role": role,
            **({"subject_id": subject["id"]} if role == "producer" else {})})
    return Cooperative(subject["id"], await office.anonymous().sign_in("producer", password),
                       await office.anonymous().sign_in("member", password), registered_on)


@dataclass(frozen=True)
class CertifiedBatch:
    """The cooperative's product, certified a month ago, and one batch of it."""

    coop: Cooperative
    records: dict[str, Any]
    """What ``certified_product`` answered (product, image, certificate ids…)."""
    batch: dict[str, Any]

    @property
    def product_id(self) -> str:
        return str(self.records["product_id"])


async def certified_batch(office: User, password: str, gtin: str, batch: dict[str, Any]
                          ) -> CertifiedBatch:
    """``cooperative_with_council``'s product certified with ``gtin``, and a batch opened by
    its producer from ``batch`` (the body of ``POST /products/{id}/batches``)."""
    coop = await cooperative_with_council(office, password)
    records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                      (today() - timedelta(days=30)).isoformat(), gtin)
    opened = await coop.producer.call(
        "POST", "traceability", f"/products/{records['product_id']}/batches", expect=201,
        json=batch)
    return CertifiedBatch(coop, records, opened)


async def drawn(producer: User, sheet: dict[str, Any]) -> dict[str, Any]:
    """The sheet once drawn, following its progress as a producer's page would."""
    seen: list[dict[str, Any]] = []

    async def ready() -> bool:
        seen.append(await producer.call("GET", "traceability", f"/label-sheets/{sheet['id']}"))
        return seen[-1]["status"] != "drawing"

    await wait_until(ready, within=120, interval=0.1)
    return seen[-1]
