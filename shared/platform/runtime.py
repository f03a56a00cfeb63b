"""What every service is made of: its store, the bus, the object store, telemetry, the
outbox relay and its event consumer, and a FastAPI app with health and readiness.

A service's ``app.py`` builds one ``ServiceRuntime`` and registers its routers and event
handlers on it; that is the only place adapters are chosen (from the settings' URLs). The
web front, which owns no domain data but hears the events that make people's
notifications, runs on a ``ServiceRuntime`` too, serving pages (``services/web/app.py``);
its base, ``Runtime``, is the store, telemetry, jobs and the app with health and readiness,
without bus or objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from functools import partial
from typing import Any, Literal, TypeVar

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.fastapi import _get_default_span_details
from pydantic import BaseModel
from starlette.types import ASGIApp, ExceptionHandler

from shared.http.paging import only_known_filters
from shared.http.rate_counts import PRUNE_SECONDS, RATE_COUNTS, SYNC_SECONDS, RateCounts
from shared.http.request_guard import GuardPolicy, PathBudget, RequestGuard
from shared.http.security_headers import API_POLICY, PAGE_POLICY, SecurityHeaders
from shared.identity.access import PLATFORM_RULES, published
from shared.identity.auth import TokenVerifier, verification_key
from shared.identity.sessions import REVOCATIONS, Revocations
from shared.messaging import (
    MESSAGING_COLLECTIONS,
    OUTBOX,
    EventConsumer,
    EventHandler,
    Outbox,
    OutboxRelay,
    RetryPolicy,
)
from shared.messaging.contracts.registry import AccountTokensRevoked
from shared.messaging.events.contracts import EventContract
from shared.messaging.events.envelope import Envelope
from shared.messaging.signals import Signal
from shared.platform.clock import Clock, SystemClock
from shared.platform.config import Settings
from shared.platform.ids import new_id
from shared.platform.supervision import Backoff, Health, Run, Supervisor
from shared.platform.telemetry import make_tracer_provider
from shared.platform.workers import WorkerFactory, WorkerProcess
from shared.ports.bus import BusUnavailable, EventBus, open_bus
from shared.ports.bus.local import PRUNE_SECONDS as BUS_PRUNE_SECONDS
from shared.ports.bus.local import LocalEventBus
from shared.ports.objects import ObjectStore, open_object_store
from shared.ports.objects.files import FileObjectStore
from shared.ports.objects.links import object_links_router
from shared.ports.store import Collection, DocumentStore, open_store
from shared.refusals.http import install_error_handlers
from shared.refusals.openapi import document_problems

log = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0
REVOCATIONS_RELOAD_SECONDS = 3600
"""Token revocations are heard at once (``shared.identity.sessions``); reloading them from the
store hourly as well bounds what a replica failing twice over could leave unheard."""
T = TypeVar("T")


def part(kind: type[T]) -> Callable[[Request], T]:
    """A route dependency: the service's part of type ``kind`` (``Runtime.provide``)."""

    def provided(request: Request) -> T:
        runtime: Runtime = request.app.state.runtime
        given = runtime.parts[kind]
        assert isinstance(given, kind)
        return given

    provided.__name__ = f"provided_{kind.__name__}"
    return provided


class PortCheck(BaseModel):
    """One port's probe: reachable, or why not; the bus's also tells of the outbox."""

    ok: bool
    error: str | None = None
    outbox_relay: str | None = None
    outbox_backlog: int | None = None
    """Events waiting to be published (when the store could be asked)."""
    outbox_oldest_seconds: float | None = None
    """How long the oldest of them has waited (when there is one)."""
    outbox_lagging: bool | None = None
    """Whether it has waited longer than ``OCOP_READY_OUTBOX_LAG_SECONDS``."""


class TaskCheck(BaseModel):
    """A background task under supervision (``shared.platform.supervision``): up, or down
    since when, for an error of which class (never its message)."""

    up: bool
    down_since: datetime | None = None
    error: str | None = None
    """The class of its last error, e.g. ``OperationalError``."""
    failures: int = 0
    """Failures in a row (0 while up)."""
    restarts: int = 0
    """Times it was started again since the service started."""
    outage: bool | None = None
    """Down because the bus is: the service stays ready (degraded), as for the bus."""


class Readiness(BaseModel):
    """Whether the service can serve (``ready``, and the answer 200; otherwise 503).

    ``unready`` while its store, object store or own workers cannot be reached;
    ``degraded`` but ready while a background task is down (``tasks``), its outbox holds an
    event older than ``OCOP_READY_OUTBOX_LAG_SECONDS`` or the bus is down: the replica still
    answers and keeps what it is asked to do, so it stays in rotation, and operators alert
    on ``status``."""

    service: str
    ready: bool
    status: Literal["ok", "degraded", "unready"]
    checks: dict[str, PortCheck]
    """Each port's probe, by name: store, bus, objects and the service's own."""
    tasks: dict[str, TaskCheck] = {}
    """Each supervised background task, by name: ``relay``, ``consumer``, ``job:<name>``,
    ``worker:<name>``."""


class Runtime:
    """A process serving the platform's HTTP: its store, clock and telemetry, its jobs, what
    it releases on stopping, and a FastAPI app with health and readiness behind the request
    guard and the security headers. Every service (and the web front) runs on
    ``ServiceRuntime``, which adds the bus, the object store and messaging."""

    def __init__(self, name: str, settings: Settings, *, collections: Iterable[Collection],
                 clock: Clock | None = None, store: DocumentStore | None = None,
                 open_writes: Iterable[str] = (), verifier: TokenVerifier | None = None,
                 cross_origin_reads: bool = False, page_policy: str = PAGE_POLICY,
                 api_policy: str = API_POLICY) -> None:
        """``open_writes``: the paths (or path prefixes) written to without a token
        (signing in); every other write needs one, checked by ``verifier`` (None only where
        every write is open: a front that checks its own sessions). ``clock``: where the
        service reads the date (the system's by default). ``store``: an adapter to use
        instead of the one the settings' URL names (a test's, or a tool's), holding
        ``collections`` and ``RATE_COUNTS`` (the request budgets). ``cross_origin_reads``:
        any web page may GET from the service (a sales channel's shop reading public
        listings in its visitors' browsers); writes stay same-origin. ``page_policy``,
        ``api_policy``: the content security policies of its HTML pages and of everything
        else (``shared.http.security_headers``)."""
        self.name = name
        self.settings = settings
        self.open_writes = tuple(open_writes)
        self.verifier = verifier
        self.cross_origin_reads = cross_origin_reads
        self.page_policy = page_policy
        self.api_policy = api_policy
        self.clock: Clock = clock or SystemClock()
        self.store: DocumentStore = store or open_store(
            settings.store_url_for(name), [*collections, RATE_COUNTS], service=name)
        self.tracer_provider = make_tracer_provider(name, otlp_endpoint=settings.otlp_endpoint)
        self.tracer = self.tracer_provider.get_tracer(f"ocop.{name}")
        self.routers: list[APIRouter] = []
        self.mounts: list[tuple[str, ASGIApp]] = []
        self.fronts: list[tuple[Callable[..., ASGIApp], dict[str, Any]]] = []
        self.budgets: list[PathBudget] = []
        self.parts: dict[type, object] = {}
        self._error_handlers: dict[type[Exception], ExceptionHandler] = {}
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self._jobs: list[tuple[str, float, Callable[[], Awaitable[Any]],
                               asyncio.Event | None]] = []
        self._readiness_checks: dict[str, Callable[[], Awaitable[None]]] = {}
        self.rate_counts = RateCounts(self.store, process=new_id())
        """The request budgets, counted with the service's other processes."""
        self.every("share request counts", SYNC_SECONDS, self.rate_counts.flush)
        self.every("prune request counts", PRUNE_SECONDS, self.rate_counts.prune)
        self._supervised: list[tuple[str, Run]] = []
        self.supervisor = Supervisor(name, self.clock, Backoff(
            settings.restart_backoff_seconds, settings.restart_max_backoff_seconds),
            outages=(BusUnavailable,))
        """What runs every background task (jobs, relay, consumer, worker watches), each
        started again with backoff when it fails, and reports which are down."""

    def include(self, router: APIRouter) -> None:
        self.routers.append(router)

    def mount(self, path: str, files: ASGIApp) -> None:
        """Serve the ASGI app ``files`` (a folder of static files) under ``path``; what it
        serves is not traced, as health and readiness are not."""
        self.mounts.append((path, files))

    def on_error(self, kind: type[Exception], answer: ExceptionHandler) -> None:
        """Answer a ``kind`` raised while serving with ``answer(request, exc)``: the web
        front's pages say their own errors (a service's are problem+json)."""
        self._error_handlers[kind] = answer

    def front(self, layer: Callable[..., ASGIApp], **options: Any) -> None:
        """Put the ASGI middleware ``layer(app, **options)`` in front of the routes: behind
        the rate limit and the security headers, before telemetry and routing (a page
        answered from memory there costs neither)."""
        self.fronts.append((layer, options))

    def limit(self, prefixes: tuple[str, ...], rate: str) -> None:
        """A budget of ``rate`` requests per client address to the paths under
        ``prefixes``, on top of the service's ``rate_limit``: public pages one client has no
        reason to ask for often."""
        self.budgets.append(PathBudget(prefixes, rate))

    def provide(self, *parts: object) -> None:
        """Hand ``parts`` (the service's command handlers) to its routes, which ask for one
        by its type: ``Annotated[Rating, Depends(part(Rating))]``."""
        for given in parts:
            self.parts[type(given)] = given

    def every(self, name: str, seconds: float, job: Callable[[], Awaitable[Any]], *,
              wakes: asyncio.Event | None = None) -> None:
        """Run ``job`` at start and then every ``seconds`` while the service runs, and at
        once whenever ``wakes`` is set. A failed run is logged and the job reported down
        (task ``job:<name>``) and run again after the supervisor's backoff, until a run
        succeeds; then its schedule resumes. Jobs must be safe to run on several replicas
        at once."""
        self._jobs.append((name, seconds, job, wakes))

    def job(self, name: str) -> Callable[[], Awaitable[Any]]:
        """The job scheduled as ``name`` (``every``), to run once off its schedule."""
        for named, _, job, _ in self._jobs:
            if named == name:
                return job
        raise KeyError(f"{self.name} schedules no job named {name!r}")

    def supervise(self, name: str, run: Run) -> None:
        """Run ``run(health)`` in the background from start to stop, under the supervisor
        (``shared.platform.supervision``): started again with backoff when it raises, and
        reported down meanwhile in readiness's ``tasks``."""
        self._supervised.append((name, run))

    async def _repeat(self, name: str, seconds: float, job: Callable[[], Awaitable[Any]],
                      wakes: asyncio.Event | None, health: Health) -> None:
        """``job`` on its schedule; a run that fails is raised, to the supervisor."""
        while True:
            if wakes is not None:
                wakes.clear()  # before the run: a wake during it means another run
            await job()
            health.well()
            if wakes is None:
                await asyncio.sleep(seconds)
                continue
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: see OutboxRelay.run
                async with asyncio.timeout(seconds):
                    await wakes.wait()

    def check_ready(self, name: str, check: Callable[[], Awaitable[None]]) -> None:
        """Make ``check`` part of readiness: the service is unready while it raises (a
        worker process it cannot replace, say)."""
        self._readiness_checks[name] = check

    def close_on_stop(self, close: Callable[[], Awaitable[None]]) -> None:
        """Release a service's own resource (e.g. a worker process) when the runtime stops,
        before its ports close; the last registered is released first."""
        self._closers.append(close)

    async def start(self) -> None:
        await self.store.open()
        await self._open()
        for job in self._jobs:
            self.supervisor.start(f"job:{job[0]}", partial(self._repeat, *job))
        for name, run in self._supervised:
            self.supervisor.start(name, run)
        log.info("%s started", self.name)

    async def _open(self) -> None:
        """What is opened once the store is, before the jobs start."""

    def _stopping(self) -> list[Callable[[], Awaitable[None]]]:
        """The steps of stopping: the background tasks first, then what was opened, in
        reverse."""
        return [self.supervisor.stop, *reversed(self._closers), self.store.close]

    async def stop(self) -> None:
        """Each step of stopping is taken even when one before it fails (a store left open
        keeps its thread, and so the process, alive), and the first failure is raised once
        all are done."""
        failure: Exception | None = None
        for step in self._stopping():
            try:
                await step()
            except Exception as exc:
                log.exception("%s: a step of stopping failed; the others go on", self.name)
                failure = failure or exc
        self.tracer_provider.force_flush()
        if failure is not None:
            raise failure

    async def _probe(self, checks: dict[str, Callable[[], Awaitable[None]]]
                     ) -> dict[str, PortCheck]:
        """Each of ``checks``, run concurrently and each within a time limit."""
        async def probe(check: Callable[[], Awaitable[None]]) -> PortCheck:
            try:
                async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                    await check()
                return PortCheck(ok=True)
            except Exception as exc:
                return PortCheck(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])

        results = await asyncio.gather(*map(probe, checks.values()))
        return dict(zip(checks, results, strict=True))

    def _task_checks(self) -> dict[str, TaskCheck]:
        return {name: TaskCheck(up=state.up, down_since=state.down_since, error=state.error,
                                failures=state.failures, restarts=state.restarts,
                                outage=state.outage or None)
                for name, state in self.supervisor.states.items()}

    async def readiness(self) -> Readiness:
        """Ready while its store can be reached, whatever it checks besides
        (``check_ready``) holds; degraded while a background task is down."""
        checks = await self._probe({"store": self.store.check, **self._readiness_checks})
        tasks = self._task_checks()
        reachable = all(check.ok for check in checks.values())
        down = any(not task.up for task in tasks.values())
        return Readiness(service=self.name, ready=reachable,
                         status="unready" if not reachable else "degraded" if down else "ok",
                         checks=checks, tasks=tasks)

    def _app(self, lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]]
             ) -> FastAPI:
        """The bare app: pages, whose errors its ``on_error`` answers say (FastAPI's own
        otherwise), and no API document."""
        return FastAPI(title=f"OCOP {self.name}", lifespan=lifespan, docs_url=None,
                       redoc_url=None, openapi_url=None)

    def _routers(self) -> list[APIRouter]:
        return self.routers

    def fastapi_app(self) -> FastAPI:
        runtime = self

        @asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await runtime.start()
            try:
                yield
            finally:
                await runtime.stop()

        app = self._app(lifespan)
        app.state.runtime = self
        for kind, answer in self._error_handlers.items():
            app.add_exception_handler(kind, answer)

        status_rule = published("service.status", PLATFORM_RULES["service.status"])

        @app.get("/healthz", tags=["operations"], summary="The process is alive",
                 openapi_extra=status_rule)
        async def healthz() -> dict[str, str]:
            return {"status": "ok", "service": runtime.name}

        @app.get("/readyz", tags=["operations"],
                 summary="Whether the service can serve: store and object store reachable "
                         "(503 otherwise); degraded while a background task is down, an "
                         "event waits too long to be published or the bus is down",
                 openapi_extra=status_rule,
                 response_model_exclude_none=True,
                 responses={503: {"model": Readiness, "description": "Not ready"}})
        async def readyz(response: Response) -> Readiness:
            report = await runtime.readiness()
            if not report.ready:
                response.status_code = 503
            return report

        for router in self._routers():
            app.include_router(router)
        for path, files in self.mounts:
            app.mount(path, files)
        # Innermost (each middleware added wraps the ones before): spans named by route,
        # without the per-message receive/send spans; the fronts sit outside them.
        app.add_middleware(OpenTelemetryMiddleware, tracer_provider=self.tracer_provider,
                           excluded_urls=",".join(["healthz", "readyz",
                                                   *(path for path, _ in self.mounts)]),
                           default_span_details=_get_default_span_details,
                           exclude_spans=["receive", "send"])
        for layer, options in self.fronts:
            app.add_middleware(layer, **options)
        app.add_middleware(RequestGuard, verifier=self.verifier, policy=GuardPolicy(
            open_writes=self.open_writes, json_limit=self.settings.json_max_bytes,
            upload_limit=self.settings.objects_max_bytes, rate_limit=self.settings.rate_limit,
            budgets=tuple(self.budgets)), counts=self.rate_counts)
        if self.cross_origin_reads:
            app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"],
                               allow_headers=["X-API-Key", "If-None-Match"],
                               expose_headers=["ETag", "Last-Modified", "Cache-Control"],
                               max_age=86400)
        # Outermost: refusals carry the headers too.
        app.add_middleware(SecurityHeaders, page_policy=self.page_policy,
                           api_policy=self.api_policy)
        return app


class ServiceRuntime(Runtime):
    """A service: a ``Runtime`` with the bus, the object store, the outbox relay and the
    event consumer, whose writes need a token (revoked ones heard of at once)."""

    def __init__(self, name: str, settings: Settings, *, collections: Iterable[Collection],
                 publishes: Iterable[type[EventContract]] = (),
                 bus: EventBus | None = None, open_writes: Iterable[str] = (),
                 clock: Clock | None = None, store: DocumentStore | None = None,
                 objects: ObjectStore | None = None, cross_origin_reads: bool = False,
                 workers: WorkerFactory | None = None) -> None:
        """``bus``: pass one to share it (the embedded platform runs every service on one
        in-process bus); otherwise the runtime opens and owns its own. ``store``,
        ``objects``: adapters to use instead of those the settings' URLs name (a test's, or
        a tool's); the store needs the service's collections (and the messaging ones).
        ``workers``: what makes its workers for CPU-bound work
        (``shared.platform.workers.worker_process``; a ``WorkerProcess`` each by default). The
        others are ``Runtime``'s; every write not open needs a token."""
        verifier = TokenVerifier(verification_key(settings))
        super().__init__(name, settings,
                         collections=[*collections, *MESSAGING_COLLECTIONS, REVOCATIONS],
                         clock=clock, store=store, open_writes=open_writes, verifier=verifier,
                         cross_origin_reads=cross_origin_reads)
        self.workers: WorkerFactory = workers or WorkerProcess
        self._owns_bus = bus is None
        self.bus: EventBus = bus or open_bus(settings.bus_url_resolved(), client_id=f"ocop-{name}")
        if isinstance(self.bus, LocalEventBus):  # what every group has read, pruned
            self.every("prune the embedded bus", BUS_PRUNE_SECONDS, self.bus.prune_settled)
        self.objects: ObjectStore = objects or open_object_store(
            settings.objects_url_resolved(), max_bytes=settings.objects_max_bytes,
            public_url=settings.public_url,
            signing_key=(settings.objects_signing_key.get_secret_value()
                         if settings.objects_signing_key else None),
            data_dir=settings.data_dir)
        self.outbox = Outbox(name, self.clock)
        self.relay = OutboxRelay(self.store, self.bus, self.outbox, self.tracer,
                                 batch_size=settings.relay_batch_size,
                                 poll_seconds=settings.relay_poll_seconds)
        self._published_topics = {c.topic for c in publishes}
        self.consumer = EventConsumer(name, self.store, {}, self.tracer,
                                      RetryPolicy(settings.retry_attempts,
                                                  settings.retry_backoff_seconds), self.clock)
        self.revocations = Revocations(self.store, verifier)
        self.handle(AccountTokensRevoked, self.revocations.handler)
        self.signals: list[Signal] = []
        self.revocations.stored = self.signal(
            f"{name}.token-revocations", self.revocations.stored_elsewhere.set).raise_
        self.every("reload token revocations", REVOCATIONS_RELOAD_SECONDS,
                   self.revocations.load, wakes=self.revocations.stored_elsewhere)

    def handle(self, contract: type[EventContract], handler: EventHandler) -> None:
        """React to ``contract``'s events with ``handler(envelope, tx)``."""
        if contract.event_type in self.consumer.handlers:
            raise ValueError(f"{self.name} already handles {contract.event_type}")
        self.consumer.handlers[contract.event_type] = (contract.topic, handler)

    def signal(self, topic: str, heard: Callable[[], None]) -> Signal:
        """A signal the service's replicas send one another (``shared.messaging.signals``):
        ``heard`` runs when another replica raises it; raise it with ``raise_()``."""
        signal = Signal(topic, heard)
        self.signals.append(signal)
        self._published_topics.add(topic)
        self.every(f"send signal {topic}", 5, lambda: signal.send(self.bus),
                   wakes=signal.wakes)
        return signal

    @property
    def topics(self) -> Sequence[str]:
        return sorted(self._published_topics | set(self.consumer.topics))

    async def _open(self) -> None:
        await self.revocations.load()  # before the first request
        await self.objects.start()
        await self.bus.start(self.topics)
        self.supervisor.start("consumer", partial(self.consumer.run, self.bus))
        for signal in self.signals:
            await self.bus.watch([signal.topic], signal.on_message, signal.on_gap)
        await self.bus.watch([AccountTokensRevoked.topic], self.revocations.heard,
                             self.revocations.load)
        self.supervisor.start("relay", self.relay.run)

    def _stopping(self) -> list[Callable[[], Awaitable[None]]]:
        """The jobs, relay and consumer, then what was opened, in reverse."""
        return [self.supervisor.stop, *reversed(self._closers),
                *([self.bus.stop] if self._owns_bus else []), self.objects.close,
                self.store.close]

    async def readiness(self) -> Readiness:
        """The state of each port, checked concurrently and each within a time limit, of
        each background task, and of the outbox.

        Ready means the service can answer its requests and what they change reaches the
        others: its store and object store are reachable, whatever it checks besides
        (``check_ready``: its worker processes) holds, every supervised task is up, and
        no event has waited in the outbox longer than ``ready_outbox_lag_seconds``. A task
        down, an outbox lagging or a bus that is down make it ``degraded`` but still ready:
        the replica answers and its outbox keeps the events, and what stops one replica's
        relay (a full disk, a shared store, the bus) usually stops every replica's, so 503
        would take them all out of rotation at once, the scan pages with them. Operators
        alert on ``status``; the supervisor restarts the task."""
        own = self._readiness_checks
        checks = await self._probe({"store": self.store.check, "bus": self.bus.check,
                                    "objects": self.objects.check, **own})
        bus = checks["bus"]
        bus.outbox_relay = "waiting for the bus" if self.relay.bus_down else "ok"
        if checks["store"].ok:
            bus.outbox_backlog = await self.store.count(OUTBOX.name)
            if bus.outbox_backlog:
                bus.outbox_oldest_seconds = await self._oldest_waiting()
            bus.outbox_lagging = (bus.outbox_oldest_seconds or 0.0
                                  ) > self.settings.ready_outbox_lag_seconds
        tasks = self._task_checks()
        bus_away = not bus.ok or self.relay.bus_down
        reachable = all(checks[name].ok for name in ("store", "objects", *own))
        degraded = bus_away or bool(bus.outbox_lagging) or any(
            not task.up for task in tasks.values())
        return Readiness(service=self.name, ready=reachable,
                         status="unready" if not reachable else "degraded" if degraded else "ok",
                         checks=checks, tasks=tasks)

    async def _oldest_waiting(self) -> float | None:
        """Seconds since the oldest event in the outbox was emitted, by the service's clock
        (the relay publishes in the order of their ids, which follow time)."""
        page = await self.store.find(OUTBOX.name, order_by="id", limit=1)
        if not page.items:
            return None
        emitted = Envelope.from_json(page.items[0].data["event"]).time
        return round(max(0.0, (self.clock.now() - emitted).total_seconds()), 3)

    def _app(self, lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]]
             ) -> FastAPI:
        """Documented, its errors problem+json. Swagger UI served from the package, not a
        CDN: offices work on closed networks (no ReDoc: its standalone bundle still fetches
        its logo from its CDN)."""
        app = FastAPIOffline(title=f"OCOP {self.name} service", version="0.1.0",
                             lifespan=lifespan, redoc_url=None,
                             dependencies=[Depends(only_known_filters)])
        install_error_handlers(app)
        document_problems(app)
        return app

    def _routers(self) -> list[APIRouter]:
        if isinstance(self.objects, FileObjectStore):
            return [*self.routers, object_links_router(self.objects)]
        return self.routers


REQUEST_HEAD_BYTES = 96 * 1024
"""The longest request line and headers a service reads: room for the longest query its
documents allow (the EPCIS events query: 33 parameters of up to 2,000 characters each).
At h11's default of 16 KB such a query was cut off with a bare-text 400, not a problem."""


SERVER_KEEP_ALIVE_SECONDS = 75
"""How long a service keeps an idle connection open: longer than any client or proxy in
front of it keeps one (nginx's upstream keep-alive and cloud load balancers close theirs
after 60 s), so the client, not the service, closes an idle connection. Whichever side
closes first races the other's next request on that connection; a client that closed it
simply opens another, while a request the service closed under it fails unanswered. At
uvicorn's default of 5 s that race was lost on a loaded machine, where the service's timer
fired seconds late, after the web front had sent its next request: the producer read "the
system is temporarily unreachable". 75 s is nginx's own default for the same reason."""
CLIENT_KEEP_ALIVE_SECONDS = 2.0
"""How long a client of the platform's services (the web front, the tests) keeps an idle
connection: well under ``SERVER_KEEP_ALIVE_SECONDS``."""


def server_config(app: FastAPI, *, host: str, port: int, access_log: bool = True,
                  trusted_proxies: Sequence[str] = ()) -> uvicorn.Config:
    """How every service is served: logging is the service's own, no 'server' header tells
    a scanner which software answers, and stopping waits at most 15 s for requests still
    in flight (a stuck one must not keep a process from stopping; orchestrators give 30).

    ``X-Forwarded-For`` (and ``-Proto``) are believed only from ``trusted_proxies``
    (``OCOP_TRUSTED_PROXIES``): uvicorn's default believes them from loopback, so any
    process on the machine could pose as any address to the rate limits, the sign-in
    throttle and the scan counts."""
    return uvicorn.Config(app, host=host, port=port, log_config=None, access_log=access_log,
                          server_header=False, timeout_graceful_shutdown=15,
                          timeout_keep_alive=SERVER_KEEP_ALIVE_SECONDS,
                          h11_max_incomplete_event_size=REQUEST_HEAD_BYTES,
                          proxy_headers=bool(trusted_proxies),
                          forwarded_allow_ips=list(trusted_proxies))


def runtime_of(request: Request) -> ServiceRuntime:
    """FastAPI dependency: the runtime of the service answering ``request``."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime
