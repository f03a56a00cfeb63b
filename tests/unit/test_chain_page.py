"""A batch's chain check as a person reads it (``services/traceability/api/scan.py``
``chain_page``): what broke, said in the page's language."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request

from services.traceability.api.scan import chain_page
from services.traceability.origin.model import verify
from tests.unit.test_batches_model import event, opened, record


def test_the_chain_page_says_what_broke_in_its_readers_language() -> None:
    batch = opened()
    held = [record("r1", event("commissioning", 3)), record("r2", event("packing", 4))]
    chain = [batch.append(r) for r in held]
    altered = replace(held[1], event=held[1].event | {"disposition": "conformant"})
    report = verify(batch, chain, {"r1": held[0], "r2": altered},
                    {"r1": held[0].hash, "r2": "h-other"})
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                       "query_string": b""})

    def page(lang: str) -> str:
        return bytes(chain_page(request, report, batch.lot, lang).body).decode()

    assert "Bản ghi số 2: sự kiện đã bị sửa (mã băm chuẩn đã khác)" in page("vi")
    assert "Record 2: the event was altered (its standard hash differs)" in page("en")
