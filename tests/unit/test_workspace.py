"""The producer's workspace: where a product stands and when to renew, and what the app
installed on the phone is called."""

from datetime import date

import httpx
from fastapi import FastAPI

from services.web.clients.rating import Certificate
from services.web.clients.registry import Product
from services.web.entry import router
from services.web.producer.workspace import (
    Standing,
    Validity,
    months_before,
    newest,
    road,
    standing,
)


def _product(status: str) -> Product:
    return Product(id="p1", name="Mật ong", description="", status=status)


def _certificate(status: str = "active", valid_from: str = "2026-01-01",
                 decision_date: str = "2025-12-20") -> Certificate:
    return Certificate.model_validate({
        "id": f"c-{valid_from}", "number": "1/QĐ", "stars": 4, "status": status,
        "decision_date": decision_date, "valid_from": valid_from, "valid_until": "2029-01-01"})


DRAFT = _product("draft")
SUBMITTED = _product("submitted")


def test_a_product_stands_at_its_first_stage_not_yet_accepted() -> None:
    assert standing(DRAFT, {}, None) is Standing.IDEA
    assert standing(DRAFT, {"idea": "accepted", "plan": "proposed"}, None) is Standing.PLAN
    assert standing(DRAFT, {"idea": "accepted", "plan": "accepted"}, None) is Standing.DOSSIER


def test_submitted_is_in_evaluation_and_an_active_certificate_is_certified() -> None:
    assert standing(SUBMITTED, {}, None) is Standing.EVALUATION
    assert standing(SUBMITTED, {}, _certificate("active")) is Standing.CERTIFIED


def test_a_revoked_or_expired_certificate_ends_the_road_so() -> None:
    for ended in ("revoked", "expired"):
        assert standing(SUBMITTED, {}, _certificate(ended)) is Standing.ENDED
    assert road(Standing.ENDED)[-1] is Standing.ENDED
    assert road(Standing.EVALUATION)[-1] is Standing.CERTIFIED


def test_six_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(date(2027, 9, 15), 6) == date(2027, 3, 15)
    assert months_before(date(2027, 8, 31), 6) == date(2027, 2, 28)
    assert months_before(date(2027, 3, 1), 6) == date(2026, 9, 1)


def test_the_renewal_reminder_opens_six_months_before_expiry() -> None:
    until = date(2029, 8, 31)
    assert not Validity(until, date(2029, 2, 27)).renewal_due
    assert Validity(until, date(2029, 2, 28)).renewal_due
    assert Validity(until, until).renewal_due
    assert not Validity(until, date(2029, 9, 1)).renewal_due
    assert Validity(until, date(2029, 8, 1)).days_left == 30


def test_the_newest_decision_speaks_for_the_product() -> None:
    older = _certificate(valid_from="2023-01-01", decision_date="2023-01-01")
    renewed = _certificate(valid_from="2026-01-01", decision_date="2025-12-20")
    assert newest([renewed, older]) == renewed
    assert newest([]) is None


async def test_the_installed_app_is_named_in_the_language_of_the_page_that_links_it() -> None:
    app = FastAPI()
    app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web") as client:
        vi = await client.get("/app.webmanifest", params={"lang": "vi"})
        en = await client.get("/app.webmanifest", params={"lang": "en"},
                              headers={"Accept-Language": "vi"})
        browsers = await client.get("/app.webmanifest", headers={"Accept-Language": "en-GB"})
    assert vi.headers["content-type"] == "application/manifest+json"
    assert {k: vi.json()[k] for k in ("name", "short_name", "description", "lang")} == {
        "name": "Sổ tay OCOP của chủ thể", "short_name": "Sổ tay OCOP",
        "description": "Sản phẩm, lô và nhật ký nguồn gốc của chủ thể OCOP — cả khi không có "
                       "sóng.", "lang": "vi"}
    assert (en.json()["name"], en.json()["short_name"], en.json()["lang"]) == (
        "The producer's OCOP workspace", "OCOP workspace", "en")
    assert browsers.json()["lang"] == "en"
    assert vi.json()["icons"] == en.json()["icons"] and vi.json()["start_url"] == "/"
