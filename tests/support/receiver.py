"""A sales channel's webhook receiver, really served over HTTP on a loopback port, that can be
told to fail, to hang past the sender's timeout, and then to recover."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from services.embedded import ServiceServer
from shared.platform.runtime import server_config
from tests.support.ports import bound_socket, port_of

Behaviour = Literal["ok", "fail", "hang"]


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: Behaviour
    at: float
    """When it arrived (``time.monotonic``)."""


@dataclass
class Receiver:
    url: str
    hang_seconds: float
    script: list[Behaviour] = field(default_factory=list)
    """How the next requests are answered, in arrival order; then ``otherwise``."""
    otherwise: Behaviour = "ok"
    received: list[Received] = field(default_factory=list)

    @property
    def accepted(self) -> list[Received]:
        """Requests answered 2xx in time (a hung one may have been processed too, as a real
        receiver would; the sender counts it failed and sends it again)."""
        return [r for r in self.received if r.answered == "ok"]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        behaviour = self.script.pop(0) if self.script else self.otherwise
        self.received.append(Received(
            {k.decode(): v.decode() for k, v in scope["headers"]}, body, behaviour,
            time.monotonic()))
        if behaviour == "hang":
            await asyncio.sleep(self.hang_seconds)
        code = 503 if behaviour == "fail" else 204
        await send({"type": "http.response.start", "status": code,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body",
                    "body": b"down for maintenance" if code == 503 else b""})


@contextlib.asynccontextmanager
async def receiver(*, hang_seconds: float = 2.0) -> AsyncIterator[Receiver]:
    sock = bound_socket()
    made = Receiver(f"http://127.0.0.1:{port_of(sock)}/ocop-hooks", hang_seconds)
    server = ServiceServer(server_config(made, host="127.0.0.1",  # type: ignore[arg-type]
                                         port=port_of(sock), access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), f"the receiver did not start: {task.exception()!r}"
            await asyncio.sleep(0.02)
        yield made
    finally:
        server.should_exit = True
        server.force_exit = True
        await asyncio.gather(task, return_exceptions=True)
