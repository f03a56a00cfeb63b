"""A TCP proxy a test can cut and restore, to make a broker unreachable without losing it.

The Tansu build available here keeps its log only in memory: a stopped and restarted Tansu
comes back empty, which no real Kafka broker does. So an outage is simulated in front of
it: clients reach the broker only through this proxy (the broker advertises the proxy's
address), and ``stop()`` refuses new connections and drops the open ones, exactly what
clients see when a broker goes down, while the broker's log and consumer groups survive.
"""

from __future__ import annotations

import asyncio
import contextlib

from tests.support.ports import free_port

HOST = "127.0.0.1"


class TcpProxy:
    def __init__(self, target_port: int, port: int | None = None) -> None:
        self.target_port = target_port
        self.port = port or free_port(HOST)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, HOST, self.port,
                                                  reuse_address=True)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
                      ) -> None:
        try:
            upstream_r, upstream_w = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            client_w.transport.abort()
            return
        self._writers.update((client_w, upstream_w))
        await asyncio.gather(self._pipe(client_r, upstream_w), self._pipe(upstream_r, client_w))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.transport.abort()
