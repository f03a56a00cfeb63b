"""The errors each operation can answer, and the credentials it needs, written into its
service's OpenAPI document.

Every refusal is ``application/problem+json`` (``shared.refusals.http``); clients and generated
SDKs read from the document which ones to expect. What an operation can answer follows from
what it takes and who may call it (``x-access``), so it is derived here once, not written
on every route; so is its ``security``, which FastAPI would otherwise take from the
dependencies alone (every gated route reads a token, a public one included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shared.identity.access import PUBLIC as PUBLIC_PARTIES
from shared.identity.access import Party
from shared.refusals.http import PROBLEM_JSON

PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "detail_vi": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "rejected": {
            "type": "array", "description": "An import's refused rows (only on an import's "
                                            "refusal), each as the spreadsheet numbers it",
            "items": {"type": "object", "properties": {
                "row": {"type": "integer"}, "errors": {"type": "array", "items": {
                    "type": "object", "properties": {
                        "field": {"type": "string"}, "column": {"type": ["string", "null"]},
                        "message": {"type": "string"},
                        "message_vi": {"type": "string"}}}}}}}},
}
REASONS = {400: "Bad request", 401: "Not signed in, or the sign-in has ended",
           403: "Not permitted", 404: "Not found", 409: "Conflicts with the current state",
           413: "Body too large", 415: "Unsupported body type", 422: "Invalid input",
           429: "Too many requests"}
WRITES = {"post", "put", "patch", "delete"}
_TEXT = ("text/", "application/xml", "application/rss+xml")


def files(*media_types: str, description: str = "The file") -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=`` for an answer that is a file, not JSON: each media type with
    its schema (text, or bytes), so generated clients know to read a file."""
    return {200: {"description": description, "content": {
        media: {"schema": {"type": "string"} if media.startswith(_TEXT)
                else {"type": "string", "format": "binary"}} for media in media_types}}}
PUBLIC = {"anyone"}


def _codes(method: str, operation: dict[str, Any]) -> set[int]:
    parties = set(operation.get("x-access", {}).get("parties", []))
    parameters = operation.get("parameters", [])
    codes = {429}
    if parameters or "requestBody" in operation:
        codes |= {400, 422}
    if any(p["in"] == "path" for p in parameters):
        codes.add(404)
    if not parties <= PUBLIC:
        codes |= {401, 403} if "link_holder" not in parties else {403}
    if any(name.endswith("api_key") for need in operation.get("security", []) for name in need):
        codes |= {401, 403}  # a key, even on a public read, is checked and may be refused
    if method in WRITES:  # a body may name a record that is not there (404)
        codes |= {400, 401, 404, 409, 413, 415, 422}
    return codes


def _problem(code: int, page: bool) -> dict[str, Any]:
    content: dict[str, Any] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    if page and code in (400, 404):  # a scan page's own refusals, as a page (or as JSON)
        content |= {"text/html": {"schema": {"type": "string"}}}
        if code == 404:
            content |= {"application/json": {"schema": {"type": "object"}}}
    return {"description": REASONS[code], "content": content}


def _proves(scheme: dict[str, Any]) -> frozenset[Party]:
    """The parties a credential of ``scheme`` can show a caller to be: a channel's API key,
    or an account's token (any of the others)."""
    if scheme.get("type") == "apiKey":
        return frozenset({Party.CHANNEL})
    if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return frozenset(Party) - PUBLIC_PARTIES - {Party.CHANNEL}
    return frozenset()


def _security(parties: frozenset[Party], declared: list[dict[str, list[str]]],
             schemes: dict[str, Any]) -> list[dict[str, list[str]]]:
    """An operation's ``security`` as its rule has it (empty: none). ``declared``: the
    credentials its route reads (FastAPI's requirements); ``schemes``: the document's. A
    public operation requires nothing, and what it reads is optional (``{}`` first,
    OpenAPI's "or nothing": a channel's key narrowing a public list); any other requires a
    credential that shows one of its parties."""
    if parties & PUBLIC_PARTIES:
        return [{}, *declared] if declared else []
    return [{name: []} for name, scheme in schemes.items() if _proves(scheme) & parties]


def _secure(operation: dict[str, Any], schemes: dict[str, Any]) -> None:
    parties = frozenset(Party(p) for p in operation.get("x-access", {}).get("parties", []))
    needed = _security(parties, operation.pop("security", []), schemes)
    if needed:
        operation["security"] = needed


def document_problems(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document list, per operation, the problems it can answer and
    the credentials it needs."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                _secure(operation, components.get("securitySchemes", {}))
                responses = operation.setdefault("responses", {})
                page = "text/html" in responses.get("200", {}).get("content", {})
                for code in sorted(_codes(method, operation)):
                    responses[str(code)] = _problem(code, page)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
