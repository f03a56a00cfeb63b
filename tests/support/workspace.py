"""The producers' workspace (web front) really served over HTTP beside a running platform,
and what a browser test needs of it: a phone-sized context and the page's weight."""

from __future__ import annotations

import asyncio
import contextlib
import io
import random
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import httpx
from PIL import Image

from services.embedded import ServiceServer
from services.web.app import build
from shared.platform.config import Settings
from shared.platform.runtime import server_config
from shared.ports.bus import EventBus
from tests.support.platform import shared_bus
from tests.support.ports import bound_socket, port_of

PHONE_412 = {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 1,
             "is_mobile": True, "has_touch": True, "locale": "vi-VN",
             "timezone_id": "Asia/Ho_Chi_Minh"}
WEAK_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8,
           "uploadThroughput": 400 * 1024 / 8}
"""Chromium's network throttling as on a weak 3G signal: 400 ms, 400 kbit/s."""


@contextlib.asynccontextmanager
async def serving_workspace(settings: Settings, urls: dict[str, str], *,
                            bus: EventBus | None = None) -> AsyncIterator[str]:
    """The web front reaching the services at ``urls``, on their bus: the one the platform
    serving them shares (``tests.support.platform.shared_bus``), else ``bus``, else its
    own."""
    sock = bound_socket()
    port = port_of(sock)
    app = build(settings.model_copy(update={
        "public_url": f"http://127.0.0.1:{port}", "registry_url": urls["registry"],
        "rating_url": urls["rating"], "traceability_url": urls["traceability"],
        "catalog_url": urls.get("catalog", settings.catalog_url)}),
        bus=bus or shared_bus(urls)).fastapi_app()
    server = ServiceServer(server_config(app, host="127.0.0.1", port=port, access_log=False,
                                         trusted_proxies=settings.trusted_proxies))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), f"the workspace did not start: {task.exception()!r}"
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)


SIGN_IN_CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')


async def sign_in_form(client: httpx.AsyncClient, web: str) -> tuple[str, dict[str, str]]:
    """The sign-in page's CSRF field and its cookie, to send back by hand: the cookie is
    Secure, and a client that honours that (httpx) sends it over HTTPS only."""
    page = await client.get(f"{web}/sign-in")
    found = SIGN_IN_CSRF.search(page.text)
    assert page.status_code == 200 and found, page.text
    return found.group(1), {"Cookie": "; ".join(f"{k}={v}" for k, v in page.cookies.items())}


def camera_photo(width: int = 3000, height: int = 2000) -> bytes:
    """A phone camera's JPEG: large, and noisy enough not to compress to nothing."""
    rng = random.Random(7)
    image = Image.new("RGB", (width // 20, height // 20))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(image.width * image.height)])
    out = io.BytesIO()
    image.resize((width, height)).save(out, format="JPEG", quality=95)
    return out.getvalue()


class Weighing:
    """Bytes that reach the page over the network (Chromium's encoded lengths)."""

    def __init__(self, cdp: Any) -> None:
        self.cdp = cdp
        self.bytes = 0

    @classmethod
    async def on(cls, page: Any, conditions: dict[str, Any] | None = None) -> Weighing:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Network.enable")
        weighing = cls(cdp)
        await weighing.throttle(conditions)
        cdp.on("Network.loadingFinished", weighing._finished)
        return weighing

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes += int(event.get("encodedDataLength", 0))

    async def throttle(self, conditions: dict[str, Any] | None) -> None:
        await self.cdp.send("Network.emulateNetworkConditions", conditions or {
            "offline": False, "latency": 0, "downloadThroughput": -1,
            "uploadThroughput": -1})

    def reset(self) -> int:
        seen, self.bytes = self.bytes, 0
        return seen


class Said(HTMLParser):
    """What a workspace page says to the person: its refusals (``role=alert``, or a
    ``refusal``), each with the form control it stands beside (the last one before it; None
    for the page's own), its notices (``role=status``) and all of its visible text."""

    CONTROLS = ("input", "select", "textarea")
    VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr")
    UNSEEN = ("script", "style", "template", "title")

    def __init__(self, html: str) -> None:
        super().__init__()
        self.refusals: list[tuple[str | None, str]] = []
        self.notices: list[str] = []
        self.text = ""
        self._control: str | None = None
        self._open: list[tuple[str, bool, str, str | None, list[str]]] = []
        """Open elements: tag, unseen, what it says (refusal, notice or ""), the control
        it stands beside, its words."""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in self.CONTROLS and found.get("type") not in ("hidden", "checkbox", "radio"):
            self._control = found.get("name")
        if tag in self.VOID:
            return
        unseen = (tag in self.UNSEEN or "hidden" in found
                  or bool(self._open and self._open[-1][1]))
        classes = (found.get("class") or "").split()
        kind = ("refusal" if found.get("role") == "alert" or "refusal" in classes
                else "notice" if found.get("role") == "status" else "")
        beside = self._control if "field-error" in classes else None
        self._open.append((tag, unseen, kind, beside, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, unseen, kind, beside, words = self._open.pop()
            said = " ".join("".join(words).split())
            if said and not unseen and kind == "refusal":
                self.refusals.append((beside, said))
            elif said and not unseen and kind == "notice":
                self.notices.append(said)
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1][1]:
            return
        self.text += data
        for element in self._open:
            element[4].append(data)

    def beside(self, control: str) -> list[str]:
        return [words for name, words in self.refusals if name == control]
