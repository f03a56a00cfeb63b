"""Operating the producers' workspace: it runs on the services' runtime, so it answers
/healthz and /readyz as every service does, is unready while its store cannot be reached,
and releases what it holds when it stops. Really served; no service is needed for this."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from services.web.app import build
from services.web.front import WebFront
from shared.platform.config import Settings
from tests.support.workspace import serving_workspace

NOWHERE = {name: "http://127.0.0.1:9" for name in ("registry", "rating", "traceability")}
"""The services' addresses: health and readiness ask none of them."""


async def test_the_workspace_answers_health_and_readiness_as_every_service(
        make_settings: Callable[..., Settings]) -> None:
    async with serving_workspace(make_settings(), NOWHERE) as web, \
            httpx.AsyncClient(timeout=30) as client:
        health = await client.get(f"{web}/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "service": "web"}
        ready = await client.get(f"{web}/readyz")
        assert ready.status_code == 200, ready.text
        report = ready.json()
        assert (report["service"], report["ready"], report["status"]) == ("web", True, "ok")
        # a consumer of the bus (people's notifications), as every service
        assert {name: check["ok"] for name, check in report["checks"].items()} == {
            "store": True, "bus": True, "objects": True}
        assert "script-src 'self'" in ready.headers["content-security-policy"]


async def test_the_workspace_is_unready_without_its_store_and_closes_its_client(
        make_settings: Callable[..., Settings]) -> None:
    runtime = build(make_settings().model_copy(update={f"{k}_url": v for k, v in NOWHERE.items()}))
    app = runtime.fastapi_app()
    await runtime.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://web") as client:
            await runtime.store.close()
            away = await client.get("/readyz")
        report = away.json()
        assert away.status_code == 503, report
        assert report["ready"] is False and report["status"] == "unready"
        assert report["checks"]["store"]["ok"] is False and report["checks"]["store"]["error"]
    finally:
        await runtime.stop()
    front = runtime.parts[WebFront]
    assert isinstance(front, WebFront) and front.backend.client.is_closed
