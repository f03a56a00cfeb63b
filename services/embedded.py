"""The embedded platform: all four services and the web front in one process, on one
in-process bus (the web front hears the events that make people's notifications).

Each service keeps its own SQLite file and its own HTTP port, exactly as it would in the
distributed deployment; only the adapters differ. The web front calls them over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import uvicorn

from services import DEFAULT_PORTS, build_service
from services.web.app import build as build_web
from shared.platform.config import SERVICES, Settings
from shared.platform.runtime import ServiceRuntime, server_config
from shared.ports.bus import EventBus, open_bus


@dataclass(frozen=True)
class ServiceEndpoint:
    name: str
    url: str


class ServiceServer(uvicorn.Server):
    """uvicorn's own signal handling stops one server; the platform stops all together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def service_settings(settings: Settings, host: str, port: int) -> Settings:
    return settings.model_copy(update={"public_url": f"http://{host}:{port}"})


class EmbeddedPlatform:
    def __init__(self, settings: Settings, *, host: str = "127.0.0.1",
                 ports: dict[str, int] | None = None, bus: EventBus | None = None) -> None:
        self.settings = settings
        self.host = host
        self.ports = ports or DEFAULT_PORTS
        self._owns_bus = bus is None
        self.bus = bus or open_bus(settings.bus_url_resolved(), client_id="ocop-embedded")
        self.runtimes: dict[str, ServiceRuntime] = {}
        self._servers: list[ServiceServer] = []

    @property
    def endpoints(self) -> list[ServiceEndpoint]:
        return [ServiceEndpoint(n, f"http://{self.host}:{self.ports[n]}")
                for n in ("web", *SERVICES) if n in self.ports]

    async def serve(self, on_ready: Callable[[list[ServiceEndpoint]], None] | None = None) -> None:
        """Run until stopped by SIGINT/SIGTERM or :meth:`stop`."""
        await self.bus.start([])
        for name in SERVICES:
            runtime = build_service(name, service_settings(self.settings, self.host,
                                                           self.ports[name]), bus=self.bus)
            self.runtimes[name] = runtime
            config = server_config(runtime.fastapi_app(), host=self.host,
                                   port=self.ports[name], access_log=False,
                                   trusted_proxies=self.settings.trusted_proxies)
            self._servers.append(ServiceServer(config))
        if "web" in self.ports:
            apis = {f"{name}_url": f"http://{self.host}:{self.ports[name]}"
                    for name in ("registry", "rating", "traceability")}
            web = build_web(service_settings(self.settings, self.host, self.ports["web"])
                            .model_copy(update=apis), bus=self.bus)
            self._servers.append(ServiceServer(server_config(
                web.fastapi_app(), host=self.host, port=self.ports["web"], access_log=False,
                trusted_proxies=self.settings.trusted_proxies)))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        tasks = [asyncio.create_task(s.serve()) for s in self._servers]
        try:
            while not all(s.started for s in self._servers):
                if any(t.done() for t in tasks):
                    self.stop()
                    break
                await asyncio.sleep(0.05)
            else:
                if on_ready is not None:
                    on_ready(self.endpoints)
            await asyncio.gather(*tasks)
        finally:
            if self._owns_bus:
                await self.bus.stop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
        failed = [t for t in tasks if t.exception() is not None]
        if failed or any(not s.started for s in self._servers):
            raise RuntimeError("a service failed to start; see the log above")

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True
