"""A list refuses a query parameter it does not declare (``shared.http.paging``): a filter
it lacks would otherwise be ignored and every record answered as if filtered."""

from __future__ import annotations

import httpx
from fastapi import Depends, FastAPI

from shared.http.paging import Cursor, Limit, PageOut, only_known_filters
from shared.refusals.http import install_error_handlers


def make_app() -> FastAPI:
    app = FastAPI(dependencies=[Depends(only_known_filters)])
    install_error_handlers(app)

    @app.get("/products")
    async def products(subject_id: str | None = None, limit: Limit = 50,
                       cursor: Cursor = None) -> PageOut[str]:
        return PageOut(items=[subject_id or "all"])

    @app.get("/scan")
    async def scan(lang: str = "vi") -> dict[str, str]:
        return {"lang": lang}

    return app


async def get(path: str, **params: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, params=params)


async def test_a_list_answers_the_filters_it_declares() -> None:
    answered = await get("/products", subject_id="s1", limit="5")
    assert answered.status_code == 200 and answered.json()["items"] == ["s1"]


async def test_a_filter_the_list_lacks_is_refused_naming_what_it_takes() -> None:
    refused = await get("/products", status="draft", subject_id="s1")
    assert refused.status_code == 400
    problem = refused.json()
    assert problem["type"].endswith("/unknown-filter")
    assert problem["detail"] == ("This list has no filter status; it takes: cursor, limit, "
                                 "subject_id.")
    assert problem["detail_vi"].startswith("Danh sách này không có bộ lọc status")


async def test_a_route_that_is_not_a_list_takes_what_a_link_carries() -> None:
    """A shopper's link carries tracking parameters; a GS1 resolver query its own."""
    answered = await get("/scan", lang="en", utm_source="zalo")
    assert answered.status_code == 200 and answered.json() == {"lang": "en"}
