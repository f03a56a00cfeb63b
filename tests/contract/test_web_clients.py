"""The web front reads only what the services answer: every method of its clients
(services/web/clients/) names an operation that the called service's OpenAPI document
holds, and every field its answer model reads is in that operation's 2xx answer, of a JSON
type the model takes. A service that renames or drops a field the pages read fails here,
naming the client method and the field, before a page breaks."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import reduce
from typing import Any

import pytest

from services.web.clients import Client, Operation
from services.web.clients.catalog import Catalog
from services.web.clients.rating import Preparation, Rating
from services.web.clients.registry import Councils, Registry
from services.web.clients.traceability import Traceability
from tests.support.openapi import openapi_documents

CLIENTS: tuple[type[Client], ...] = (Registry, Rating, Traceability, Preparation, Councils,
                                     Catalog)
METHODS = {f"{client.__name__}.{name}": method for client in CLIENTS
           for name, method in vars(client).items() if inspect.iscoroutinefunction(method)}
TAKES = {"number": {"number", "integer"}}
"""A JSON type the front reads → the types its model takes for it (besides itself)."""


def _operations(method: Any) -> list[Operation[Any]]:
    """The operations a client method calls: the module's ``Operation``s it names."""
    return [found for name in method.__code__.co_names
            if isinstance(found := method.__globals__.get(name), Operation)]


@pytest.fixture(scope="module")
async def documents(tmp_path_factory: pytest.TempPathFactory
                    ) -> AsyncIterator[dict[str, dict[str, Any]]]:
    """Each called service's OpenAPI document."""
    called = sorted({operation.service for method in METHODS.values()
                     for operation in _operations(method)})
    async with openapi_documents(tmp_path_factory.mktemp("web-clients"), called) as documents:
        yield documents


@dataclass(frozen=True)
class Schema:
    """A JSON schema within its document, whose ``$ref``s it follows."""

    document: dict[str, Any]

    def shapes(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The shapes a value of ``schema`` may take (each of an ``anyOf``), resolved."""
        while "$ref" in schema:
            path = schema["$ref"].removeprefix("#/").split("/")
            schema = reduce(lambda node, key: node[key], path, self.document)
        alternatives = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
        if alternatives:
            return [shape for each in alternatives for shape in self.shapes(each)]
        return [schema]


def _type(shape: dict[str, Any]) -> str | None:
    """A shape's JSON type; None for any value."""
    if "type" in shape:
        return str(shape["type"])
    return "string" if "enum" in shape else None


def drift(read: Schema, answered: Schema, reads: dict[str, Any], sent: dict[str, Any],
          where: str) -> Iterator[str]:
    """How what the service may send (``sent``) differs from what the front reads
    (``reads``), at ``where``."""
    taken = read.shapes(reads)
    for shape in answered.shapes(sent):
        kind = _type(shape)
        takes = next((t for t in taken if _type(t) is None
                      or kind in TAKES.get(str(_type(t)), {_type(t)})), None)
        if takes is None:
            yield (f"{where or 'the answer'}: the service may send {kind or 'any value'}, "
                   f"the front reads {' or '.join(str(_type(t)) for t in taken)}")
        elif takes.get("format") and takes.get("format") != shape.get("format"):
            yield (f"{where}: the service sends {shape.get('format') or kind}, "
                   f"the front reads a {takes['format']}")
        elif kind == "object" and _type(takes) == "object":
            yield from _object_drift(read, answered, takes, shape, where)
        elif kind == "array" and "items" in takes:
            yield from drift(read, answered, takes["items"], shape.get("items", {}),
                             f"{where}[]")


def _object_drift(read: Schema, answered: Schema, reads: dict[str, Any],
                  sent: dict[str, Any], where: str) -> Iterator[str]:
    fields = sent.get("properties", {})
    mapped = sent.get("additionalProperties")
    for name, field in reads.get("properties", {}).items():
        at = f"{where}.{name}" if where else name
        if name in fields:
            if name in reads.get("required", ()) and name not in sent.get("required", ()):
                yield f"{at}: the front needs it, the service may leave it out"
            yield from drift(read, answered, field, fields[name], at)
        elif not isinstance(mapped, dict):
            yield f"{at}: not in the service's answer"
    if isinstance(each := reads.get("additionalProperties"), dict):  # a mapping read
        for name, field in fields.items():
            yield from drift(read, answered, each, field, f"{where}.{name}")
        if isinstance(mapped, dict):
            yield from drift(read, answered, each, mapped, f"{where}.*")


def test_every_client_method_names_the_operation_it_calls() -> None:
    unnamed = [name for name, method in METHODS.items() if len(_operations(method)) != 1]
    assert not unnamed, f"each calls one Operation of its module: {unnamed}"
    assert {"Registry.product", "Traceability.batch"} <= set(METHODS)  # found at all


@pytest.mark.parametrize("name", sorted(METHODS))
def test_the_service_answers_what_the_front_reads(
        name: str, documents: dict[str, dict[str, Any]]) -> None:
    (operation,) = _operations(METHODS[name])
    document = documents[operation.service]
    called = f"{operation.method} {operation.path} ({operation.service})"
    found = document["paths"].get(operation.path, {}).get(operation.method.lower())
    assert found is not None, f"{name}: the service has no {called}"
    answers = {status: answer for status, answer in found["responses"].items()
               if status.startswith("2")}
    assert answers, f"{name}: {called} has no success answer"
    model = operation.answer.model_json_schema()
    if not model.get("properties"):
        return  # an answer the pages do not read
    problems = [f"{name}: {called} {status}: {problem}"
                for status, answer in answers.items()
                for problem in (drift(Schema(model), Schema(document), model,
                                      answer["content"]["application/json"]["schema"], "")
                                if "application/json" in answer.get("content", {})
                                else ["no JSON answer"])]
    assert not problems, "\n".join(problems)


def test_the_check_names_each_field_that_drifted() -> None:
    service = {"components": {"schemas": {"Out": {
        "type": "object", "required": ["id", "count", "day"],
        "properties": {"id": {"type": "string"}, "count": {"type": "number"},
                       "day": {"type": "string", "format": "date-time"},
                       "note": {"type": "string"},
                       "tags": {"type": "array", "items": {"anyOf": [{"type": "string"},
                                                                     {"type": "null"}]}},
                       "stock": {"type": "object",
                                 "additionalProperties": {"type": "integer"}}}}}}}
    read = {"type": "object", "required": ["id", "count", "lot", "note"],
            "properties": {"id": {"type": "string"}, "count": {"type": "integer"},
                           "lot": {"type": "string"}, "note": {"type": "string"},
                           "day": {"type": "string", "format": "date"},
                           "tags": {"type": "array", "items": {"type": "string"}},
                           "stock": {"type": "object",
                                     "additionalProperties": {"type": "number"}}}}
    assert sorted(drift(Schema({}), Schema(service), read,
                        {"$ref": "#/components/schemas/Out"}, "")) == [
        "count: the service may send number, the front reads integer",
        "day: the service sends date-time, the front reads a date",
        "lot: not in the service's answer",
        "note: the front needs it, the service may leave it out",
        "tags[]: the service may send null, the front reads string"]
