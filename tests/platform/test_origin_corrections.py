"""A producer corrects an origin record from the workspace: the batch page lists each record
with its id, "Sửa" opens the origin form filled as the record was, and the correction is
itself recorded in the batch's chain — the original stays, marked corrected (by which record,
when), the scan page shows the corrected journey, and the chain still verifies. With it, the
honest data of the producer's forms: nothing dated in the future, decimal commas read, and
each refusal in Vietnamese beside its field."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD, at, batch_body, code_of
from tests.support.clocks import today
from tests.support.platform import User, certified_batch
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import Said, serving_workspace, sign_in_form

CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')


async def producer_session(client: httpx.AsyncClient, web: str) -> dict[str, str]:
    csrf, cookie = await sign_in_form(client, web)
    signed = await client.post(f"{web}/sign-in", headers=cookie, data={
        "username": "producer", "password": PASSWORD, "csrf": csrf})
    assert signed.status_code == 303, signed.text
    return {"Cookie": f"ocop_session={signed.cookies['ocop_session']}"}


def local(day: date, hour: int) -> str:
    """The phone's datetime field: Việt Nam's time, without its zone."""
    return f"{day.isoformat()}T{hour:02d}:00"


def harvest_form(csrf: str, happened_at: str, quantity: str) -> dict[str, str]:
    return {"csrf": csrf, "event_id": str(uuid4()), "step": "harvest",
            "happened_at": happened_at, "place": "Đồi chè Khuôn Ngàn", "quantity": quantity,
            "note": "Hái một tôm hai lá"}


async def records_of(producer: User, batch_id: str) -> list[dict[str, Any]]:
    answer = await producer.call("GET", "traceability", f"/batches/{batch_id}/records")
    return list(answer["items"])


async def test_a_record_corrected_from_the_workspace_shows_corrected_and_the_chain_holds(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    day = today() - timedelta(days=2)
    async with signed_in(settings, PASSWORD) as office:
        made = await certified_batch(office, PASSWORD, GTIN, batch_body("CHE-SUA", day))
        producer, batch_id = made.coop.producer, made.batch["id"]
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            me = await producer_session(client, web)
            page = await client.get(f"{web}/batches/{batch_id}", headers=me)
            csrf = CSRF.search(page.text)
            assert page.status_code == 200 and csrf is not None
            token = csrf.group(1)
            form = f"{web}/batches/{batch_id}/events"

            # Dated tomorrow: refused, in Vietnamese, beside "When"; nothing recorded.
            tomorrow = await client.post(form, headers=me, data=harvest_form(
                token, local(today() + timedelta(days=1), 7), "150"))
            assert tomorrow.status_code == 400
            assert Said(tomorrow.text).beside("happened_at") == [
                "hãy ghi ngày giờ việc đã diễn ra"], tomorrow.text
            assert await records_of(producer, batch_id) == []
            # A quantity that is no number: refused beside it, in Vietnamese.
            garbled = await client.post(form, headers=me, data=harvest_form(
                token, local(day, 7), "một trăm"))
            assert garbled.status_code == 400 and Said(garbled.text).beside("quantity")

            # Recorded with a decimal comma: 1,5 is one and a half.
            recorded = await client.post(form, headers=me, data=harvest_form(
                token, local(day, 7), "1,5"))
            assert recorded.status_code == 303, recorded.text
            (original,) = await records_of(producer, batch_id)
            assert original["filled"]["quantity"] == 1.5 and original["correctable"]
            assert original["filled"]["happened_at"] == at(day, 7)

            # The batch page lists it with its id and offers "Sửa"; the form opens filled.
            page = await client.get(f"{web}/batches/{batch_id}", headers=me)
            assert "Bản ghi số 1" in page.text and original["id"] in page.text
            correct = f"/batches/{batch_id}/records/{original['id']}/correct"
            assert f'href="{correct}"' in page.text
            opened = await client.get(f"{web}{correct}", headers=me)
            assert opened.status_code == 200
            assert 'name="quantity" inputmode="decimal" value="1,5"' in opened.text
            assert f'value="{local(day, 7)}"' in opened.text
            assert "cần có kết nối mạng" in opened.text  # said plainly: not queued offline

            # A wrong correction is refused beside its field, and records nothing.
            future = harvest_form(token, local(today() + timedelta(days=3), 7), "2,5")
            refused = await client.post(f"{web}{correct}", headers=me, data=future)
            assert refused.status_code == 400 and Said(refused.text).beside("happened_at")
            assert len(await records_of(producer, batch_id)) == 1

            sent = await client.post(f"{web}{correct}", headers=me,
                                     data=harvest_form(token, local(day, 8), "2,5"))
            assert sent.status_code == 303
            assert sent.headers["location"].endswith("?done=record_corrected#records")

            # The original stays, marked corrected by which record and when; the
            # correction is itself records of the chain, naming the corrected event.
            wrong, fixed, declaration = await records_of(producer, batch_id)
            assert wrong["id"] == original["id"] and not wrong["correctable"]
            assert wrong["corrected_by"] == fixed["id"] and wrong["corrected_at"]
            assert fixed["corrects"] == wrong["id"] and fixed["correctable"]
            assert fixed["filled"]["quantity"] == 2.5
            assert fixed["filled"]["happened_at"] == at(day, 8)
            assert declaration["declares"] == wrong["id"] and declaration["step"] is None
            assert declaration["reason"] == "incorrect_data"
            assert [r["sequence"] for r in (wrong, fixed, declaration)] == [1, 2, 3]
            after = await client.get(f"{web}/batches/{batch_id}?done=record_corrected",
                                     headers=me)
            said = Said(after.text)
            assert "Đã sửa. Trang quét mã nay hiển thị bản ghi đã sửa." in said.notices
            assert "bằng bản ghi số 2" in after.text and "Bản sửa của bản ghi số 1" in after.text
            assert f'href="{correct}"' not in after.text  # corrected once: fix the fix
            assert (await client.get(f"{web}{correct}", headers=me)).status_code == 404

            # Corrected again through the API: refused, the original has its correction.
            again = await producer.call(
                "POST", "traceability",
                f"/batches/{batch_id}/events/{wrong['id']}/corrections", expect=409,
                json={"corrected": {"step": "harvest", "happened_at": at(day, 9),
                                    "place": {"name": "Đồi chè"}}})
            assert code_of(again) == "corrected-already"

            # The scan page's journey: the corrected harvest only, marked corrected.
            journey = (await producer.call("GET", "traceability",
                                           f"/batches/{batch_id}"))["journey"]
            assert [(s["step"], s["quantity"], s["corrected"]) for s in journey] == [
                ("harvest", "2.5 kg", True)]
            scan = await client.get(made.batch["scan_url"], headers={"Accept": "text/html"},
                                    follow_redirects=True)  # to the batch's page
            assert scan.status_code == 200 and "đã đính chính" in scan.text
            assert "2,5" in scan.text and "1,5 kg" not in scan.text

            # And the chain still verifies, the correction in it.
            report = await producer.anonymous().call(
                "GET", "traceability", f"/batches/{batch_id}/verify")
            assert report["intact"] and report["records"] == 3 and not report["problems"]


async def test_events_dated_in_the_future_are_refused_whichever_way_they_come(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    day = today() - timedelta(days=1)
    async with signed_in(settings, PASSWORD) as office:
        made = await certified_batch(office, PASSWORD, GTIN, batch_body("CHE-MAI", day))
        producer, batch = made.coop.producer, made.batch
        later = today() + timedelta(days=1)
        form = await producer.call(
            "POST", "traceability", f"/batches/{batch['id']}/events", expect=400,
            json={"step": "harvest", "happened_at": at(later, 7),
                  "place": {"name": "Đồi chè"}})
        assert code_of(form) == "event-in-future"
        assert [e["field"] for e in form["errors"]] == ["happened_at"]
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": at(day, 9),
            "epcisBody": {"eventList": [{
                "type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
                "eventTime": at(later, 7), "eventTimeZoneOffset": "+07:00",
                "quantityList": [{"epcClass": batch["identifier"], "quantity": 120,
                                  "uom": "KGM"}],
                "readPoint": {"id": "urn:vn:ocop:place:xa-tan-cuong-doi-che"}}]}}
        captured = await producer.call("POST", "traceability", "/epcis/capture", expect=400,
                                       json=document)
        assert code_of(captured) == "event-in-future"
        assert [e["field"] for e in captured["errors"]] == [
            "epcisBody.eventList[0].eventTime"]
        assert (await producer.call("GET", "traceability",
                                    f"/batches/{batch['id']}"))["length"] == 0
        # Dated yesterday: recorded.
        await producer.call("POST", "traceability", f"/batches/{batch['id']}/events",
                            expect=201, json={"step": "packing", "happened_at": at(day, 7),
                                              "place": {"name": "Xưởng"}})


async def test_the_batch_form_reads_decimal_commas_and_refuses_beside_each_field(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        made = await certified_batch(office, PASSWORD, GTIN,
                                     batch_body("CHE-1", today() - timedelta(days=2)))
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            me = await producer_session(client, web)
            page = await client.get(f"{web}/products/{made.product_id}/batches/new",
                                    headers=me)
            csrf = CSRF.search(page.text)
            assert csrf is not None
            form = {"csrf": csrf.group(1), "lot": "CHE-2", "unit": "KGM",
                    "produced_on": today().isoformat(), "quantity": "12,5"}
            path = f"{web}/products/{made.product_id}/batches"
            tomorrow = await client.post(path, headers=me, data=form | {
                "produced_on": (today() + timedelta(days=1)).isoformat()})
            assert tomorrow.status_code == 400
            assert Said(tomorrow.text).beside("produced_on") == [
                "không được muộn hơn hôm nay"]
            garbled = await client.post(path, headers=me, data=form | {"quantity": "12,5kg"})
            assert Said(garbled.text).beside("quantity") == [
                "Nhập số lượng lớn hơn 0, ví dụ 12 hoặc 1,5."]
            opened = await client.post(path, headers=me, data=form)
            assert opened.status_code == 303
            batch = await made.coop.producer.call("GET", "traceability",
                                                  opened.headers["location"])
            assert batch["quantity"] == 12.5 and batch["lot"] == "CHE-2"
            shown = await client.get(f"{web}{opened.headers['location']}", headers=me)
            assert f"{today():%d/%m/%Y} · 12,5 kg" in shown.text
