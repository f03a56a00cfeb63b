"""Errors reach people as problem+json with English and Vietnamese messages."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field

from shared.http.fields import Line
from shared.refusals import N_, Conflict
from shared.refusals.http import PROBLEM_JSON, install_error_handlers


class Body(BaseModel):
    stars: int = Field(ge=1, le=5)


class Named(BaseModel):
    name: Annotated[str, Line(1, 50)]


def make_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things")
    async def create(body: Body) -> dict[str, int]:
        if body.stars == 5:
            # a message of the catalog, so each language has its words
            raise Conflict(N_("Rated %(stars)s stars"), code="already-five", stars=5)
        return {"stars": body.stars}

    @app.post("/names")
    async def name(body: Named) -> dict[str, str]:
        return {"name": body.name}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


async def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=make_app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_validation_errors_name_each_field() -> None:
    async with await client() as c:
        r = await c.post("/things", json={"stars": 9})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM_JSON
    body = r.json()
    assert body["errors"][0]["field"] == "stars"
    assert "less than or equal to 5" in body["errors"][0]["message"]
    assert body["detail_vi"]


async def test_a_field_refused_by_the_platform_says_why_in_each_language() -> None:
    async with await client() as c:
        r = await c.post("/names", json={"name": "   "})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "name", "message": "must not be blank",
                                   "message_vi": "không được để trống"}]


async def test_app_errors_keep_their_status_code_and_both_languages() -> None:
    """A refusal carries a code and parameters; its words are the catalog's, said at the
    edge in each language."""
    async with await client() as c:
        r = await c.post("/things", json={"stars": 5})
    assert r.status_code == 409
    assert r.json() | {} == {"type": "https://ocop.vn/problems/already-five",
                             "title": "Rated 5 stars", "status": 409,
                             "detail": "Rated 5 stars", "detail_vi": "Đạt hạng 5 sao",
                             "instance": "/things"}


async def test_unknown_routes_and_crashes_leak_nothing() -> None:
    async with await client() as c:
        missing = await c.get("/nope")
        crash = await c.get("/boom")
    assert missing.status_code == 404 and missing.json()["detail_vi"]
    assert crash.status_code == 500
    assert "secret internals" not in crash.text
