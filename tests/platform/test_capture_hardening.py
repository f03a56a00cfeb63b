"""What a caller sends to EPCIS capture never reaches inside, nor stalls the others: no
context is ever fetched (a listener on loopback hears nothing), a document the JSON-LD
processor cannot read fails only its own request, a worker process that dies is replaced,
and one producer's label sheets cannot fill the printing worker.

The whole platform on its embedded defaults, really served over HTTP."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from services.traceability.origin.epcis import STANDARD_CONTEXT
from shared.platform.config import Settings
from shared.platform.workers import WorkerFactory, WorkerProcess, ended
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.kept_workers import KEPT
from tests.support.platform import User, certified_batch
from tests.support.platform import office_signed_in as signed_in

PASSWORD = "capture-hardening-pass"
GTIN = "08934563138165"


def code_of(problem: dict[str, Any]) -> str:
    return str(problem["type"]).rsplit("/", 1)[-1]


class Listener:
    """A TCP server on loopback that only counts who connects to it."""

    def __init__(self) -> None:
        self.connections = 0
        self.url = ""

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()


@asynccontextmanager
async def listening() -> AsyncIterator[Listener]:
    listener = Listener()
    server = await asyncio.start_server(listener._accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    listener.url = f"http://127.0.0.1:{port}/context.jsonld"
    async with server:
        yield listener


def observed(batch_identifier: str, **extra: Any) -> dict[str, Any]:
    day = today() - timedelta(days=1)
    return {"type": "ObjectEvent", "action": "OBSERVE",
            "eventTime": f"{day.isoformat()}T09:00:00+07:00", "eventTimeZoneOffset": "+07:00",
            "quantityList": [{"epcClass": batch_identifier, "quantity": 5, "uom": "KGM"}],
            "bizStep": "inspecting", "readPoint": {"id": "urn:vn:ocop:place:kho"}} | extra


def document(events: list[dict[str, Any]], context: Any = None) -> dict[str, Any]:
    return {"@context": context or [STANDARD_CONTEXT, {"ocop": "urn:vn:ocop:epcis:"}],
            "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": f"{today().isoformat()}T10:00:00+07:00",
            "epcisBody": {"eventList": events}}


@asynccontextmanager
async def producer_with_batch(settings: Settings, workers: WorkerFactory = KEPT
                              ) -> AsyncIterator[tuple[User, User, dict[str, Any], str]]:
    """The office, a producer, its certified product's batch, and the product's id."""
    async with signed_in(settings, PASSWORD, workers=workers) as office:
        made = await certified_batch(office, PASSWORD, GTIN, {
            "lot": "HARD-1", "produced_on": (today() - timedelta(days=5)).isoformat(),
            "quantity": 100, "unit": "KGM"})
        yield office, made.coop.producer, made.batch, made.product_id


async def everything_answers(producer: User, anyone: User, batch: dict[str, Any],
                             product_id: str) -> None:
    """Each thing the traceability worker process does still works."""
    await producer.call("POST", "traceability", f"/batches/{batch['id']}/events", expect=201,
                        json={"step": "packing", "place": {"name": "Xưởng"},
                              "happened_at": f"{(today() - timedelta(days=1)).isoformat()}"
                                             "T08:00:00+07:00"})
    await producer.call("POST", "traceability", "/epcis/capture", expect=202,
                        json=document([observed(batch["identifier"])]))
    verified = await anyone.call("GET", "traceability", f"/batches/{batch['id']}/verify")
    assert verified["intact"] is True
    label = await anyone.call("GET", "traceability", f"/labels/{product_id}/qr.png")
    assert label.content.startswith(b"\x89PNG")
    ready = await anyone.call("GET", "traceability", "/readyz")
    assert ready["status"] == "ok", ready


async def test_capture_never_fetches_a_context_a_caller_names(
        make_settings: Callable[..., Settings]) -> None:
    async with producer_with_batch(make_settings()) as (_, producer, batch, _product), \
            listening() as listener:
        lot = batch["identifier"]
        url = listener.url
        attempts = {
            "an event's own context": document([observed(lot, **{"@context": url})]),
            "a context in readPoint": document([observed(
                lot, readPoint={"id": "urn:vn:ocop:place:kho", "@context": url})]),
            "a context in an extension's list": document([observed(lot, **{
                "ocop:results": [{"@context": [url], "ocop:name": "pH"}]})]),
            "an @import": document([observed(lot)], [STANDARD_CONTEXT, {"@import": url}]),
            "a term renaming @context": document(
                [observed(lot)], [STANDARD_CONTEXT, {"ctx": "@context"}]),
            "a URN context, nested": document([observed(
                lot, readPoint={"id": "urn:vn:ocop:place:kho", "@context": "urn:x"})]),
            "a scoped context": document([observed(lot)], [STANDARD_CONTEXT, {
                "ex": {"@id": "urn:ex:", "@context": url}}]),
        }
        for name, sent in attempts.items():
            refused = await producer.call("POST", "traceability", "/epcis/capture",
                                          expect=400, json=sent)
            assert code_of(refused) == "epcis-context", name
            assert "never fetches" in refused["detail"], name
            assert "không bao giờ tải" in refused["detail_vi"], name
            assert refused["errors"][0]["field"].endswith("@context"), (name, refused)
        named = await producer.call("POST", "traceability", "/epcis/capture", expect=400,
                                    json=attempts["a context in readPoint"])
        assert named["errors"][0]["field"] == "epcisBody.eventList[0].readPoint.@context"
        assert "urn:x" in (await producer.call(
            "POST", "traceability", "/epcis/capture", expect=400,
            json=attempts["a URN context, nested"]))["errors"][0]["message"]
        await asyncio.sleep(0.5)  # a fetch on its way would have connected by now
        assert listener.connections == 0


async def test_a_document_the_json_ld_processor_refuses_fails_only_its_own_request(
        make_settings: Callable[..., Settings]) -> None:
    async with producer_with_batch(make_settings()) as (office, producer, batch, product_id):
        anyone = office.anonymous()
        # Conforms to the EPCIS schema, but redefines a term the standard's context protects:
        # JSON-LD expansion fails with an error that cannot cross between processes as it is.
        protected = document([observed(batch["identifier"])],
                             [STANDARD_CONTEXT, {"type": "urn:x"}])
        for _ in range(2):
            refused = await producer.call("POST", "traceability", "/epcis/capture",
                                          expect=400, json=protected)
            assert code_of(refused) == "epcis-jsonld"
            assert "protected term" in refused["detail"]
            assert "JSON-LD" in refused["detail_vi"]
        await everything_answers(producer, anyone, batch, product_id)


async def test_a_worker_process_that_dies_is_replaced(
        make_settings: Callable[..., Settings]) -> None:
    # Workers of its own, and only this platform's: a test process holds others' too (the
    # kept ones, earlier tests' services).
    before = set(multiprocessing.active_children())
    async with producer_with_batch(make_settings(), WorkerProcess) as (office, producer, batch,
                                                                      product_id):
        anyone = office.anonymous()
        await everything_answers(producer, anyone, batch, product_id)
        workers = set(multiprocessing.active_children()) - before
        assert workers  # the worker processes of traceability and rating
        for process in workers:
            assert process.pid is not None
            os.kill(process.pid, signal.SIGKILL)
        # Dead before the next request, or that request would meet a dying process.
        assert await asyncio.to_thread(ended, list(workers), 60)
        await everything_answers(producer, anyone, batch, product_id)
        ready = await anyone.call("GET", "traceability", "/readyz")
        assert ready["checks"]["worker:labels and hashes"]["ok"] is True


async def test_one_producer_cannot_fill_the_printing_worker(
        make_settings: Callable[..., Settings]) -> None:
    # Labels may encode this test's loopback address only when allowed.
    settings = make_settings(allow_private_scan_url=True)
    async with producer_with_batch(settings) as (_, producer, batch, _product):
        path = f"/batches/{batch['id']}/label-sheets"
        first = await producer.call("POST", "traceability", path, expect=202,
                                    json={"count": 10_000, "kind": "batch"})
        await producer.call("POST", "traceability", path, expect=202,
                            json={"count": 10_000, "kind": "batch"})
        # As many again: refused however many labels a warm worker has drawn meanwhile.
        response = await producer.client.post(producer.urls["traceability"] + path,
                                              headers=producer.headers,
                                              json={"count": 10_000, "kind": "batch"})
        assert response.status_code == 429, response.text
        assert int(response.headers["retry-after"]) > 0
        problem = response.json()
        assert code_of(problem) == "labels-drawing"
        assert "20,000" in problem["detail"] and "20.000" in problem["detail_vi"]
        # Once the first sheet is drawn, there is room again.
        async def drawn() -> bool:
            sheet = await producer.call("GET", "traceability", f"/label-sheets/{first['id']}")
            return bool(sheet["status"] == "ready")

        await wait_until(drawn, within=600, interval=0.5)
        await producer.call("POST", "traceability", path, expect=202,
                            json={"count": 1, "kind": "batch"})


async def test_capture_takes_only_web_links_and_the_forms_limits(
        make_settings: Callable[..., Settings]) -> None:
    async with producer_with_batch(make_settings()) as (office, producer, batch, _product):
        lot = batch["identifier"]
        attempts = {
            "certificationInfo": observed(lot, certificationInfo="javascript:alert(1)"),
            "ocop:photos[0]": observed(lot, **{"ocop:photos": [
                "data:text/html,<script>alert(1)</script>"]}),
            "ocop:note": observed(lot, **{"ocop:note": "x" * 1001}),
            "ocop:results": observed(lot, **{"ocop:results": [
                {"ocop:name": "pH", "ocop:value": "7"}] * 51}),
            "readPoint.id": observed(lot, readPoint={"id": "urn:x:" + "y" * 2000}),
        }
        for field, event in attempts.items():
            refused = await producer.call("POST", "traceability", "/epcis/capture",
                                          expect=400, json=document([event]))
            assert code_of(refused) == "event-too-large-or-unsafe", field
            fields = [error["field"] for error in refused["errors"]]
            assert f"epcisBody.eventList[0].{field}" in fields, (field, fields)
            assert "http(s)" in refused["detail_vi"]
        history = await office.anonymous().call("GET", "traceability",
                                                f"/batches/{batch['id']}/verify")
        assert history["records"] == 0  # nothing of it was kept
        kept = await producer.call("POST", "traceability", "/epcis/capture", expect=202,
                                   json=document([observed(lot, certificationInfo=(
                                       "https://example.org/reports/1.pdf"),
                                       **{"ocop:note": "x" * 1000})]))
        assert kept["recorded"][0]["event"]["certificationInfo"].startswith("https://")
