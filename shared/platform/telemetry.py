"""OpenTelemetry set up once for the platform.

Each service gets its own TracerProvider (so its spans carry its own ``service.name`` even
when the four services share one process in embedded mode), all using the global W3C
propagator, so a trace started by an HTTP request continues through the outbox, the bus
and the consumer's work. Logs carry the current trace and span ids.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
_test_exporters: list[SpanExporter] = []


def add_test_exporter(exporter: SpanExporter) -> None:
    """Tests register an in-memory exporter; providers made afterwards export to it."""
    _test_exporters.append(exporter)


def make_tracer_provider(service: str, *, otlp_endpoint: str | None) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({
        "service.name": f"ocop-{service}", "service.namespace": "ocop"}))
    for exporter in _test_exporters:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(
            OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces")))
    return provider


def current_trace_headers(span: Span | None = None) -> tuple[str | None, str | None]:
    """The W3C ``traceparent``/``tracestate`` of ``span`` or of the current context."""
    carrier: dict[str, str] = {}
    ctx = trace.set_span_in_context(span) if span is not None else None
    _PROPAGATOR.inject(carrier, context=ctx)
    return carrier.get("traceparent"), carrier.get("tracestate")


def context_from(traceparent: str | None, tracestate: str | None) -> Context | None:
    if not traceparent:
        return None
    carrier = {"traceparent": traceparent}
    if tracestate:
        carrier["tracestate"] = tracestate
    return _PROPAGATOR.extract(carrier)


@contextmanager
def messaging_span(tracer: trace.Tracer, name: str, kind: SpanKind, parent: Context | None,
                   attributes: dict[str, Any]) -> Iterator[Span]:
    """A producer or consumer span under ``parent`` that records a failure before re-raising."""
    with tracer.start_as_current_span(name, context=parent, kind=kind, attributes=attributes,
                                      record_exception=True,
                                      set_status_on_exception=True) as span:
        yield span


def mark_error(span: Span, exc: BaseException) -> None:
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))


class TraceIdFilter(logging.Filter):
    """Adds the current trace and span ids to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else "-"
        record.span_id = format(ctx.span_id, "016x") if ctx.is_valid else "-"
        return True


LOG_FORMAT = ("%(asctime)s %(levelname)s %(name)s [trace_id=%(trace_id)s span_id=%(span_id)s] "
              "%(message)s")


class CurrentStandardError(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is when a line is logged, not as it was when the
    handler was made: a process that swaps stderr (a test runner capturing each test's
    output) would otherwise leave the handler writing to a closed file, losing every line."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def setup_logging(level: str = "INFO") -> None:
    """Root logging with trace ids on every line; safe to call more than once."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "_ocop", False) for h in root.handlers):
        handler = CurrentStandardError()
        handler._ocop = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(TraceIdFilter())
        root.addHandler(handler)
    # aiokafka reports every reconnect attempt at ERROR; the bus logs outages itself.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
