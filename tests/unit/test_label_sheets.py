"""The rules of label sheets: how labels sit on A4, which scan addresses may be printed, and
what a serial is."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from services.traceability.labels.model import (
    A4_MM,
    MARGIN_MM,
    SERIAL_ALPHABET,
    LabelSheet,
    SheetKind,
    SheetLayout,
    UnitCode,
    check_public,
    new_serial,
)
from services.traceability.labels.pdf import Code, LabelFace, draw_part
from shared.i18n.text import moment_shown
from shared.refusals import BadRequest, Conflict, TooManyRequests


def test_all_that_fit_go_on_a_page_by_default_and_stay_inside_the_margins() -> None:
    layout = SheetLayout.chosen(60, 30, None)
    assert SheetLayout.capacity(60, 30) == (3, 8) and layout.per_page == 24
    corners = [layout.slot(i) for i in range(layout.per_page)]
    assert all(x >= MARGIN_MM and x + 60 <= A4_MM[0] - MARGIN_MM for x, _ in corners)
    assert all(y >= MARGIN_MM and y + 30 <= A4_MM[1] - MARGIN_MM for _, y in corners)
    assert len(set(corners)) == 24
    assert corners[0][1] > corners[3][1] and corners[0][0] < corners[1][0]  # rows from the top
    assert layout.pages(25) == 2 and SheetLayout.chosen(60, 30, 10).pages(25) == 3


def test_a_label_too_small_or_too_many_per_page_is_refused_with_the_limit() -> None:
    with pytest.raises(BadRequest) as small:
        SheetLayout.chosen(39, 19, None)
    assert {e.field for e in small.value.errors} == {"label_width_mm", "label_height_mm"}
    with pytest.raises(BadRequest) as crowded:
        SheetLayout.chosen(100, 60, 5)
    assert "At most 4" in crowded.value.message and "tối đa 4" in crowded.value.message_vi
    with pytest.raises(BadRequest):
        SheetLayout.chosen(300, 30, None)  # wider than A4


@pytest.mark.parametrize("base", ["http://127.0.0.1:8003", "http://localhost:8000",
                                  "http://10.0.0.5", "http://192.168.1.20:8080",
                                  "http://[::1]:8000", "http://ocop-traceability:8000",
                                  "https://ocop.local", "http://169.254.1.1"])
def test_labels_never_encode_an_address_a_shoppers_phone_cannot_reach(base: str) -> None:
    with pytest.raises(Conflict):
        check_public(base, allow_private=False)
    check_public(base, allow_private=True)  # a test or a demo, said explicitly


def test_a_public_address_may_be_printed() -> None:
    check_public("https://truyxuat.ocop.khanhhoa.gov.vn", allow_private=False)
    check_public("http://203.113.131.5", allow_private=False)


def test_serials_are_long_random_and_unambiguous() -> None:
    serials = {new_serial() for _ in range(2000)}
    assert len(serials) == 2000
    assert all(len(s) == 16 and set(s) <= set(SERIAL_ALPHABET) for s in serials)
    assert not set("IO01") & set(SERIAL_ALPHABET)


def test_a_sheet_holds_one_serial_per_unit_and_at_most_ten_thousand() -> None:
    layout = SheetLayout.chosen(50, 30, None)
    units = LabelSheet.request("s", "b", "p", "subj", kind=SheetKind.SERIAL, count=3,
                               layout=layout, at="t", by="u", drawing=0)
    assert len(set(units.serials)) == 3
    batch = LabelSheet.request("s", "b", "p", "subj", kind=SheetKind.BATCH, count=3,
                               layout=layout, at="t", by="u", drawing=0)
    assert batch.serials == []
    for count in (0, 10_001):
        with pytest.raises(BadRequest):
            LabelSheet.request("s", "b", "p", "subj", kind=SheetKind.SERIAL, count=count,
                               layout=layout, at="t", by="u", drawing=0)
    with pytest.raises(Conflict):
        units.check_ready()
    assert units.left_to_draw == 3


def test_a_producer_has_at_most_twenty_thousand_labels_waiting_to_be_drawn() -> None:
    layout = SheetLayout.chosen(50, 30, None)
    LabelSheet.request("s", "b", "p", "subj", kind=SheetKind.BATCH, count=10_000,
                       layout=layout, at="t", by="u", drawing=10_000)
    with pytest.raises(TooManyRequests) as refused:
        LabelSheet.request("s", "b", "p", "subj", kind=SheetKind.BATCH, count=1,
                           layout=layout, at="t", by="u", drawing=20_000)
    assert refused.value.retry_after and refused.value.code == "labels-drawing"
    # counts as each language writes them
    assert refused.value.in_every_language() == {
        "vi": "Các tờ nhãn đang vẽ của bạn còn 20.000 nhãn; tối đa 20.000 nhãn chờ cùng lúc. "
              "Hãy yêu cầu thêm khi chúng đã xong (tiến độ hiện trên từng tờ).",
        "en": "Your label sheets still being drawn hold 20,000 labels; at most 20,000 wait at "
              "once. Ask for more once they are ready (their progress shows on each sheet)."}


def test_a_units_scans_are_counted_from_the_first() -> None:
    code = UnitCode(UnitCode.key("p", "S"), "b", "L", "s")
    code.scanned("2026-11-24T02:05:00+00:00", "phone-a", "home")
    code.scanned("2026-11-25T10:00:00+00:00", "phone-a", "home")
    assert (code.scans, code.first_scanned_at) == (2, "2026-11-24T02:05:00+00:00")
    assert code.devices == ["phone-a"] and not code.looks_copied
    assert moment_shown(code.first_scanned_at) == "24/11/2026 09:05"


def test_a_label_says_its_facts_in_vietnamese() -> None:
    """Goods sold in Việt Nam are labelled in Vietnamese, whoever prints the sheet."""
    face = LabelFace("Chè búp Tân Cương", 4, "TC-26", date(2026, 4, 2), date(2027, 4, 2),
                     None, "08934563138165")
    pdf = draw_part(face, SheetLayout(70, 40, 1), [Code("https://scan.example/x", "AB")],
                    "title")
    printed = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    facts = [line for line in printed.splitlines() if ":" in line and line[0] != "("]
    assert facts == ["Lô/Lot: TC-26", "NSX: 02/04/2026", "Tốt nhất trước: 02/04/2027"]
