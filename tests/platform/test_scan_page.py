"""The traceability service on its own (real SQLite store, real worker, in-process HTTP):
what the scan page does with what it knows."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from services.traceability.app import build
from shared.messaging.contracts.registry import ProductRegistered
from shared.messaging.events.envelope import Envelope
from shared.platform.config import Settings
from tests.support.clocks import SYSTEM_CLOCK


async def test_a_profile_known_from_the_registry_but_never_certified_has_no_scan_page(
        make_settings: Callable[..., Settings]) -> None:
    """Traceability keeps the registry's products before they are certified; the scan page
    must not present one as anything."""
    runtime = build(make_settings())
    app = runtime.fastapi_app()
    await runtime.start()
    try:
        event = ProductRegistered(product_id="p1", subject_id="s1", name="Chè", group="food",
                                  subgroup="tea", gtin="08934563138165", status="draft")
        envelope = Envelope(type=event.event_type, source="/ocop/registry", aggregate_id="p1",
                            sequence=1, data=event.model_dump(mode="json"),
                            time=SYSTEM_CLOCK.now())
        handler = runtime.consumer.handlers[event.event_type][1]
        async with runtime.store.transaction() as tx:
            await handler(envelope, tx)
        assert await runtime.store.get("profiles", "p1") is not None
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://scan") as client:
            for path in ("/p/p1", "/01/08934563138165"):
                page = await client.get(path)
                assert page.status_code == 404 and "Không tìm thấy" in page.text
    finally:
        await runtime.stop()
