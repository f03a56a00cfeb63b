"""A client address's request budget holds across the processes of a service (issue 34):
two registry servers, each with its own runtime, store connection and request guard, on
one store, as two processes of ``ocop serve registry --reuse-port`` are. Over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import httpx

from services import build_service
from services.embedded import ServiceServer
from shared.platform.config import Settings
from shared.platform.runtime import server_config
from tests.support.kept_workers import KEPT
from tests.support.ports import bound_socket, port_of
from tests.support.refusals import problem


@contextlib.asynccontextmanager
async def registry_replicas(settings: Settings, count: int) -> AsyncIterator[list[str]]:
    """``count`` registry servers on one store, each with its own bus; their URLs."""
    sockets = [bound_socket() for _ in range(count)]
    servers = [ServiceServer(server_config(
        build_service("registry", settings, workers=KEPT).fastapi_app(), host="127.0.0.1",
        port=port_of(sock), access_log=False, trusted_proxies=settings.trusted_proxies))
        for sock in sockets]
    tasks = [asyncio.create_task(server.serve(sockets=[sock]))
             for server, sock in zip(servers, sockets, strict=True)]
    try:
        async with asyncio.timeout(60):
            while not all(server.started for server in servers):
                assert not any(task.done() for task in tasks), "a registry did not start"
                await asyncio.sleep(0.05)
        yield [f"http://127.0.0.1:{port_of(sock)}" for sock in sockets]
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for sock in sockets:
            sock.close()


async def test_one_address_is_limited_across_both_processes_of_the_registry(
        make_settings: Callable[..., Settings]) -> None:
    # The test's own address as a proxy: its requests name the clients they stand for. An
    # hour's budget: however slowly a busy machine serves them, they fall in one window.
    settings = make_settings(rate_limit="8/hour", trusted_proxies=["127.0.0.1"])
    async with registry_replicas(settings, 2) as replicas, \
            httpx.AsyncClient(timeout=30) as client:

        async def ask(replica: int, address: str = "203.0.113.7") -> httpx.Response:
            return await client.get(f"{replicas[replica]}/healthz",
                                    headers={"X-Forwarded-For": address})

        for i in range(8):  # the budget spread over both
            assert (await ask(i % 2)).status_code == 200, i
        for replica in (0, 1):  # the next, on either, is refused
            refused = await ask(replica)
            body = problem(refused, 429, "rate-limited")
            assert "slow down" in body["detail"] and body["detail_vi"]
            # Once this hour ends and has lost an eighth of its weight (sliding window).
            assert 450 <= int(refused.headers["retry-after"]) <= 3600 + 450
        assert (await ask(1, "198.51.100.20")).status_code == 200  # another client
