"""The web front's calls to a service whose server closes a kept-alive connection just as
it is reused (on a loaded machine, a service's keep-alive timer can fire after the client
sent its next request on that connection). A read is asked again on a fresh connection, so
the producer does not read "the service cannot be reached"; a write is never sent twice.

The service here is a real HTTP/1.1 server on a socket, written to close every connection
at its second request, so that the race happens each time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from services.web.backend import Backend, Refused
from shared.platform.runtime import CLIENT_KEEP_ALIVE_SECONDS


class ClosingAtSecondRequest:
    """Answers the first request on each connection (keeping it open), and closes the
    connection, unanswered, when a second one arrives on it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        """The request lines read, answered or not."""

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for answered in (True, False):
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head.split(b"\r\n", 1)[0].decode())
                if not answered:
                    return
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                             b"content-length: 11\r\n\r\n{\"ok\":true}")
                await writer.drain()
        except asyncio.IncompleteReadError:
            return
        finally:
            writer.close()


@asynccontextmanager
async def backend_of(server: ClosingAtSecondRequest) -> AsyncIterator[Backend]:
    listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(
                keepalive_expiry=CLIENT_KEEP_ALIVE_SECONDS)) as client:
            yield Backend(client, {"traceability": f"http://127.0.0.1:{port}"})
    finally:
        listening.close()
        await listening.wait_closed()


async def test_a_read_on_a_connection_closed_as_it_is_reused_is_asked_again(
        caplog: pytest.LogCaptureFixture) -> None:
    server = ClosingAtSecondRequest()
    async with backend_of(server) as backend:
        first = await backend.send("token", "GET", "traceability", "/batches/b1")
        second = await backend.send("token", "GET", "traceability", "/batches/b1")
    assert first.json() == second.json() == {"ok": True}
    # Asked on the kept connection, closed unanswered, asked again on a new one.
    assert server.requests == ["GET /batches/b1 HTTP/1.1"] * 3
    assert "GET traceability /batches/b1 failed" in caplog.text
    assert "token" not in caplog.text


async def test_a_write_on_a_connection_closed_as_it_is_reused_is_sent_once(
        caplog: pytest.LogCaptureFixture) -> None:
    server = ClosingAtSecondRequest()
    async with backend_of(server) as backend:
        await backend.send("token", "GET", "traceability", "/batches/b1")
        with pytest.raises(Refused) as refused:
            await backend.send("token", "POST", "traceability", "/batches/b1/events",
                               json={"step": "harvest"})
    assert refused.value.status == 503
    assert refused.value.message_vi.startswith("Hệ thống tạm thời không kết nối được")
    assert server.requests == ["GET /batches/b1 HTTP/1.1", "POST /batches/b1/events HTTP/1.1"]
    assert "POST traceability /batches/b1/events unanswered" in caplog.text
