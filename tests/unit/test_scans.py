"""Scan analytics rules: the coarse fingerprint, the day a scan counts on, which scans of a
device count, when a unit's code looks copied and how sure that is, how forged codes are
gathered, and the reports' sums."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from services.traceability.labels.model import DEVICES_PER_UNIT, UnitCode
from services.traceability.profiles.model import ShownSubject, TraceProfile
from services.traceability.scans import resolver
from services.traceability.scans.model import (
    CODES_KEPT,
    Anomaly,
    AnomalyKind,
    RecentScans,
    ScanDay,
    ScanReport,
    ScanTally,
    Visit,
    by_province,
)
from services.traceability.scans.rules import (
    SCAN_WINDOW,
    SCANS_PER_DEVICE_A_DAY,
    Confidence,
    coarse_agent,
    copy_confidence,
    fingerprint,
    salted_network,
    span,
)
from shared.ocop.vocabulary import SubjectType
from shared.refusals import BadRequest

ANDROID_ZALO = ("Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like "
                "Gecko) Chrome/119.0 Mobile Safari/537.36 Zalo android/12100")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
KEY = b"k" * 32


def test_a_fingerprint_keeps_only_the_network_and_the_browser_family() -> None:
    assert coarse_agent(ANDROID_ZALO) == "android/zalo"
    assert coarse_agent(IPHONE) == "ios/safari"
    assert coarse_agent("") == "other/other"
    same = fingerprint(KEY, "113.161.4.7", ANDROID_ZALO)
    assert fingerprint(KEY, "113.161.4.250", ANDROID_ZALO.replace("13", "14")) == same
    assert fingerprint(KEY, "113.161.5.7", ANDROID_ZALO) != same
    assert fingerprint(KEY, "113.161.4.7", IPHONE) != same
    assert fingerprint(b"other key", "113.161.4.7", ANDROID_ZALO) != same
    assert "113.161" not in same and len(same) == 12
    v6 = fingerprint(KEY, "2001:ee0:4f00:1::5", IPHONE)
    assert fingerprint(KEY, "2001:ee0:4f00:ffff::9", IPHONE) == v6
    assert fingerprint(KEY, "testclient", IPHONE)  # not an address: still a fingerprint
    network = salted_network(KEY, "113.161.4.7")
    assert salted_network(KEY, "113.161.4.250") == network != same
    assert salted_network(KEY, "113.161.5.7") != network


def test_a_scan_counts_on_its_day_in_viet_nam() -> None:
    late = Visit(datetime(2026, 11, 24, 16, 59, tzinfo=UTC), "d")
    assert late.day == date(2026, 11, 24)
    assert Visit(datetime(2026, 11, 24, 17, 0, tzinfo=UTC), "d").day == date(2026, 11, 25)


def test_a_device_scanning_a_code_again_counts_once_a_window_and_a_few_times_a_day() -> None:
    recent = RecentScans()
    start = datetime(2026, 11, 24, 1, tzinfo=UTC)  # 08:00 in Việt Nam
    assert recent.counts(Visit(start, "phone"), "p/S")
    assert not recent.counts(Visit(start + SCAN_WINDOW / 2, "phone"), "p/S")
    assert recent.counts(Visit(start, "other-phone"), "p/S")
    assert recent.counts(Visit(start, "phone"), "p/T")
    later = [start + SCAN_WINDOW * n for n in range(1, 2 * SCANS_PER_DEVICE_A_DAY)]
    assert sum(recent.counts(Visit(at, "phone"), "p/S") for at in later
               ) == SCANS_PER_DEVICE_A_DAY - 1
    assert recent.counts(Visit(start + timedelta(days=1), "phone"), "p/S")  # the next day
    small = RecentScans(kept=2)
    for code in ("a", "b", "c"):
        small.counts(Visit(start, "phone"), code)
    assert small.counts(Visit(start, "phone"), "a")  # forgotten: the longest unseen


def test_a_units_code_looks_copied_from_many_devices_never_from_one_scanning_again() -> None:
    code = UnitCode(UnitCode.key("p", "S"), "b", "L", "s")
    for _ in range(100):
        code.scanned("2026-11-24T09:00:00+00:00", "shop", "shop-wifi")
    assert not code.looks_copied and copy_confidence(code) is None
    for n in range(DEVICES_PER_UNIT - 2):
        code.scanned(f"2026-11-24T0{n}:00:00+00:00", f"phone-{n}", "shop-wifi")
    assert not code.looks_copied
    code.scanned("2026-11-24T09:00:00+00:00", "one-more-phone", "shop-wifi")
    assert code.looks_copied and len(code.devices) == DEVICES_PER_UNIT
    assert copy_confidence(code) is Confidence.LOW  # one shop, or one client's browsers
    code.scanned("2026-11-24T10:00:00+00:00", "yet-another", "a-home")
    assert len(code.devices) == DEVICES_PER_UNIT  # no more kept
    assert copy_confidence(code) is Confidence.MEDIUM
    for n in range(DEVICES_PER_UNIT):
        code.scanned("2026-11-24T11:00:00+00:00", f"far-{n}", f"town-{n}")
    assert len(code.networks) == DEVICES_PER_UNIT and copy_confidence(code) is Confidence.HIGH


def _profile() -> TraceProfile:
    return TraceProfile("p1", gtin="08930000000012", subject=ShownSubject(
        "s1", "HTX Nước mắm", SubjectType.COOPERATIVE, "Khánh Hòa", "Khánh Sơn"))


def test_forged_codes_are_gathered_per_product_kind_and_day_and_announced_as_surer() -> None:
    visit = Visit(datetime(2026, 11, 24, 3, tzinfo=UTC), "phone", "home")
    anomaly = Anomaly.open(AnomalyKind.UNKNOWN_SERIAL, _profile(), "FAKE0", visit)
    assert anomaly.id == "unknown_serial|p1|2026-11-24"
    assert Anomaly.key(AnomalyKind.UNKNOWN_SERIAL, _profile(), "FAKE9", visit.day) == anomaly.id
    event = anomaly.seen("FAKE0", visit)
    assert event is not None and (event.kind, event.province, event.code) == (
        "unknown_serial", "Khánh Hòa", "FAKE0")
    assert (event.confidence, event.networks) == ("low", 1)
    anomaly.version = 1  # stored
    for n in range(1, CODES_KEPT + 5):
        assert anomaly.seen(f"FAKE{n}", Visit(visit.at, f"phone{n}", "home")) is None
    assert anomaly.scans == CODES_KEPT + 5
    assert len(anomaly.codes) == CODES_KEPT and anomaly.device_count == CODES_KEPT
    # Seen on other networks: announced again as its confidence rises, once per step.
    rose = [anomaly.seen("FAKE0", Visit(visit.at, f"far{n}", f"town{n}"))
            for n in range(DEVICES_PER_UNIT)]
    assert [e.confidence for e in rose if e is not None] == ["medium", "high"]
    assert anomaly.confidence is Confidence.HIGH


def test_a_copied_code_is_one_anomaly_following_its_units_scans() -> None:
    visit = Visit(datetime(2026, 11, 24, 3, tzinfo=UTC), "phone")
    code = UnitCode(UnitCode.key("p1", "S"), "b1", "L1", "s", scans=7,
                    devices=["a", "b", "c", "d", "e"], networks=["n1"])
    anomaly = Anomaly.open(AnomalyKind.COPIED_SERIAL, _profile(), "S", visit, batch_id="b1",
                           lot="L1")
    assert anomaly.id == "copied_serial|p1/S"
    event = anomaly.follow(code, "S", visit)
    assert event is not None and (event.scans, event.devices, event.networks,
                                  event.confidence, event.batch_id) == (7, 5, 1, "low", "b1")
    anomaly.version, code.scans = 1, 8
    assert anomaly.follow(code, "S", visit) is None and anomaly.scans == 8
    code.networks.append("n2")
    rose = anomaly.follow(code, "S", visit)
    assert rose is not None and rose.confidence == "medium" and rose.anomaly_id == anomaly.id


def test_a_report_covers_every_day_of_its_span_and_sums_per_batch() -> None:
    days = [ScanDay("x", "p", "b1", "2026-11-20", 3, 2, 1), ScanDay("y", "p", None,
                                                                    "2026-11-20", 1),
            ScanDay("z", "p", "b1", "2026-11-22", 5, 5, 4)]
    report = ScanReport.of(days, date(2026, 11, 19), date(2026, 11, 23))
    assert [d.isoformat() for d, _ in report.days] == [
        "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]
    assert [c.scans for _, c in report.days] == [0, 4, 0, 5, 0]
    assert (report.total.scans, report.total.unit_scans, report.total.units_scanned) == (9, 7, 5)
    assert report.batches["b1"].scans == 8 and report.batches[None].scans == 1


def test_a_span_defaults_to_the_last_30_days_and_is_bounded() -> None:
    today = date(2026, 11, 25)
    assert span(None, None, today) == (date(2026, 10, 27), today)
    assert span(date(2026, 1, 1), date(2026, 1, 1), today) == (date(2026, 1, 1),) * 2
    with pytest.raises(BadRequest):
        span(date(2026, 2, 1), date(2026, 1, 1), today)
    with pytest.raises(BadRequest) as refused:
        span(date(2024, 1, 1), date(2026, 1, 1), today)
    assert refused.value.in_every_language() == {
        "en": "Ask for at most 366 days at a time.", "vi": "Mỗi lần xem tối đa 366 ngày."}
    assert [e.as_dict() for e in refused.value.errors] == [
        {"field": "since", "message": "at most 366 days before until",
         "message_vi": "không quá 366 ngày trước until"}]


def test_a_resolvers_link_titles_are_said_in_both_languages() -> None:
    links = resolver.links_of("https://s.example/01/1", "Nước mắm", "https://r.example/c",
                              "https://t.example/epcis/events?product=p")
    assert [link.title for link in links] == [
        "Nước mắm", "Giấy chứng nhận OCOP / OCOP certificate",
        "Sự kiện truy xuất EPCIS / EPCIS events"]
    assert resolver.description("https://s.example").name == (
        "OCOP — tra cứu nguồn gốc sản phẩm / OCOP product origin resolver")


def test_counts_kept_in_memory_are_drained_and_restored_without_loss() -> None:
    tally = ScanTally()
    visit = Visit(datetime(2026, 11, 24, 3, tzinfo=UTC), "phone")
    tally.count("p", "b", visit)
    tally.count("p", "b", visit, unit=UnitCode("p/S", "b", "L", "s", scans=1))
    drained = tally.drain()
    assert drained == {("p", "b", "2026-11-24"): Counter(scans=2, unit_scans=1,
                                                         units_first_scanned=1)}
    tally.count("p", "b", visit)
    tally.restore(drained)
    assert tally.drain()[("p", "b", "2026-11-24")]["scans"] == 3


def test_anomalies_are_counted_per_province_most_first() -> None:
    visit = Visit(datetime(2026, 11, 24, 3, tzinfo=UTC), "phone")
    one = Anomaly.open(AnomalyKind.UNKNOWN_LOT, _profile(), "X", visit)
    other = TraceProfile("p2", subject=ShownSubject("s2", "B", SubjectType.ENTERPRISE,
                                                    "Hà Tĩnh", "Kỳ Anh"))
    two = Anomaly.open(AnomalyKind.UNKNOWN_SERIAL, other, "Y", visit)
    three = Anomaly.open(AnomalyKind.COPIED_SERIAL, other, "Z", visit)
    counted = by_province([one, two, three])
    assert [p for p, _ in counted] == ["Hà Tĩnh", "Khánh Hòa"]
    assert counted[0][1] == Counter(unknown_serial=1, copied_serial=1)
