"""One trace runs from an HTTP request, through the outbox and the bus, to the consumer's
work, on both buses; and log lines carry the trace id."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import httpx
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shared.platform.config import Settings
from shared.platform.telemetry import (
    LOG_FORMAT,
    TraceIdFilter,
    add_test_exporter,
    make_tracer_provider,
)
from shared.ports.bus import open_bus
from tests.support.demo import PROJECTION, Projector, build_consumer, build_producer, wait_until

EXPORTER = InMemorySpanExporter()
add_test_exporter(EXPORTER)


async def test_one_trace_from_http_request_to_consumer(bus_url: str,
                                                       make_settings: Callable[..., Settings]
                                                       ) -> None:
    settings = make_settings(bus_url=bus_url)
    bus = open_bus(bus_url)
    producer = build_producer(settings, bus)
    consumer = build_consumer(settings, Projector(), bus)
    app = producer.fastapi_app()
    await consumer.start()
    await producer.start()
    EXPORTER.clear()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://producer") as client:
            response = await client.post("/counters/traced", json={"value": 7})
        assert response.status_code == 200

        async def projected() -> bool:
            return await consumer.store.get(PROJECTION.name, "traced") is not None

        await wait_until(projected)
    finally:
        await producer.stop()
        await consumer.stop()
        await bus.stop()

    spans = EXPORTER.get_finished_spans()
    server = next(s for s in spans if s.kind is SpanKind.SERVER
                  and s.name == "POST /counters/{counter_id}")
    publish = next(s for s in spans if s.kind is SpanKind.PRODUCER)
    process = next(s for s in spans if s.kind is SpanKind.CONSUMER)
    trace_id = server.context.trace_id
    assert publish.context.trace_id == trace_id == process.context.trace_id
    assert publish.parent is not None and publish.parent.span_id == server.context.span_id
    assert process.parent is not None and process.parent.span_id == publish.context.span_id
    assert server.resource.attributes["service.name"] == "ocop-demo_producer"
    assert process.resource.attributes["service.name"] == "ocop-demo_consumer"
    assert process.attributes["ocop.outcome"] == "applied"
    assert process.attributes["messaging.consumer.group.name"] == "demo_consumer"


def test_log_lines_carry_the_trace_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(TraceIdFilter())
    logger = logging.getLogger("test.trace.ids")
    logger.addHandler(handler)
    logger.propagate = False
    tracer = make_tracer_provider("logtest", otlp_endpoint=None).get_tracer("t")
    with tracer.start_as_current_span("work") as span:
        logger.warning("inside")
        trace_id = format(span.get_span_context().trace_id, "032x")
    logger.warning("outside")
    inside, outside = stream.getvalue().splitlines()
    assert f"trace_id={trace_id}" in inside and "inside" in inside
    assert "trace_id=-" in outside
    assert trace.get_current_span().get_span_context().is_valid is False
